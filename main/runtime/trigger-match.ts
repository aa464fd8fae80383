// Routing without a model call: a customer message that clearly matches one live Procedure's
// trigger starts it directly, and the separate routing call is made only when the match is not
// clear (no trigger matches well, or two match alike). Pure and conservative: a wrong route costs
// the customer a detour, a missed one only costs the routing call it would have cost anyway.
//
// The score is the weight of the trigger's distinctive words found in the message: a word that
// appears in every trigger tells nothing (weight 0), a word of one trigger only tells most.

type Routable = readonly { name: string; trigger: string }[];

/** The top score must reach this (a word of that trigger alone weighs 2, one shared by half of them 1)… */
export const MIN_MATCH_SCORE = 3;
/** …and be at least this many times the runner-up's. */
export const MIN_MATCH_MARGIN = 2;

export type TriggerMatch =
  | { kind: 'clear'; procedure: string; score: number; runnerUp: number; words: string[] }
  | { kind: 'unclear'; reason: string; best: { procedure: string; score: number } | null; runnerUp: number };

// Words that say nothing about what the customer wants, in triggers or messages.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can could do does did for from had has have he her hers him his how i if in into is it its ' +
    'me my mine no not of on or our ours she so some something than that the their them then there these they this those to ' +
    'too up us was we were what when where which who why will with would you your yours customer customers says say said ' +
    'wants want wanted asks ask asked about it hi hello hey please thanks thank just also any anything one get got need needs'
  ).split(' '),
);

/** Lowercase content words, reduced to a crude stem so "arrived", "arrives" and "arrive" meet. */
export function contentWords(text: string): Set<string> {
  const words = new Set<string>();
  for (const raw of text.toLowerCase().match(/[a-z][a-z']*/g) ?? []) {
    const word = raw.replace(/'s$|'/g, '');
    if (word.length < 3 || STOPWORDS.has(word)) continue;
    words.add(stem(word));
  }
  return words;
}

function stem(word: string): string {
  for (const suffix of ['ing', 'ed', 'es', 's', 'e']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) return word.slice(0, -suffix.length);
  }
  return word;
}

/** Whether `message` clearly matches one trigger of `routable`, with the scores behind the answer. */
export function matchTrigger(routable: Routable, message: string): TriggerMatch {
  if (routable.length === 0) return { kind: 'unclear', reason: 'no live Procedure', best: null, runnerUp: 0 };
  const triggers = routable.map((procedure) => ({ name: procedure.name, words: contentWords(`${procedure.name} ${procedure.trigger}`) }));
  const documentFrequency = new Map<string, number>();
  for (const trigger of triggers) for (const word of trigger.words) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  // A word in every trigger weighs 0; with a single live Procedure, each word weighs 1.
  const weight = (word: string) => (triggers.length === 1 ? 1 : Math.log(triggers.length / documentFrequency.get(word)!) / Math.log(triggers.length) * 2);
  const said = contentWords(message);
  const scored = triggers
    .map((trigger) => {
      const words = [...said].filter((word) => trigger.words.has(word));
      const own = triggers.length === 1 || words.some((word) => documentFrequency.get(word) === 1);
      return { procedure: trigger.name, words, own, score: words.reduce((sum, word) => sum + weight(word), 0) };
    })
    .sort((a, b) => b.score - a.score);
  const [best, second] = [scored[0]!, scored[1]];
  const runnerUp = second?.score ?? 0;
  const summary = { procedure: best.procedure, score: round(best.score) };
  // Shared words alone ("my order arrived") never route: one word must be this trigger's own.
  if (best.score < MIN_MATCH_SCORE || !best.own) return { kind: 'unclear', reason: 'no trigger matches clearly', best: summary, runnerUp: round(runnerUp) };
  if (best.score < MIN_MATCH_MARGIN * runnerUp) return { kind: 'unclear', reason: `"${best.procedure}" and "${second!.procedure}" match alike`, best: summary, runnerUp: round(runnerUp) };
  return { kind: 'clear', procedure: best.procedure, score: round(best.score), runnerUp: round(runnerUp), words: best.words };
}

const round = (value: number) => Math.round(value * 100) / 100;
