// Source text split into lines, with conversions between offsets and line/column positions.
import type { Position, Span } from './ast';

export interface SourceLine {
  /** 1-based line number. */
  number: number;
  /** Offset of the first character of the line. */
  offset: number;
  /** The line without its line break. */
  text: string;
}

export class Source {
  readonly lines: SourceLine[];

  constructor(readonly text: string) {
    this.lines = [];
    // A line ends at LF, CRLF or a lone CR (old Mac files; a CR pasted on its own), as in the editor.
    // A byte-order mark before line 1 is not part of its text: front matter behind it is still found.
    let offset = text.charCodeAt(0) === BOM ? 1 : 0;
    let number = 1;
    while (true) {
      const end = nextLineBreak(text, offset);
      this.lines.push({ number, offset, text: text.slice(offset, end) });
      if (end === text.length) break;
      offset = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
      number += 1;
    }
  }

  /** Position of a column (0-based) on a line (1-based). */
  at(line: number, column0: number): Position {
    const source = this.lines[line - 1];
    if (!source) return this.end();
    const column = Math.max(0, Math.min(column0, source.text.length));
    return { line, column: column + 1, offset: source.offset + column };
  }

  /** Span covering columns [from, to) of one line. */
  range(line: number, from0: number, to0: number): Span {
    return { start: this.at(line, from0), end: this.at(line, to0) };
  }

  /** Span of a whole line, without its line break. */
  lineSpan(line: number): Span {
    const text = this.lines[line - 1]?.text ?? '';
    return this.range(line, 0, text.length);
  }

  /** Span from the start of one line to the end of another. */
  linesSpan(first: number, last: number): Span {
    return { start: this.at(first, 0), end: this.lineSpan(last).end };
  }

  positionOfOffset(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lines.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lines[mid]!.offset <= clamped) low = mid;
      else high = mid - 1;
    }
    const line = this.lines[low]!;
    const column = Math.max(0, Math.min(clamped - line.offset, line.text.length));
    return { line: line.number, column: column + 1, offset: line.offset + column };
  }

  end(): Position {
    const last = this.lines[this.lines.length - 1]!;
    return { line: last.number, column: last.text.length + 1, offset: last.offset + last.text.length };
  }
}

const BOM = 0xfeff;
const CR = 0x0d;
const LF = 0x0a;

function nextLineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === LF || code === CR) return i;
  }
  return text.length;
}

/** Number of leading whitespace characters. */
export function indentOf(text: string): number {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
  return i;
}

/** Width of leading whitespace, counting a tab as two spaces (our indent unit). */
export function indentWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    if (ch === ' ') width += 1;
    else if (ch === '\t') width += 2;
    else break;
  }
  return width;
}
