// The parser's limits (shared/procedure/limits.ts): parsing stays linear in the input, lines over
// MAX_LINE_LENGTH and nesting past MAX_NESTING_DEPTH are reported where they go over, and neither
// parse nor print can overflow the stack, however deep the document.
import { describe, expect, it } from 'vitest';
import { parse, print, type Block, type Condition, type ProcedureDocument } from '../../shared/procedure';
import { MAX_LINE_LENGTH, MAX_NESTING_DEPTH } from '../../shared/procedure/limits';

const HEADER = '---\nname: Limits\ntrigger: Always.\n---\n';

/** `levels` nested `If …:` headers, each two spaces deeper, with an item at the bottom. */
function nestedIfs(levels: number): string {
  const lines = Array.from({ length: levels }, (_, level) => `${'  '.repeat(level)}If the level is ${level}:`);
  return `${HEADER}## Deep\n${lines.join('\n')}\n${'  '.repeat(levels)}- Say "bottom".\n`;
}

describe('nesting depth', () => {
  for (const levels of [1_100, 2_000]) {
    it(`${levels} nested If: one clear error where the limit is passed, nothing lost, and print round-trips`, () => {
      const text = nestedIfs(levels);
      const { document, diagnostics } = parse(text);
      expect(diagnostics.map((d) => d.code)).not.toContain('internal');
      const deep = diagnostics.filter((d) => d.code === 'nesting-too-deep');
      expect(deep).toHaveLength(1);
      // Step heading on line 5, the If of level k on line 6 + k: the body of level 31 (depth 32) is
      // fine, and the header of level 32 opens depth 33, so the header of level 33 is the first line
      // past the limit.
      const firstTooDeep = MAX_NESTING_DEPTH + 1;
      expect(deep[0]!.severity).toBe('error');
      expect(deep[0]!.span.start).toMatchObject({ line: 6 + firstTooDeep, column: 2 * firstTooDeep + 1 });
      expect(deep[0]!.message).toMatch(/nested more than 32 levels deep/);
      expect(document.steps).toHaveLength(1);

      const printed = print(document);
      // Every header and the bottom item survive as text.
      for (const level of [0, firstTooDeep - 1, firstTooDeep, levels - 1]) expect(printed).toContain(`If the level is ${level}:`);
      expect(printed).toContain('- Say "bottom".');
      expect(print(parse(printed).document)).toBe(printed);
    });
  }

  it('32 levels are fine, 33 are reported', () => {
    const items = (levels: number) => `${HEADER}## Step\n${Array.from({ length: levels }, (_, level) => `${'  '.repeat(level)}- Level ${level}.`).join('\n')}\n`;
    expect(parse(items(MAX_NESTING_DEPTH + 1)).diagnostics).toEqual([]);
    const over = parse(items(MAX_NESTING_DEPTH + 2)).diagnostics;
    expect(over.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([['nesting-too-deep', 6 + MAX_NESTING_DEPTH + 1, 2 * (MAX_NESTING_DEPTH + 1) + 1]]);
  });

  it('print handles a tree far deeper than the parser builds without overflowing the stack', () => {
    // Built by hand: 5,000 levels of conditions, each branch holding the next one.
    const span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
    let inner: Block = { kind: 'paragraph', bullet: true, blankBefore: false, lines: [{ text: 'Say "bottom".', span, refs: [] }], children: [], span };
    const depth = 5_000;
    for (let level = depth - 1; level >= 0; level--) {
      const test = { kind: 'plain' as const, text: `level ${level}`, refs: [], span };
      const condition: Condition = { kind: 'condition', bullet: level > 0, blankBefore: false, branches: [{ kind: 'if', test, headerSpan: span, body: [inner], blankBefore: false, span }], span };
      inner = condition;
    }
    const document: ProcedureDocument = { kind: 'document', frontMatter: null, preamble: [], steps: [{ kind: 'step', title: 'Deep', id: 'step:deep', titleSpan: span, body: [inner], span }], span };
    const lines = print(document).split('\n');
    expect(lines).toHaveLength(depth + 3);
    expect(lines[1]).toBe('If level 0:');
    expect(lines[2]).toBe('  - If level 1:');
    expect(lines[depth + 1]).toBe(`${'  '.repeat(depth)}- Say "bottom".`);
  });
});

describe('line length', () => {
  it(`a line over ${MAX_LINE_LENGTH.toLocaleString('en-US')} characters is an error at the column where it goes over, and is kept whole`, () => {
    const long = `Ask for {x} ${'and more '.repeat(2_000)}.`;
    const text = `${HEADER}## Step\nFirst line.\n${long}\n`;
    const { document, diagnostics } = parse(text);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', code: 'line-too-long' });
    expect(diagnostics[0]!.span.start).toMatchObject({ line: 7, column: MAX_LINE_LENGTH + 1 });
    expect(diagnostics[0]!.span.end).toMatchObject({ line: 7, column: long.length + 1 });
    expect(print(document)).toContain(long);
  });

  it(`exactly ${MAX_LINE_LENGTH.toLocaleString('en-US')} characters is fine`, () => {
    const line = `Say ${'a'.repeat(MAX_LINE_LENGTH - 5)}.`;
    expect(line).toHaveLength(MAX_LINE_LENGTH);
    expect(parse(`${HEADER}## Step\n${line}\n`).diagnostics).toEqual([]);
  });
});

/**
 * Best of a few runs of each text, in milliseconds, the runs interleaved so that a burst of load
 * from elsewhere on the machine hits both sizes alike; the best run is the least disturbed.
 */
function bestTimes(texts: string[], runs = 5): number[] {
  const best = texts.map(() => Infinity);
  for (let run = 0; run < runs; run++) {
    texts.forEach((text, index) => {
      const start = performance.now();
      parse(text);
      best[index] = Math.min(best[index]!, performance.now() - start);
    });
  }
  return best;
}

describe('parse time grows linearly with the input', () => {
  // Each shape is measured at about 400 KB and 1.6 MB, on one line. Linear parsing gives a ratio of
  // 4 at most; the old parser, which tested the whole text before every reference, gave 13 to 23.
  // A bound of 9 leaves room for a busy machine and still fails for quadratic growth.
  const shapes: Record<string, (n: number) => string> = {
    'one line of references': (n) => `${HEADER}## Step\n${'word {x} '.repeat(n)}\n`,
    'one collected list': (n) => `${HEADER}## Step\nAsk and collect ${'{a}, '.repeat(n)}{b}.\n`,
    'one line of step links': (n) => `${HEADER}## Step\n${'Go to [[#Step]]. '.repeat(n)}\n`,
    'one line of directives': (n) => `${HEADER}## Step\n${'Then @end and @tag x. '.repeat(n)}\n`,
    'unclosed links and code spans': (n) => `${HEADER}## Step\n${'[[a ``b `c` @switch [[d '.repeat(n)}\n`,
  };
  for (const [shape, make] of Object.entries(shapes)) {
    it(shape, () => {
      const n = Math.ceil(400_000 / make(1).length);
      const [small, large] = bestTimes([make(n), make(4 * n)]) as [number, number];
      // Below a few milliseconds the timer, the JIT and the garbage collector dominate: compare
      // against a floor (the old parser took 19 ms and more at the smaller size).
      expect(large / Math.max(small, 5), `${small.toFixed(1)} ms, then ${large.toFixed(1)} ms`).toBeLessThan(9);
    });
  }
});
