// Node ids in the Procedure's own words, for the command line and the author model: a step by its
// title, a branch by its step and its test in words (a Python test too complex for words as code),
// the id only on request, and an id the text does not know left as the id, never dropped.
import { describe, expect, it } from 'vitest';
import { procedureNodeWords, sayNode, traceSayers, wordsOfTexts } from '../../main/simulations/node-words';

const CLAIM = `---
name: Damaged order claim
trigger: The customer says an item arrived damaged.
attributes:
  days_since_delivery: integer
  preferred_resolution: string
---

## Find the order
Look the order up with @shop.get_order.

## Check the claim window
If \`attributes["days_since_delivery"] <= 30\`:
  - Continue to the next step.
If \`len([x for x in attributes]) > 3\`:
  - @handoff Claims team
Otherwise:
  - @handoff Claims team

## Understand the damage
If the customer describes a safety hazard:
  - @handoff Safety team
Ask which they prefer.
If \`attributes["preferred_resolution"] == "refund"\`:
  - Say it is on its way.

## Wrap up
Say goodbye. @end
`;

const VERIFY = `---
name: Verify identity
trigger: Used by other Procedures.
---

## Ask for the email
Ask for their email address. @end
`;

describe('procedureNodeWords', () => {
  const words = procedureNodeWords(CLAIM);

  it('says a step by its title and a Python branch by its step and its test in words', () => {
    expect(words.get('step:find-the-order')).toBe('“Find the order”');
    expect(words.get('step:check-the-claim-window/cond1/b1')).toBe('“Check the claim window” → days since delivery ≤ 30');
    expect(words.get('step:check-the-claim-window/cond2/b2')).toBe('“Check the claim window” → Otherwise');
    expect(words.get('step:find-the-order/action:shop.get_order')).toBe('@shop.get_order in “Find the order”');
  });

  it('keeps a test too complex for words as its code, and a plain test as written', () => {
    expect(words.get('step:check-the-claim-window/cond2/b1')).toBe('“Check the claim window” → `len([x for x in attributes]) > 3`');
    expect(words.get('step:understand-the-damage/cond1/b1')).toBe('“Understand the damage” → the customer describes a safety hazard');
  });

  it('names a second condition of a step by its place', () => {
    expect(words.get('step:understand-the-damage/cond1')).toBe('the condition in “Understand the damage”');
    expect(words.get('step:understand-the-damage/cond2')).toBe('the condition 2 in “Understand the damage”');
    expect(words.get('step:understand-the-damage/cond2/b1')).toBe('“Understand the damage” → preferred resolution is “refund”');
  });

  it('gives a text with no steps no step words, so its ids stay ids', () => {
    const broken = procedureNodeWords('---\nname: [broken\n---\n');
    expect(sayNode(broken, 'step:find-the-order')).toBe('step:find-the-order');
  });
});

describe('sayNode', () => {
  const words = procedureNodeWords(CLAIM);
  it('says the words, the id after them only when asked, and an unknown id as it is', () => {
    expect(sayNode(words, 'step:wrap-up')).toBe('“Wrap up”');
    expect(sayNode(words, 'step:wrap-up', { withId: true })).toBe('“Wrap up” [step:wrap-up]');
    expect(sayNode(words, 'step:gone')).toBe('step:gone');
    expect(sayNode(undefined, 'step:wrap-up')).toBe('step:wrap-up');
  });
});

describe('traceSayers', () => {
  it('says each event\'s ids in the words of the Procedure it happened in', () => {
    const words = wordsOfTexts({ 'Damaged order claim': CLAIM, 'Verify identity': VERIFY });
    const trace = [
      { type: 'procedure_start', payload: { procedure: 'Damaged order claim' } },
      { type: 'step_enter', payload: {} },
      { type: 'procedure_start', payload: { procedure: 'Verify identity' } },
      { type: 'step_enter', payload: {} },
      { type: 'procedure_end', payload: { procedure: 'Verify identity' } },
      { type: 'step_enter', payload: {} },
    ];
    const says = traceSayers(trace, words);
    expect(says[1]!('step:find-the-order')).toBe('“Find the order”');
    expect(says[3]!('step:ask-for-the-email')).toBe('“Ask for the email”');
    expect(says[3]!('step:find-the-order')).toBe('step:find-the-order'); // not a step of the sub-procedure
    expect(says[5]!('step:wrap-up')).toBe('“Wrap up”');
  });
});
