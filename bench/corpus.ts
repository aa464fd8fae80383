// A deterministic, help-centre-like corpus for the store benchmarks: articles of about 1 KB made
// of support vocabulary with a Zipf-like spread, so that some words are common and most are rare.
// Function words lead the Zipf order, as in any English text; support words come next.
const FUNCTION_WORDS = (
  'the to you your and a of is in for it on with can if we be this that are or as at from will our by not have an my do how what when ' +
  'which there their more any all may also into about after before then than its so up out just us get has been was were would should'
).split(' ');
const SUPPORT = (
  'order orders account payment refund return shipping delivery item product customer email password subscription plan billing card ' +
  'invoice address tracking package damaged replacement cancel change update help support contact team store discount code gift ' +
  'exchange warranty size colour price charge receipt login reset verify number days business week month policy'
).split(' ');

export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A vocabulary of `size` made-up words plus the support words, in Zipf order. */
export function makeVocabulary(size: number, random: () => number): string[] {
  const syllables = ['ka', 'lo', 'mi', 're', 'su', 'ta', 'ne', 'vo', 'pi', 'da', 'ge', 'ru', 'shi', 'fo', 'ba', 'zen', 'tor', 'lin'];
  const words = new Set<string>([...FUNCTION_WORDS, ...SUPPORT]);
  while (words.size < size) {
    const count = 2 + Math.floor(random() * 3);
    let word = '';
    for (let index = 0; index < count; index++) word += syllables[Math.floor(random() * syllables.length)];
    words.add(word);
  }
  return [...words];
}

export function zipfPicker(vocabulary: string[], random: () => number): () => string {
  // Inverse-CDF sampling of a Zipf(1) distribution over the vocabulary.
  const weights = vocabulary.map((_, index) => 1 / (index + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) cumulative.push((running += weight / total));
  return () => {
    const target = random();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    return vocabulary[low]!;
  };
}

export interface CorpusArticle {
  title: string;
  body: string;
  url: string;
  tags: string[];
}

export function makeArticles(count: number, seed = 1): CorpusArticle[] {
  const random = makeRandom(seed);
  const vocabulary = makeVocabulary(20_000, random);
  const pick = zipfPicker(vocabulary, random);
  const articles: CorpusArticle[] = [];
  for (let index = 0; index < count; index++) {
    const title = `${capitalise(pick())} ${pick()} ${pick()} ${pick()} ${index}`;
    const sentences: string[] = [];
    let length = 0;
    while (length < 1000) {
      const words = Array.from({ length: 8 + Math.floor(random() * 10) }, pick);
      const sentence = `${capitalise(words.join(' '))}.`;
      sentences.push(sentence);
      length += sentence.length + 1;
    }
    articles.push({ title, body: sentences.join(' '), url: `https://help.example.com/articles/${index}`, tags: [pick(), pick()] });
  }
  return articles;
}

/**
 * Questions as customers type them: a few stopwords around two to four content words, drawn with
 * the same Zipf spread as the articles (so support words like "order" come up often).
 */
export function makeQueries(count: number, seed = 2): string[] {
  const random = makeRandom(seed);
  const vocabulary = makeVocabulary(20_000, makeRandom(1)).slice(FUNCTION_WORDS.length);
  const pick = zipfPicker(vocabulary, random);
  const openings = ['how do I', 'where is my', 'can you help with', 'I have a problem with', 'what is the'];
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 2 + Math.floor(random() * 3) }, pick);
    return `${openings[Math.floor(random() * openings.length)]} ${words.join(' ')}?`;
  });
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
