// The linear matchers read prose exactly as the original patterns did. The originals are kept here
// as the specification: they tested `text.slice(0, i)` against a pattern ending in `$` (quadratic in
// the references on a line), and the header patterns backtracked cubically over runs of spaces.
// On short random lines they are fast enough to compare against.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELSE_IF_HEADER, IF_HEADER } from '../../shared/procedure/blocks';
import { parseInline } from '../../shared/procedure/inline';
import { Source } from '../../shared/procedure/source';
import type { Diagnostic, InlineRef } from '../../shared/procedure';

const COLLECT_BEFORE =
  /\bcollect(?:s|ing)?\s+(?:(?:the|their|a|an|his|her|its)\s+)?(?:\{[\w.]+\}\s*(?:,\s*(?:and\s+)?|and\s+|or\s+))*$/i;
const GOTO_PHRASE = /(?:^|[.!?]\s+)(?:go(?:\s+back)?\s+to|return\s+to|continue\s+(?:with|at|from))\s+(?:the\s+step\s+)?$/i;
const PHRASE = /(?:go(?:\s+back)?\s+to|return\s+to|continue\s+(?:with|at|from))\s+(?:the\s+step\s+)?$/i;
const HANDOFF_TEAM = /^\s+([^:.;!?]*[^:.;!?\s])/;
const SWITCH_TARGET = /^\s+\[\[([^\]#][^\]]*)\]\]/;
const TAG_NAME = /^\s+([\w-]+)/;
const OLD_IF_HEADER = /^if\s+(.+?)\s*:\s*$/i;
const OLD_ELSE_IF_HEADER = /^(?:otherwise,?\s+if|else,?\s+if|elif)\s+(.+?)\s*:\s*$/i;

function oldBeginsSentence(text: string, index: number, sentenceStart: boolean): boolean {
  const before = text.slice(0, index).trimEnd();
  return before === '' ? sentenceStart : /[.!?]$/.test(before);
}

function scan(text: string, sentenceStart: boolean): { refs: InlineRef[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const refs = parseInline(text, { source: new Source(text), line: 1, column: 0, sentenceStart, diagnostics });
  return { refs, diagnostics };
}

const PROSE = [
  'collect ', 'Collects ', 'collecting ', 'recollect ', 'the ', 'their ', 'an ', '{a}', '{b.c}', '{1}', '{x', ', ', ',', ' and ', 'and ', ' or ', ' AND ',
  'Go to ', 'go back to ', 'Return to ', 'continue with ', 'continue from ', 'the step ', '[[#Step]]', '[[#]]', '[[Other]]', '[[', ']]', ']',
  '. ', '! ', '? ', ' ', '  ', '\t', 'x', 'word', '`', '``', '\\', '@end', '@handoff ', '@handoff', '@switch ', '@switch', '@tag ', '@tag', '@shop.get',
  'Claims team', ':', ' note', '-', '#', '\u00a0', '\u2028',
];
const line = fc.array(fc.constantFrom(...PROSE), { maxLength: 24 }).map((parts) => parts.join(''));

describe('references are read as the original patterns read them', () => {
  it('collects, step-link moves and directives', () => {
    fc.assert(
      fc.property(line, fc.boolean(), (text, sentenceStart) => {
        const { refs, diagnostics } = scan(text, sentenceStart);
        for (const ref of refs) {
          const at = ref.span.start.offset;
          const end = ref.span.end.offset;
          if (ref.kind === 'attribute') expect(ref.collects, `collects at ${at}`).toBe(COLLECT_BEFORE.test(text.slice(0, at)));
          if (ref.kind === 'goto') {
            const before = text.slice(0, at);
            const final = GOTO_PHRASE.test(before) && oldBeginsSentence(text, PHRASE.exec(before)!.index, sentenceStart);
            expect(ref.final, `goto at ${at}`).toBe(final);
          }
          if (ref.kind === 'end' || ref.kind === 'handoff' || ref.kind === 'switch') expect(ref.final).toBe(oldBeginsSentence(text, at, sentenceStart));
          if (ref.kind === 'handoff') {
            const team = HANDOFF_TEAM.exec(text.slice(at + '@handoff'.length))!;
            expect(ref.team).toBe(team[1]!.trim());
            if (ref.note === null) expect(end).toBe(at + '@handoff'.length + team[0].length);
          }
          if (ref.kind === 'switch') {
            const target = SWITCH_TARGET.exec(text.slice(at + '@switch'.length))!;
            expect(ref.name).toBe(target[1]!.trim());
            expect(end).toBe(at + '@switch'.length + target[0].length);
          }
          if (ref.kind === 'goto' || ref.kind === 'subprocedure') expect(end).toBe(text.indexOf(']]', at + 2) + 2);
          if (ref.kind === 'tag') {
            const tag = TAG_NAME.exec(text.slice(at + '@tag'.length))!;
            expect([ref.tag, end]).toEqual([tag[1], at + '@tag'.length + tag[0].length]);
          }
        }
        // A directive reported as incomplete is one the original patterns rejected too.
        for (const diagnostic of diagnostics) {
          const after = text.slice(diagnostic.span.end.offset);
          if (diagnostic.code === 'handoff-team') expect(HANDOFF_TEAM.test(after)).toBe(false);
          if (diagnostic.code === 'switch-target') expect(SWITCH_TARGET.exec(after)?.[1]?.trim() ?? '').toBe('');
          if (diagnostic.code === 'tag-name') expect(TAG_NAME.test(after)).toBe(false);
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 3000) },
    );
  });

  it('a long collected list is walked, not rescanned, and every item counts', () => {
    const items = Array.from({ length: 5_000 }, (_, index) => `{a${index}}`).join(', ');
    const { refs } = scan(`Ask and collect ${items} or {last}. Then read {other}.`, true);
    expect(refs).toHaveLength(5_002);
    expect(refs.slice(0, -1).every((ref) => ref.kind === 'attribute' && ref.collects)).toBe(true);
    expect(refs.at(-1)).toMatchObject({ kind: 'attribute', name: 'other', collects: false });
  });
});

describe('condition headers are read as the original patterns read them', () => {
  const HEADER = ['If', 'if', 'Otherwise, if', 'otherwise if', 'Else, if', 'elif', ' ', '  ', '\t', ':', '::', 'a', 'the order', '`x == 1`', ',', '\u2028', '.'];
  const header = fc.array(fc.constantFrom(...HEADER), { maxLength: 12 }).map((parts) => parts.join('').trimEnd());

  it('the same test text, except a test of nothing but spaces, which is no longer a header', () => {
    fc.assert(
      fc.property(header, (text) => {
        for (const [now, before] of [
          [IF_HEADER, OLD_IF_HEADER],
          [ELSE_IF_HEADER, OLD_ELSE_IF_HEADER],
        ] as const) {
          const old = before.exec(text);
          const expected = old && old[1]!.trim() !== '' ? old[1] : undefined;
          expect(now.exec(text)?.[1], JSON.stringify(text)).toBe(expected);
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 3000) },
    );
  });

  it('a header-like line with a long run of spaces is rejected at once', () => {
    // The original patterns took minutes on these (about 190 ms at 1,000 spaces, growing cubically).
    for (const text of [`If${' '.repeat(10_000)}b`, `Otherwise, if${' '.repeat(10_000)}b`, `If a${' '.repeat(10_000)}b`]) {
      const start = performance.now();
      expect(IF_HEADER.test(text) || ELSE_IF_HEADER.test(text)).toBe(false);
      expect(performance.now() - start).toBeLessThan(1_000);
    }
  });
});
