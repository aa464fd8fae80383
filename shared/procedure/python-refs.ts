// What a Python snippet reads and writes, found by a light scan (the sandbox does the real parse).
// Enough for the validator to know which attributes a code step computes and which it reads.
import type { Position, Span } from './ast';

export interface PythonRef {
  name: string;
  span: Span;
}

export interface PythonRefs {
  attributeReads: PythonRef[];
  attributeWrites: PythonRef[];
  /** Keys of `data[...]`: connector results, such as `shop.get_order`. */
  dataReads: PythonRef[];
}

const ATTRIBUTE_INDEX = /\battributes\s*\[\s*(["'])([A-Za-z_]\w*)\1\s*\]/g;
const ATTRIBUTE_GET = /\battributes\.get\(\s*(["'])([A-Za-z_]\w*)\1/g;
const DATA_INDEX = /\bdata(?:\s*\[\s*|\.get\(\s*)(["'])([^"'\n]+)\1/g;
const ASSIGNMENT_AFTER = /^\s*(?:[+\-*/%]|\/\/|\*\*)?=(?!=)/;
const AUGMENTED_AFTER = /^\s*(?:[+\-*/%]|\/\/|\*\*)=/;

/** Maps a (line, column) inside the snippet, both 0-based, to the document. */
export type SnippetMapper = (line: number, column: number) => Position;

export function analyzePython(code: string, map: SnippetMapper): PythonRefs {
  const refs: PythonRefs = { attributeReads: [], attributeWrites: [], dataReads: [] };
  const lines = code.split('\n');
  lines.forEach((rawLine, lineIndex) => {
    const line = stripComment(rawLine);
    const spanOf = (from: number, to: number): Span => ({ start: map(lineIndex, from), end: map(lineIndex, to) });
    for (const match of line.matchAll(ATTRIBUTE_INDEX)) {
      const end = match.index + match[0].length;
      const after = line.slice(end);
      const ref = { name: match[2]!, span: spanOf(match.index, end) };
      if (ASSIGNMENT_AFTER.test(after)) {
        if (AUGMENTED_AFTER.test(after)) refs.attributeReads.push(ref);
        refs.attributeWrites.push(ref);
      } else refs.attributeReads.push(ref);
    }
    for (const match of line.matchAll(ATTRIBUTE_GET)) {
      refs.attributeReads.push({ name: match[2]!, span: spanOf(match.index, match.index + match[0].length) });
    }
    for (const match of line.matchAll(DATA_INDEX)) {
      refs.dataReads.push({ name: match[2]!, span: spanOf(match.index, match.index + match[0].length) });
    }
  });
  for (const key of returnedKeys(code)) {
    refs.attributeWrites.push({ name: key.name, span: { start: map(key.line, key.column), end: map(key.line, key.column + key.name.length + 2) } });
  }
  return refs;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\') i += 1;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

/** String keys of a dict returned at the top level of a code block: `return {"refund_amount": 12}`. */
function returnedKeys(code: string): { name: string; line: number; column: number }[] {
  const keys: { name: string; line: number; column: number }[] = [];
  const lines = code.split('\n');
  lines.forEach((line, lineIndex) => {
    const match = /^return\s*\{/.exec(line);
    if (!match) return;
    // Scan from the brace across lines, collecting "key": at depth 1.
    let depth = 0;
    let row = lineIndex;
    let col = match[0].length - 1;
    while (row < lines.length) {
      const text = lines[row]!;
      while (col < text.length) {
        const ch = text[col]!;
        if (ch === '{' || ch === '[' || ch === '(') depth += 1;
        else if (ch === '}' || ch === ']' || ch === ')') {
          depth -= 1;
          if (depth === 0) return;
        } else if ((ch === '"' || ch === "'") && depth === 1) {
          const close = text.indexOf(ch, col + 1);
          if (close === -1) break;
          const key = text.slice(col + 1, close);
          if (/^\s*:/.test(text.slice(close + 1)) && /^[A-Za-z_]\w*$/.test(key)) keys.push({ name: key, line: row, column: col });
          col = close;
        }
        col += 1;
      }
      row += 1;
      col = 0;
    }
  });
  return keys;
}
