// Turns what a customer or author typed into an FTS5 query. User text is never passed to MATCH
// as is: every term is quoted, so FTS5 operators and punctuation in it cannot break the query.

// Words that carry no meaning for finding an article ("where do I find my order number" is
// about "find order number").
const STOPWORDS = new Set(
  (
    'a about after again all am an and any are as at be been before being but by can could did do does doing for from had has have having he her here ' +
    'hers him his how i if in into is it its itself just me more most my myself no nor not of off on once only or other our ours out over own same she ' +
    'should so some such than that the their theirs them then there these they this those through to too under until up very was we were what when ' +
    'where which while who whom why will with would you your yours yourself yourselves hi hello please thanks thank im ive dont cant get got need want'
  ).split(' '),
);

export interface KnowledgeQuery {
  /** Every term must match. */
  all: string;
  terms: string[];
}

export function buildQuery(text: string): KnowledgeQuery | null {
  const words = (text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => word.length <= 64);
  const meaningful = words.filter((word) => !STOPWORDS.has(word));
  // A question made of stopwords alone ("how do I do it?") has nothing to search for.
  const terms = [...new Set(meaningful)].slice(0, 16);
  if (terms.length === 0) return null;
  const quoted = terms.map((term) => `"${term}"`);
  return { all: quoted.join(' '), terms };
}
