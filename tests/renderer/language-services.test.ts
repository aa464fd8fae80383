// The editor's language services, without Monaco: completion, hover, folding and quick fixes.
import { describe, expect, it } from 'vitest';
import type { LanguageContext } from '../../shared/api';
import { parse, validate } from '../../shared/procedure';
import { completionsAt } from '../../renderer/src/language/completions';
import { validationContext } from '../../renderer/src/language/context';
import { foldingRanges } from '../../renderer/src/language/folding';
import { hoverAt } from '../../renderer/src/language/hover';
import { quickFixes } from '../../renderer/src/language/quick-fixes';

const context: LanguageContext = {
  connectors: [{ name: 'shop', description: 'The shop', actions: [{ name: 'get_order', description: 'Look up an order by its number.', confirm: false }, { name: 'create_replacement', description: 'Create a replacement.', confirm: true }] }],
  procedures: [
    { name: 'Verify identity', trigger: null, description: 'Confirms who the customer is.', subProcedure: true, calls: [] },
    { name: 'Damaged order claim', trigger: 'Damaged item', description: null, subProcedure: false, calls: ['Verify identity'] },
  ],
  teams: [{ name: 'Claims team', description: 'Handles damage claims.' }],
};

const text = [
  '---',
  'name: Damaged order claim',
  'trigger: The customer says an item arrived damaged.',
  'attributes:',
  '  order_number:',
  '    type: string',
  '    description: The order number from the confirmation email.',
  '---',
  '',
  '## Find the order',
  'Ask for their order number and collect {order_number}. Look it up with @shop.get_order.',
  'Confirm who they are with [[Verify identity]].',
  '',
  '## Resolve',
  'If `attributes["order_number"] == "1"`:',
  '  - @handoff Claims team',
  'Otherwise:',
  '  - Go to [[#Find the order]].',
  '```python',
  'x = 1',
  '```',
  '',
].join('\n');
const document = parse(text).document;

function completeAfter(marker: string, typed: string) {
  const offset = text.indexOf(marker) + marker.length;
  const edited = text.slice(0, offset) + typed + text.slice(offset);
  return completionsAt(edited, offset + typed.length, parse(edited).document, context);
}

describe('completion', () => {
  it('offers actions and directives after @', () => {
    const result = completeAfter('## Resolve\n', '@sh');
    expect(result?.items.map((item) => item.label)).toEqual(['shop.get_order', 'shop.create_replacement', 'handoff', 'end', 'switch', 'tag']);
    expect(result?.items[1]?.detail).toContain('confirm');
    expect(result?.from).toBe(text.indexOf('## Resolve\n') + '## Resolve\n'.length + 1);
  });

  it('offers attributes after {, Procedures after [[ and steps after [[#', () => {
    expect(completeAfter('## Resolve\n', 'Tell them {')?.items.map((item) => item.insertText)).toEqual(['order_number}']);
    const procedures = completeAfter('## Resolve\n', 'Run [[Ver');
    expect(procedures?.items.map((item) => item.label)).toEqual(['Verify identity']); // not itself
    expect(procedures?.items[0]).toMatchObject({ insertText: 'Verify identity]]', detail: 'Sub-procedure' });
    expect(completeAfter('## Resolve\n', 'Go to [[#')?.items.map((item) => item.label)).toEqual(['Find the order', 'Resolve']);
    expect(completeAfter('## Resolve\n', '@handoff C')?.items.map((item) => item.label)).toEqual(['Claims team']);
  });

  it('stays quiet in the front matter, in code and in inline code', () => {
    expect(completeAfter('name: Damaged', ' @')).toBeNull();
    expect(completeAfter('x = 1', ' # @')).toBeNull();
    expect(completeAfter('## Resolve\n', 'Say `x @')).toBeNull();
    expect(completeAfter('## Resolve\n', 'Mail a@')).toBeNull();
  });
});

describe('hover', () => {
  const at = (needle: string) => hoverAt(document, text.indexOf(needle) + 1, context)?.markdown ?? '';
  it('explains each kind of reference', () => {
    expect(at('{order_number}')).toContain('attribute, `string`');
    expect(at('{order_number}')).toContain('collects');
    expect(at('@shop.get_order')).toContain('Look up an order by its number.');
    expect(at('[[Verify identity]]')).toContain('runs the sub-procedure *Verify identity*');
    expect(at('@handoff')).toContain('Handles damage claims.');
    expect(at('[[#Find the order]]')).toContain('Moves to the step "Find the order"');
    expect(hoverAt(document, text.indexOf('Ask for'), context)).toBeNull();
  });
});

describe('folding', () => {
  it('folds the front matter, each step, code and conditions', () => {
    const ranges = foldingRanges(document, text.split('\n'));
    expect(ranges).toContainEqual({ start: 1, end: 8, kind: 'frontmatter' });
    expect(ranges).toContainEqual({ start: 10, end: 12, kind: 'step' });
    expect(ranges).toContainEqual({ start: 14, end: 21, kind: 'step' });
    expect(ranges).toContainEqual({ start: 19, end: 21, kind: 'code' });
    expect(ranges.some((range) => range.kind === 'condition' && range.start === 15)).toBe(true);
  });
});

describe('quick fixes', () => {
  const fix = (source: string) => {
    const parsed = parse(source).document;
    const diagnostics = validate(parsed, validationContext(context, new Map()));
    return { diagnostics, fixes: diagnostics.flatMap((diagnostic) => quickFixes(source, parsed, diagnostic)) };
  };
  const apply = (source: string, edits: { start: number; end: number; text: string }[]) =>
    [...edits].sort((a, b) => b.start - a.start).reduce((result, edit) => result.slice(0, edit.start) + edit.text + result.slice(edit.end), source);

  it('declares a missing attribute under attributes:, and the error goes away', () => {
    const source = text.replace('## Resolve\n', '## Resolve\nTell them {refund_total}.\n');
    const { fixes } = fix(source);
    const declare = fixes.find((candidate) => candidate.title.includes('refund_total'))!;
    const fixed = apply(source, declare.edits);
    expect(fixed).toContain('    description: The order number from the confirmation email.\n  refund_total: string\n---');
    expect(fix(fixed).diagnostics.filter((d) => d.code === 'unknown-attribute')).toEqual([]);
  });

  it('adds attributes: when the front matter has none', () => {
    const source = '---\nname: Small\ntrigger: Hi.\n---\n\n## Start\nCollect {email}.\n';
    const fixed = apply(source, fix(source).fixes[0]!.edits);
    expect(fixed).toBe('---\nname: Small\ntrigger: Hi.\nattributes:\n  email: string\n---\n\n## Start\nCollect {email}.\n');
  });

  it('takes the validator\'s suggestion for a misspelt action, Procedure or step', () => {
    const source = text.replace('@shop.get_order', '@shop.get_ordr').replace('[[Verify identity]]', '[[Verify identiy]]').replace('[[#Find the order]]', '[[#Find the ordr]]');
    const { fixes } = fix(source);
    expect(fixes.map((candidate) => candidate.title).sort()).toEqual(['Change to "Find the order"', 'Change to "Verify identity"', 'Change to "get_order"']);
    const fixed = apply(source, fixes.flatMap((candidate) => candidate.edits));
    expect(fixed).toBe(text);
  });
});
