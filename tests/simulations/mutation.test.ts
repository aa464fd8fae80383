// The mutation operators (main/simulations/mutation.ts), one by one: each mutant parses, validates
// against the workspace's actions and teams (or is named as invalid), and differs from the original
// exactly where the operator says, nowhere else.
import { describe, expect, it } from 'vitest';
import { parse, toGraph, type ValidationContext } from '../../shared/procedure';
import { applyEdits, mutantErrors, mutants, pythonComparisons, type Mutant, type MutationOperator } from '../../main/simulations/mutation';

const RETURNS = `---
name: Returns
trigger: The customer wants to return an item.
attributes:
  days:
    type: number
---

## Check
Look the order up with @shop.get_order.
\`\`\`python
label = "a < b" if data["shop.get_order"]["status"] == "late" else "a >= b"  # x > y
attributes["days"] = 40
\`\`\`
If \`attributes["days"] <= 30\`:
  - Accept the return.
Otherwise:
  - Explain that the window has closed.
  - @handoff Claims team

## Reason
If the customer says the item is broken:
  - Apologise. @handoff Safety team
Otherwise, if the customer changed their mind:
  - Issue the refund with @payments.create_refund.

## Wrap up
Thank them. @end
`;

const CONTEXT: ValidationContext = { procedures: { Returns: { calls: [] } }, connectors: { shop: { actions: ['get_order'] }, payments: { actions: ['create_refund'] } }, teams: ['Claims team', 'Safety team'] };

const all = mutants(RETURNS);
const of = (operator: MutationOperator) => all.filter((mutant) => mutant.operator === operator);

/** The mutant's text is the original with its edits, and nothing outside them moved. */
function expectOnlyEdited(mutant: Mutant): void {
  expect(mutant.text).not.toBe(RETURNS);
  expect(mutant.text).toBe(applyEdits(RETURNS, mutant.edits));
  const first = Math.min(...mutant.edits.map((edit) => edit.start));
  const last = Math.max(...mutant.edits.map((edit) => edit.end));
  expect(mutant.text.slice(0, first)).toBe(RETURNS.slice(0, first));
  expect(mutant.text.slice(mutant.text.length - (RETURNS.length - last))).toBe(RETURNS.slice(last));
}

function expectParsesAndValidates(mutant: Mutant): void {
  expect(parse(mutant.text).diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  expect(mutantErrors(RETURNS, mutant.text, CONTEXT)).toEqual([]);
}

describe('mutation operators', () => {
  it('the original is valid, and every mutant has a distinct id and a line', () => {
    expect(mutantErrors(RETURNS, RETURNS, CONTEXT)).toEqual([]);
    expect(new Set(all.map((mutant) => mutant.id)).size).toBe(all.length);
    expect(all.map((mutant) => mutant.operator)).toEqual(['flip-comparison', 'flip-comparison', 'swap-branches', 'swap-branches', 'drop-action', 'drop-handoff', 'drop-handoff', 'drop-action', 'drop-end', 'negate-condition', 'negate-condition']);
  });

  it('flip-comparison negates one comparison, in the code or the condition, never inside a string or a comment', () => {
    const [code, condition] = of('flip-comparison');
    expect(code!.edits).toHaveLength(1);
    expect(RETURNS.slice(code!.edits[0]!.start, code!.edits[0]!.end)).toBe('==');
    expect(code!.edits[0]!.replacement).toBe('!=');
    expect(code!.text).toContain('"a < b" if data["shop.get_order"]["status"] != "late" else "a >= b"  # x > y');
    expect(RETURNS.slice(condition!.edits[0]!.start, condition!.edits[0]!.end)).toBe('<=');
    expect(condition!.text).toContain('If `attributes["days"] > 30`:');
    expect(condition!.branchId).toBe('step:check/cond1/b1');
    for (const mutant of [code!, condition!]) {
      expectOnlyEdited(mutant);
      expectParsesAndValidates(mutant);
    }
  });

  it('pythonComparisons finds each operator with its place, and skips strings, comments, shifts, arrows and assignments', () => {
    expect(pythonComparisons('a == 1 and b != 2\nc <= d or e >= f\ng < h > i')).toEqual([
      { operator: '==', line: 0, column: 2 },
      { operator: '!=', line: 0, column: 13 },
      { operator: '<=', line: 1, column: 2 },
      { operator: '>=', line: 1, column: 12 },
      { operator: '<', line: 2, column: 2 },
      { operator: '>', line: 2, column: 6 },
    ]);
    expect(pythonComparisons('x = "a < b" + \'c == d\'  # e > f\ny = 1 << 2 >> 3\ndef f() -> int: pass\n"""x < y\nz > w"""')).toEqual([]);
  });

  it('swap-branches exchanges the bodies of a condition\'s first two branches and leaves their headers', () => {
    const [window, reason] = of('swap-branches');
    expect(window!.text).toContain('If `attributes["days"] <= 30`:\n  - Explain that the window has closed.\n  - @handoff Claims team\nOtherwise:\n  - Accept the return.\n');
    expect(reason!.text).toContain('If the customer says the item is broken:\n  - Issue the refund with @payments.create_refund.\nOtherwise, if the customer changed their mind:\n  - Apologise. @handoff Safety team\n');
    for (const mutant of [window!, reason!]) {
      expect(mutant.edits).toHaveLength(2);
      expectOnlyEdited(mutant);
      expectParsesAndValidates(mutant);
      // The same graph: the same steps, conditions and branches, only what each branch does moved.
      const ids = (text: string) => toGraph(parse(text).document).nodes.filter((node) => node.kind !== 'handoff' && node.kind !== 'action' && node.kind !== 'end').map((node) => node.id);
      expect(ids(mutant.text)).toEqual(ids(RETURNS));
    }
  });

  it('drop-handoff removes one handoff; a line left empty says "Continue to the next step."', () => {
    const [claims, safety] = of('drop-handoff');
    expect(claims!.text).toContain('  - Explain that the window has closed.\n  - Continue to the next step.\n\n## Reason');
    expect(claims!.branchId).toBe('step:check/cond1/b2');
    expect(safety!.text).toContain('  - Apologise.\nOtherwise, if');
    for (const mutant of [claims!, safety!]) {
      expectOnlyEdited(mutant);
      expectParsesAndValidates(mutant);
      expect(toGraph(parse(mutant.text).document).nodes.filter((node) => node.kind === 'handoff')).toHaveLength(1);
    }
  });

  it('drop-end removes the @end', () => {
    const [end] = of('drop-end');
    expect(end!.text.endsWith('## Wrap up\nThank them.\n')).toBe(true);
    expectOnlyEdited(end!);
    expectParsesAndValidates(end!);
    expect(parse(end!.text).document.steps[2]!.body.flatMap((block) => (block.kind === 'paragraph' ? block.lines.flatMap((line) => line.refs) : []))).toEqual([]);
  });

  it('drop-action removes one connector call', () => {
    const [lookup, refund] = of('drop-action');
    expect(refund!.text).toContain('  - Issue the refund with.\n');
    expect(lookup!.text).toContain('Look the order up with.\n');
    expect(lookup!.branchId).toBeNull();
    expect(lookup!.stepId).toBe('step:check');
    for (const mutant of [lookup!, refund!]) {
      expectOnlyEdited(mutant);
      expectParsesAndValidates(mutant);
      expect(toGraph(parse(mutant.text).document).nodes.filter((node) => node.kind === 'action')).toHaveLength(1);
    }
  });

  it('a mutant that breaks validation is told apart by its new errors, not the original\'s', () => {
    const broken = RETURNS.replace('@payments.create_refund', '@payments.refund_twice');
    expect(mutantErrors(RETURNS, broken, CONTEXT).map((error) => error.message).join(' ')).toMatch(/refund_twice/);
    expect(mutantErrors(broken, broken, CONTEXT)).toEqual([]);
  });

  it('negate-condition turns each plain-language test, if or otherwise-if, into its negation', () => {
    const [broken, mind] = of('negate-condition');
    expect(broken!.text).toContain('If it is not the case that the customer says the item is broken:\n');
    expect(mind!.text).toContain('Otherwise, if it is not the case that the customer changed their mind:\n');
    expect(broken!.branchId).toBe('step:reason/cond1/b1');
    expect(mind!.branchId).toBe('step:reason/cond1/b2');
    for (const mutant of [broken!, mind!]) {
      expectOnlyEdited(mutant);
      expectParsesAndValidates(mutant);
      const branch = parse(mutant.text).document.steps[1]!.body.find((block) => block.kind === 'condition');
      expect(branch?.kind === 'condition' && branch.branches.map((entry) => entry.test?.kind)).toEqual(['plain', 'plain']);
    }
  });

  it('a Procedure with nothing to change has no mutants', () => {
    expect(mutants('---\nname: Hi\ntrigger: Hello.\n---\n\n## Greet\nSay hello.\n')).toEqual([]);
  });
});
