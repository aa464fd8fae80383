// Quoting for the commands Stepwise prints for the user to run (hints, replays): a path with a
// space or a quote must paste into a POSIX shell as one word. Plain words stay as they are, so
// the usual hint reads as typed.

const PLAIN = /^[A-Za-z0-9_/.,:@%+=-]+$/;

/** One shell word: as it is when it has nothing the shell would read, else single-quoted. */
export function shellQuote(word: string): string {
  if (PLAIN.test(word)) return word;
  // Inside single quotes nothing is special but the quote itself, which closes, is escaped, reopens.
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its words, each quoted as needed. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/**
 * A `stepwise …` command line to print in a hint: the one form every hint uses (package.json's
 * bin; `npx stepwise …` in the repository), its words quoted as needed.
 */
export function stepwiseCommand(words: readonly string[]): string {
  return `stepwise ${shellCommand(words)}`;
}
