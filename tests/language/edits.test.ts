// Each graph edit returns new text that changes only the lines it concerns.
import { describe, expect, it } from 'vitest';
import { addBranch, deleteStep, insertStepAfter, moveStep, parse, print, removeBranch, renameStep, type EditResult } from '../../shared/procedure';
import { readExample } from '../support/paths';

const damaged = readExample('damaged-order.md');
const verify = readExample('verify-identity.md');

function ok(result: EditResult): { text: string; edits: { startLine: number; endLine: number; lines: string[] }[] } {
  if (!result.ok) throw new Error(result.error);
  return result;
}

/** Lines removed from and added to `before`, by a plain LCS diff that knows nothing of the edit. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  const removed: string[] = [];
  const added: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || table[i]![j + 1]! >= table[i + 1]![j]!)) added.push(b[j++]!);
    else removed.push(a[i++]!);
  }
  return { removed, added };
}

const stepTitles = (text: string) => parse(text).document.steps.map((step) => step.title);
const isCanonical = (text: string) => print(parse(text).document) === text;

describe('insertStepAfter', () => {
  it('adds a step after another, touching no other line', () => {
    const result = ok(insertStepAfter(damaged, 'step:understand-the-damage', 'Apologise', ['Say sorry for the trouble.']));
    expect(stepTitles(result.text)).toEqual(['Find the order', 'Check the claim window', 'Understand the damage', 'Apologise', 'Resolve', 'Wrap up']);
    expect(lineDiff(damaged, result.text)).toEqual({ removed: [], added: ['## Apologise', 'Say sorry for the trouble.', ''] });
    expect(isCanonical(result.text)).toBe(true);
  });

  it('adds a step at the end and at the start', () => {
    const atEnd = ok(insertStepAfter(damaged, 'step:wrap-up', 'Survey'));
    expect(stepTitles(atEnd.text).at(-1)).toBe('Survey');
    expect(atEnd.text.endsWith('@end\n\n## Survey\n')).toBe(true);
    expect(isCanonical(atEnd.text)).toBe(true);
    const atStart = ok(insertStepAfter(damaged, null, 'Greet'));
    expect(stepTitles(atStart.text)[0]).toBe('Greet');
    expect(lineDiff(damaged, atStart.text).removed).toEqual([]);
    expect(isCanonical(atStart.text)).toBe(true);
  });

  it('returns the line edit so an editor can apply it as one undoable change', () => {
    const result = ok(insertStepAfter(damaged, 'step:find-the-order', 'Apologise'));
    expect(result.edits).toEqual([{ startLine: 28, endLine: 28, lines: ['## Apologise', ''] }]);
  });

  it('refuses an unknown step or an empty title', () => {
    expect(insertStepAfter(damaged, 'step:nope', 'X')).toEqual({ ok: false, error: 'There is no step with id step:nope.' });
    expect(insertStepAfter(damaged, 'step:resolve', '  ').ok).toBe(false);
    expect(insertStepAfter(damaged, 'step:resolve', 'a\nb').ok).toBe(false);
  });
});

describe('deleteStep', () => {
  it('removes the step and its trailing blank line only', () => {
    const result = ok(deleteStep(damaged, 'step:understand-the-damage'));
    expect(stepTitles(result.text)).toEqual(['Find the order', 'Check the claim window', 'Resolve', 'Wrap up']);
    const diff = lineDiff(damaged, result.text);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([
      '## Understand the damage',
      'Ask what is damaged and collect {damage_description}. Ask for a photo if they have one.',
      'If the customer describes a safety hazard such as smoke, sparks or broken glass:',
      '  - Tell them to stop using the item right away.',
      '  - @handoff Safety team',
      '',
    ]);
    expect(isCanonical(result.text)).toBe(true);
  });

  it('removes the last step without leaving a trailing blank line', () => {
    const result = ok(deleteStep(damaged, 'step:wrap-up'));
    expect(result.text.endsWith('give them the new order number.\n')).toBe(true);
    expect(isCanonical(result.text)).toBe(true);
  });
});

describe('renameStep', () => {
  it('changes the heading and the links to the step, nothing else', () => {
    const result = ok(renameStep(verify, 'step:check-the-code', 'Check the one-time code'));
    expect(lineDiff(verify, result.text)).toEqual({
      removed: ['## Check the code', "  - Tell them the code didn't match and let them try again. Go back to [[#Check the code]]."],
      added: ['## Check the one-time code', "  - Tell them the code didn't match and let them try again. Go back to [[#Check the one-time code]]."],
    });
    const reparsed = parse(result.text);
    expect(reparsed.document.steps[1]!.id).toBe('step:check-the-one-time-code');
  });
});

describe('moveStep', () => {
  it('moves a step before another', () => {
    const result = ok(moveStep(damaged, 'step:resolve', 'step:check-the-claim-window'));
    expect(stepTitles(result.text)).toEqual(['Find the order', 'Resolve', 'Check the claim window', 'Understand the damage', 'Wrap up']);
    expect(isCanonical(result.text)).toBe(true);
    // Only the moved step's lines (and its separating blank line) move.
    const diff = lineDiff(damaged, result.text);
    const resolveLines = damaged.split('\n').slice(45, 58);
    expect(diff.removed.filter((line) => line !== '').every((line) => resolveLines.includes(line))).toBe(true);
    expect(diff.added.filter((line) => line !== '').every((line) => resolveLines.includes(line))).toBe(true);
  });

  it('moves the last step to the front, and the first step to the end', () => {
    const toFront = ok(moveStep(damaged, 'step:wrap-up', 'step:find-the-order'));
    expect(stepTitles(toFront.text)).toEqual(['Wrap up', 'Find the order', 'Check the claim window', 'Understand the damage', 'Resolve']);
    expect(isCanonical(toFront.text)).toBe(true);
    const toEnd = ok(moveStep(damaged, 'step:find-the-order', null));
    expect(stepTitles(toEnd.text)).toEqual(['Check the claim window', 'Understand the damage', 'Resolve', 'Wrap up', 'Find the order']);
    expect(isCanonical(toEnd.text)).toBe(true);
  });

  it('leaves the text alone when the step is already there', () => {
    expect(ok(moveStep(damaged, 'step:resolve', 'step:wrap-up')).text).toBe(damaged);
    expect(ok(moveStep(damaged, 'step:wrap-up', null)).text).toBe(damaged);
  });
});

describe('addBranch', () => {
  it('adds "Otherwise, if" before an existing Otherwise', () => {
    const result = ok(addBranch(damaged, 'step:check-the-claim-window/cond1', 'the customer is a VIP member', ['Approve the claim anyway.']));
    expect(lineDiff(damaged, result.text)).toEqual({ removed: [], added: ['Otherwise, if the customer is a VIP member:', '  - Approve the claim anyway.'] });
    const condition = parse(result.text).document.steps[1]!.body[1]!;
    expect(condition.kind === 'condition' && condition.branches.map((b) => b.kind)).toEqual(['if', 'elseif', 'else']);
    expect(isCanonical(result.text)).toBe(true);
  });

  it('adds an Otherwise at the end of a condition that has none', () => {
    const result = ok(addBranch(damaged, 'step:understand-the-damage/cond1', null, ['Carry on with the claim.']));
    expect(lineDiff(damaged, result.text)).toEqual({ removed: [], added: ['Otherwise:', '  - Carry on with the claim.'] });
    expect(isCanonical(result.text)).toBe(true);
  });

  it('keeps the bullet and indentation of a nested condition', () => {
    const text = readExample('cancel-subscription.md');
    const result = ok(addBranch(text, 'step:retention-offer/cond2', 'the customer wants to think about it', ['Give them a week to decide.']));
    expect(lineDiff(text, result.text).added).toEqual(['  - Otherwise, if the customer wants to think about it:', '    - Give them a week to decide.']);
    expect(isCanonical(result.text)).toBe(true);
  });

  it('refuses a second Otherwise and an unknown condition', () => {
    expect(addBranch(damaged, 'step:check-the-claim-window/cond1', null)).toEqual({ ok: false, error: 'This condition already has an "Otherwise:" branch.' });
    expect(addBranch(damaged, 'step:resolve/cond9', 'x').ok).toBe(false);
  });
});

describe('removeBranch', () => {
  it('removes a middle branch', () => {
    const result = ok(removeBranch(verify, 'step:check-the-code/cond1/b2'));
    expect(lineDiff(verify, result.text)).toEqual({
      removed: ['Otherwise, if the customer has tried three times:', "  - Explain that you can't verify them here. @handoff Trust and safety"],
      added: [],
    });
  });

  it('promotes the next test when the first branch goes', () => {
    const result = ok(removeBranch(verify, 'step:check-the-code/cond1/b1'));
    const diff = lineDiff(verify, result.text);
    expect(diff.added).toEqual(['If the customer has tried three times:']);
    expect(diff.removed).toContain('Otherwise, if the customer has tried three times:');
    expect(diff.removed).toContain('If `data["accounts.check_code"]["valid"]`:');
    expect(parse(result.text).diagnostics).toEqual([]);
  });

  it('removes the whole condition with its only branch', () => {
    const result = ok(removeBranch(damaged, 'step:understand-the-damage/cond1/b1'));
    expect(lineDiff(damaged, result.text).removed).toEqual([
      'If the customer describes a safety hazard such as smoke, sparks or broken glass:',
      '  - Tell them to stop using the item right away.',
      '  - @handoff Safety team',
    ]);
  });

  it('refuses to leave an Otherwise with no test before it', () => {
    const result = removeBranch(damaged, 'step:check-the-claim-window/cond1/b1');
    expect(result.ok).toBe(false);
  });
});
