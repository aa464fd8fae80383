// Property tests: parsing never throws on anything, and printing is stable.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, print, toGraph, validate, type Diagnostic } from '../../shared/procedure';
import { exampleFiles, readExample } from '../support/paths';

const examples = exampleFiles().map(readExample);

// Fragments that matter to the grammar, so mutations reach the interesting paths.
const TOKENS = ['\n', ' ', '  ', '\t', '\r\n', '\r', '\uFEFF', '- ', '  - ', '## ', '---\n', '```', '```python\n', 'If ', 'Otherwise:', 'Otherwise, if ', ':', '`', '{', '}', '{email}', '[[', ']]', '[[#', '@', '@end', '@handoff ', '@switch ', '@tag ', '@shop.get_order', 'collect ', '.', '\\', 'é', '😀', '\u0000'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicateLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, mutations: Mutation[]): string {
  for (const change of mutations) {
    if (change.kind === 'insert') {
      const at = change.at % (text.length + 1);
      text = text.slice(0, at) + change.text + text.slice(at);
    } else if (change.kind === 'delete') {
      const at = change.at % (text.length + 1);
      text = text.slice(0, at) + text.slice(at + change.length);
    } else {
      const lines = text.split('\n');
      const i = change.at % lines.length;
      if (change.kind === 'duplicateLine') lines.splice(i, 0, lines[i]!);
      else {
        const j = change.with % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      }
      text = lines.join('\n');
    }
  }
  return text;
}

const mutatedExample = fc
  .tuple(fc.integer({ min: 0, max: examples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([index, mutations]) => mutate(examples[index]!, mutations));

const anyText = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join('')));

function expectSpansInBounds(text: string, diagnostics: Diagnostic[]) {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const { span } of diagnostics) {
    expect(span.start.offset).toBeGreaterThanOrEqual(0);
    expect(span.end.offset).toBeLessThanOrEqual(text.length);
    expect(span.start.offset).toBeLessThanOrEqual(span.end.offset);
    expect(span.start.line).toBeGreaterThanOrEqual(1);
    expect(span.end.line).toBeLessThanOrEqual(lineCount);
  }
}

describe('parse, validate and toGraph never throw', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parse(text);
        expectSpansInBounds(text, result.diagnostics);
        expectSpansInBounds(text, validate(result.document));
        toGraph(result.document);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });

  it('on mutated examples', () => {
    fc.assert(
      fc.property(mutatedExample, (text) => {
        const result = parse(text);
        expect(result.diagnostics.map((d) => d.code)).not.toContain('internal');
        expectSpansInBounds(text, result.diagnostics);
        expectSpansInBounds(text, validate(result.document, { procedures: {}, connectors: {} }));
        const graph = toGraph(result.document);
        expect(new Set(graph.nodes.map((node) => node.id)).size).toBe(graph.nodes.length);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});

describe('printing is stable', () => {
  it('print(parse(print(parse(x)))) equals print(parse(x)) for mutated examples', () => {
    fc.assert(
      fc.property(mutatedExample, (text) => {
        const once = print(parse(text).document);
        expect(print(parse(once).document)).toBe(once);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });

  it('and for arbitrary strings', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = print(parse(text).document);
        expect(print(parse(once).document)).toBe(once);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });

  it('keeps every step, code line and reference of a document that parses cleanly', () => {
    fc.assert(
      fc.property(mutatedExample, (text) => {
        const first = parse(text);
        if (first.diagnostics.some((d) => d.severity === 'error')) return;
        const second = parse(print(first.document));
        const shape = (result: typeof first) => ({
          steps: result.document.steps.map((step) => step.title),
          refs: validate(result.document).length,
          graph: toGraph(result.document).nodes.map((node) => `${node.id}|${node.kind}|${node.label}`),
        });
        expect(shape(second)).toEqual(shape(first));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
