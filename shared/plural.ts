// Counts in words: "1 error", "2 errors", "5,249 articles". Intl.PluralRules picks the form and
// Intl.NumberFormat groups the thousands, so no screen or command line writes "1 errors" or "(s)"
// again. In shared/ so the renderer and the engine's printed text say counts alike.
const rules = new Intl.PluralRules('en-US');
const numbers = new Intl.NumberFormat('en-US');

/** A number with its thousands grouped: 5249 → "5,249". */
export function formatCount(value: number): string {
  return numbers.format(value);
}

/** The noun's form for the count, without the number: plural 2 "error" → "errors". `other` for irregular nouns ("try" → "tries"). */
export function nounFor(count: number, one: string, other = `${one}s`): string {
  return rules.select(count) === 'one' ? one : other;
}

/** The count and its noun: plural(1, 'error') → "1 error", plural(5249, 'article') → "5,249 articles". */
export function plural(count: number, one: string, other?: string): string {
  return `${formatCount(count)} ${nounFor(count, one, other)}`;
}
