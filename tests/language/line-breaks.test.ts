// Line breaks and byte-order marks: a lone CR ends a line like LF and CRLF do, and a byte-order mark
// before line 1 does not hide the front matter. Positions still point into the text as given.
import { describe, expect, it } from 'vitest';
import { parse, print, renameStep, toGraph } from '../../shared/procedure';

const LF = '---\nname: Breaks\ntrigger: Always.\nattributes:\n  order_number:\n    type: string\n---\n\n## Ask\nAsk and collect {order_number}.\nGo to [[#Finish]].\n\n## Finish\nSay thanks. @end\n';

function shape(text: string) {
  const { document, diagnostics } = parse(text);
  return {
    header: document.frontMatter?.header.name,
    attributes: document.frontMatter?.header.attributes.map((attribute) => `${attribute.name}: ${attribute.type}`),
    steps: document.steps.map((step) => [step.title, step.span.start.line, step.span.end.line]),
    graph: toGraph(document).edges.map((edge) => `${edge.from} -> ${edge.to}`),
    diagnostics: diagnostics.map((d) => d.code),
  };
}

describe('a lone CR ends a line', () => {
  it('a file with only CR line endings reads like the same file with LF', () => {
    const cr = LF.replaceAll('\n', '\r');
    expect(shape(cr)).toEqual(shape(LF));
    expect(shape(cr).steps).toHaveLength(2);
    expect(print(parse(cr).document)).toBe(LF);
  });

  it('mixed CR, CRLF and LF read alike, with offsets into the text as given', () => {
    const lines = LF.split('\n');
    const mixed = lines.map((line, index) => line + (index === lines.length - 1 ? '' : ['\r', '\r\n', '\n'][index % 3])).join('');
    expect(shape(mixed)).toEqual(shape(LF));
    const nameSpan = parse(mixed).document.frontMatter!.header.nameSpan!;
    expect(mixed.slice(nameSpan.start.offset, nameSpan.end.offset)).toBe('Breaks');
    const ask = parse(mixed).document.steps[0]!.titleSpan;
    expect(mixed.slice(ask.start.offset, ask.end.offset)).toBe('Ask');
  });

  it('printing is stable where a lone CR used to break it', () => {
    for (const text of ['---\n\r', '## A\nSay hi.\r\r- item\n', '---\nname: X\r\ntrigger: Y\r---\n## A\nSay.\n', '## A\n```python\rx = 1\r```\n']) {
      const once = print(parse(text).document);
      expect(once).not.toContain('\r');
      expect(print(parse(once).document)).toBe(once);
    }
  });

  it('a graph edit on CR text edits the right line and keeps CR line endings', () => {
    const cr = LF.replaceAll('\n', '\r');
    const result = renameStep(cr, 'step:finish', 'Wrap up');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text).toBe(cr.replace('## Finish', '## Wrap up').replace('[[#Finish]]', '[[#Wrap up]]'));
  });
});

describe('a byte-order mark before line 1', () => {
  it('does not hide the front matter, and print leaves it out', () => {
    const withBom = `\uFEFF${LF}`;
    expect(shape(withBom)).toEqual(shape(LF));
    expect(parse(withBom).diagnostics).toEqual([]);
    expect(print(parse(withBom).document)).toBe(LF);
    const nameSpan = parse(withBom).document.frontMatter!.header.nameSpan!;
    expect(withBom.slice(nameSpan.start.offset, nameSpan.end.offset)).toBe('Breaks');
  });

  it('a byte-order mark that is not at the start stays in the text', () => {
    const text = '## A\n\uFEFFSay hi.\n';
    expect(print(parse(text).document)).toBe(text);
    const inPreamble = '\n\uFEFF@';
    const once = print(parse(inPreamble).document);
    expect(print(parse(once).document)).toBe(once);
    expect(once).toContain('\uFEFF@');
  });
});
