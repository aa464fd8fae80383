// Quick fixes where the fix is obvious: declare a missing attribute in the front matter, or take
// the validator's "Did you mean …?" suggestion. Pure: each fix is a list of text edits by offset.
import type { Diagnostic, ProcedureDocument } from '../../../shared/procedure';

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  diagnostic: Diagnostic;
}

const RENAMES: Record<string, (original: string, wrong: string, right: string) => string | null> = {
  'unknown-procedure': (original, wrong, right) => replaceOnce(original, `[[${wrong}]]`, `[[${right}]]`),
  'unknown-step': (original, wrong, right) => replaceOnce(original, `[[#${wrong}]]`, `[[#${right}]]`),
  'unknown-connector': (original, wrong, right) => replaceOnce(original, `@${wrong}.`, `@${right}.`),
  'unknown-action': (original, wrong, right) => replaceOnce(original, `.${wrong}`, `.${right}`),
  'unknown-team': (original, wrong, right) => replaceOnce(original, wrong, right),
};

export function quickFixes(text: string, document: ProcedureDocument, diagnostic: Diagnostic): QuickFix[] {
  const original = text.slice(diagnostic.span.start.offset, diagnostic.span.end.offset);
  if (diagnostic.code === 'unknown-attribute') {
    const name = /^\{([A-Za-z_]\w*)/.exec(original)?.[1] ?? /attributes(?:\s*\[\s*|\.get\(\s*)["']([A-Za-z_]\w*)["']/.exec(original)?.[1];
    const edit = name ? declareAttribute(text, document, name) : null;
    return edit ? [{ title: `Declare the attribute "${name}" in the front matter`, edits: [edit], diagnostic }] : [];
  }
  const rename = RENAMES[diagnostic.code];
  const suggestion = /Did you mean "([^"]+)"\?/.exec(diagnostic.message)?.[1];
  const wrong = /"([^"]+)"/.exec(diagnostic.message.replace(/^Connector "[^"]+" has no action /, ''))?.[1];
  if (rename && suggestion && wrong) {
    const replaced = rename(original, wrong, suggestion);
    if (replaced !== null) return [{ title: `Change to "${suggestion}"`, edits: [{ start: diagnostic.span.start.offset, end: diagnostic.span.end.offset, text: replaced }], diagnostic }];
  }
  return [];
}

function replaceOnce(text: string, from: string, to: string): string | null {
  const index = text.indexOf(from);
  return index < 0 ? null : text.slice(0, index) + to + text.slice(index + from.length);
}

/** Inserts `name: string` under `attributes:` (creating the key if needed), keeping the YAML's indentation. */
export function declareAttribute(text: string, document: ProcedureDocument, name: string): TextEdit | null {
  const header = document.frontMatter?.header;
  if (!header) return null;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const lineOffset = (line: number) => {
    let offset = 0;
    for (let i = 0; i < line - 1; i++) offset += lines[i]!.length + eol.length;
    return offset;
  };
  const first = header.span.start.line + 1; // after the opening ---
  const closing = header.span.end.line; // the closing --- line
  const attributesLine = lines.slice(first - 1, closing - 1).findIndex((line) => /^attributes\s*:\s*(#.*)?$/.test(line));
  if (attributesLine < 0) {
    if (lines.slice(first - 1, closing - 1).some((line) => /^attributes\s*:/.test(line))) return null; // written inline, e.g. attributes: {}
    const at = lineOffset(closing);
    return { start: at, end: at, text: `attributes:${eol}  ${name}: string${eol}` };
  }
  const keyLine = first + attributesLine;
  // Use the indentation of the first attribute under the key, and add after the last line of the block.
  let indent = '  ';
  let last = keyLine;
  for (let line = keyLine + 1; line < closing; line++) {
    const content = lines[line - 1]!;
    if (content.trim() === '') continue;
    const width = /^\s*/.exec(content)![0];
    if (width.length === 0) break;
    if (last === keyLine) indent = width;
    last = line;
  }
  const at = lineOffset(last + 1);
  return { start: at, end: at, text: `${indent}${name}: string${eol}` };
}
