// A search snippet as plain text: articles are Markdown, and FTS5's snippet() cuts their raw text, so
// links, emphasis, code spans and heading or list markers would show as syntax. snippet() marks the
// matched terms with private-use characters (never in an article's text), the Markdown syntax is
// removed around them (a link keeps its text), and only then do the marks become the `**` the
// screens and the command line read, so a `**bold**` in an article can no longer pose as a match.
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';

const EMPHASIS = /(?<![A-Za-z0-9])(\*{1,3}|_{1,3})(?=[^\s*_])([^]*?[^\s*_\\])\1(?![A-Za-z0-9])/g;

export function plainSnippet(raw: string): string {
  let text = raw
    .replace(/<[^>\n]*>/g, '') // HTML tags
    .replace(/!\[([^\]\n]*)\]\([^)\n]*\)?/g, '$1') // images keep their alt text
    .replace(/\[([^\]\n]*)\]\([^)\n]*\)?/g, '$1') // links keep their text
    .replace(/\[([^\]\n]*)\]\[[^\]\n]*\]/g, '$1') // reference links
    .replace(/\]\([^)\s]*\)?/g, '') // a link whose text the snippet cut: its target
    .replace(/(^|\n)[ \t]*#{1,6}[ \t]+/g, '$1') // headings
    .replace(/(^|\n)[ \t]*>[ \t]?/g, '$1') // quotes
    .replace(/(^|\n)[ \t]*(?:[-*+]|\d+[.)])[ \t]+/g, '$1') // list items
    .replace(/`+([^`\n]*)`+/g, '$1'); // code spans
  // Emphasis, innermost first (**_x_**), then any marker the snippet's cut left unpaired.
  for (let pass = 0; pass < 3; pass++) text = text.replace(EMPHASIS, '$2');
  text = text.replace(/\*+(?=[^\s*])|(?<=[^\s*])\*+/g, '').replace(/(^|\s)_{1,3}(?=\S)|(?<=\S)_{1,3}(?=\s|$|[.,;:!?])/g, '$1');
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replaceAll(MARK_OPEN, '**')
    .replaceAll(MARK_CLOSE, '**');
}
