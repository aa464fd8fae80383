// The `help` table: each command's name in the first column; its summary and usage lines in the
// second, wrapped within it. The table fits the terminal, within sane bounds, so a long usage line
// never pads the others (a single width for all usage lines once made every line hundreds wide).
import type { Command } from './io';

/** Narrower than this, wrapping stops helping; wider, lines get hard to read. */
export const HELP_MIN_WIDTH = 60;
export const HELP_MAX_WIDTH = 120;
/** When the output is not a terminal (a pipe, a file, a test). */
const DEFAULT_WIDTH = 100;
const INDENT = '  ';
const GAP = '  ';
/** Usage lines that are wrapped carry on this much further in. */
const CONTINUATION = '    ';

export function helpWidth(columns: number | undefined): number {
  if (columns === undefined || !Number.isFinite(columns) || columns <= 0) return DEFAULT_WIDTH;
  return Math.min(HELP_MAX_WIDTH, Math.max(HELP_MIN_WIDTH, Math.floor(columns)));
}

export function renderHelp(commands: readonly Pick<Command, 'name' | 'summary' | 'usage'>[], width: number): string {
  const nameWidth = Math.max(...commands.map((command) => command.name.length));
  const column = width - INDENT.length - nameWidth - GAP.length;
  const entries = commands.map((command) => {
    const cell = [
      ...wrap(command.summary.split(/\s+/), column, ''),
      ...command.usage
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.length > 0)
        // A usage line that does not start with the command's name carries on the one before it.
        .flatMap((line) => {
          const continued = !line.startsWith(command.name);
          const lines = continued ? wrap(usageWords(line), column - CONTINUATION.length, '') : wrap(usageWords(line), column, CONTINUATION);
          return continued ? lines.map((wrapped) => `${CONTINUATION}${wrapped}`) : lines;
        }),
    ];
    return cell.map((line, index) => `${INDENT}${(index === 0 ? command.name : '').padEnd(nameWidth)}${GAP}${line}`.trimEnd()).join('\n');
  });
  return ['Usage: stepwise <command> …', '(in the repository: npx stepwise <command> …)', '', ...entries.flatMap((entry, index) => (index === 0 ? [entry] : ['', entry]))].join('\n');
}

/** A usage line's words, a group in brackets kept whole: `[--note <text>]` is one word. */
export function usageWords(line: string): string[] {
  const words: string[] = [];
  let depth = 0;
  let word = '';
  for (const char of line) {
    if (char === ' ' && depth === 0) {
      words.push(word);
      word = '';
      continue;
    }
    if ('[<('.includes(char)) depth += 1;
    else if (')>]'.includes(char) && depth > 0) depth -= 1;
    word += char;
  }
  words.push(word);
  return words;
}

/** Lines of at most `width` characters, the words joined by spaces; a word longer than a line is cut. */
export function wrap(words: readonly string[], width: number, continuation: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of words.filter((part) => part.length > 0)) {
    const room = () => width - (lines.length > 0 ? continuation.length : 0);
    if (line && line.length + 1 + word.length <= room()) {
      line += ` ${word}`;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    for (let cut = room(); word.length > cut; cut = room()) {
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    line = word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines.map((wrapped, index) => (index === 0 ? wrapped : `${continuation}${wrapped}`));
}
