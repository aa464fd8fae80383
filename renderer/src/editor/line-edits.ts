// The language's graph edits (replace 1-based lines [startLine, endLine) with `lines`) as Monaco
// edit operations on a model with `lineCount` lines, to apply in one undoable step.
import type { LineEdit } from '../../../shared/procedure';

export interface RangeEdit {
  range: { startLineNumber: number; startColumn: number; endLineNumber: number; endColumn: number };
  text: string;
}

/**
 * `lines` are the model's lines (as Monaco counts them: a text ending with a newline has a last,
 * empty line). Edits past the last line append at the end.
 */
export function toRangeEdits(edits: LineEdit[], lines: string[], eol: string): RangeEdit[] {
  const count = lines.length;
  const lastLength = lines[count - 1]?.length ?? 0;
  return edits.map((edit) => {
    const text = edit.lines.map((line) => line + eol).join('');
    if (edit.startLine > count) {
      // Only when the text does not end with a newline: add one before the new lines.
      return { range: { startLineNumber: count, startColumn: lastLength + 1, endLineNumber: count, endColumn: lastLength + 1 }, text: eol + text.slice(0, -eol.length) };
    }
    if (edit.endLine > count) {
      // Replacing through the end of a text without a final newline.
      const end = { endLineNumber: count, endColumn: lastLength + 1 };
      if (edit.lines.length > 0) return { range: { startLineNumber: edit.startLine, startColumn: 1, ...end }, text: edit.lines.join(eol) };
      if (edit.startLine === 1) return { range: { startLineNumber: 1, startColumn: 1, ...end }, text: '' };
      const previous = lines[edit.startLine - 2]!.length;
      return { range: { startLineNumber: edit.startLine - 1, startColumn: previous + 1, ...end }, text: '' };
    }
    return { range: { startLineNumber: edit.startLine, startColumn: 1, endLineNumber: edit.endLine, endColumn: 1 }, text };
  });
}

/** Applies range edits to plain lines (for tests and checks): the text Monaco would produce. */
export function applyRangeEdits(text: string, edits: RangeEdit[], eol: string): string {
  const lines = text.split(eol);
  const offset = (line: number, column: number) => {
    let at = 0;
    for (let i = 0; i < line - 1; i++) at += lines[i]!.length + eol.length;
    return at + column - 1;
  };
  const absolute = edits.map((edit) => ({ start: offset(edit.range.startLineNumber, edit.range.startColumn), end: offset(edit.range.endLineNumber, edit.range.endColumn), text: edit.text }));
  absolute.sort((a, b) => b.start - a.start);
  let result = text;
  for (const edit of absolute) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}
