// The pure decisions behind fewer model calls (issue 14): the trigger match that routes without a
// call, which read-only actions the runtime calls itself, and when a reply bundled with other
// calls is held back. No model server, sandbox or SQLite.
import { describe, expect, it } from 'vitest';
import { eagerCalls, inputFromAttributes } from '../../../main/runtime/eager-actions';
import { matchTrigger } from '../../../main/runtime/trigger-match';
import { replyHold, unseenDecisions, unseenInputs } from '../../../main/runtime/turn-rules';
import type { ActionInfo, TraceEvent } from '../../../main/runtime/types';
import { conversation, frame, procedure } from './support';

const SHOP = [
  { name: 'Damaged order claim', trigger: 'The customer says an item in their order arrived damaged, broken or not working, and wants something done about it.' },
  { name: 'Refund request', trigger: 'The customer wants their money back for an order or an item they no longer want, or asks how to return something for a refund.' },
  { name: 'Password reset', trigger: "The customer can't sign in: they forgot their password, their account is locked after too many attempts, or the reset email never arrived." },
  { name: 'Cancel subscription', trigger: 'The customer wants to cancel their membership or subscription, stop being charged, or turn off automatic renewal.' },
];

describe('the trigger match', () => {
  it('routes a message that clearly matches one trigger', () => {
    expect(matchTrigger(SHOP, 'Hi, my kettle arrived broken. Order 1043.')).toMatchObject({ kind: 'clear', procedure: 'Damaged order claim' });
    expect(matchTrigger(SHOP, 'I forgot my password')).toMatchObject({ kind: 'clear', procedure: 'Password reset' });
    expect(matchTrigger(SHOP, 'Please cancel my subscription')).toMatchObject({ kind: 'clear', procedure: 'Cancel subscription' });
    expect(matchTrigger(SHOP, 'I want my money back for order 1043')).toMatchObject({ kind: 'clear', procedure: 'Refund request' });
  });

  it('leaves the choice to the routing call when two triggers match alike', () => {
    const match = matchTrigger(SHOP, 'My kettle arrived broken and I want my money back');
    expect(match).toMatchObject({ kind: 'unclear', reason: expect.stringContaining('match alike') });
  });

  it('never routes on words many triggers share, on a greeting, or on words of no trigger', () => {
    // "order" and "arrived" belong to two triggers each: not enough to tell.
    expect(matchTrigger(SHOP, 'The order arrived')).toMatchObject({ kind: 'unclear', reason: 'no trigger matches clearly' });
    expect(matchTrigger(SHOP, 'Hello!')).toMatchObject({ kind: 'unclear' });
    expect(matchTrigger(SHOP, 'What are your opening hours?')).toMatchObject({ kind: 'unclear' });
    expect(matchTrigger(SHOP, 'Where is my order?')).toMatchObject({ kind: 'unclear' });
  });

  it('with no live Procedure there is nothing to match', () => {
    expect(matchTrigger([], 'My kettle arrived broken')).toMatchObject({ kind: 'unclear', best: null });
  });
});

const describeShop =
  (extra: Record<string, Partial<ActionInfo>> = {}) =>
  (action: string): ActionInfo | undefined => {
    const base: Record<string, ActionInfo> = {
      'shop.get_order': { name: 'shop.get_order', description: 'Look up', inputSchema: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] }, confirm: false, readOnly: true },
      'payments.create_refund': { name: 'payments.create_refund', description: 'Refund', inputSchema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] }, confirm: true },
      'accounts.send_code': { name: 'accounts.send_code', description: 'Send', inputSchema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] }, confirm: false },
    };
    return base[action] ? { ...base[action]!, ...extra[action] } : undefined;
  };

describe('which read-only actions the runtime calls itself', () => {
  it('the step’s read-only action once its input is known, with the attribute of the same name', () => {
    const state = conversation({ attributes: { order_number: '1043' } });
    expect(eagerCalls(state, procedure('Refund request'), describeShop())).toEqual([{ action: 'shop.get_order', input: { order_number: '1043' } }]);
  });

  it('none while an input is missing, or once it ran with this input; again for a new one', () => {
    expect(eagerCalls(conversation(), procedure('Refund request'), describeShop())).toEqual([]);
    const ran = { ...conversation({ attributes: { order_number: '1043' } }), actionInputs: { 'shop.get_order': JSON.stringify({ order_number: '1043' }) } };
    expect(eagerCalls(ran, procedure('Refund request'), describeShop())).toEqual([]);
    const corrected = { ...ran, attributes: { order_number: { value: '1044', source: 'customer' as const, turn: 1 } } };
    expect(eagerCalls(corrected, procedure('Refund request'), describeShop())).toEqual([{ action: 'shop.get_order', input: { order_number: '1044' } }]);
  });

  it('never a side-effecting action, nor one that needs agreement even if it claims to be read-only', () => {
    const sending = conversation({ stack: [frame('Verify identity', 'step:send-a-code', 'sub')], attributes: { email: 'sam@example.com' } });
    expect(eagerCalls(sending, procedure('Verify identity'), describeShop())).toEqual([]);
    const confirm = describeShop({ 'shop.get_order': { confirm: true } });
    expect(eagerCalls(conversation({ attributes: { order_number: '1043' } }), procedure('Refund request'), confirm)).toEqual([]);
  });

  it('not an action of a branch the runtime has not taken', () => {
    // At "Refund", @payments.create_refund sits in the Otherwise branch of a Python condition.
    const readOnlyRefund = describeShop({ 'payments.create_refund': { confirm: false, readOnly: true } });
    const state = conversation({ stack: [frame('Refund request', 'step:refund')], attributes: { amount: 20 } });
    expect(eagerCalls(state, procedure('Refund request'), readOnlyRefund)).toEqual([]);
    const taken = conversation({ stack: [{ ...frame('Refund request', 'step:refund'), decided: { 'step:refund/cond1': 'step:refund/cond1/b2' } }], attributes: { amount: 20 } });
    expect(eagerCalls(taken, procedure('Refund request'), readOnlyRefund)).toEqual([{ action: 'payments.create_refund', input: { amount: 20 } }]);
  });

  it('builds the input only from attributes named like its properties', () => {
    const state = conversation({ attributes: { order_number: '1043', email: 'a@b.c' } });
    expect(inputFromAttributes({ type: 'object', properties: { order_number: {}, note: {} }, required: ['order_number'] }, state)).toEqual({ order_number: '1043' });
    expect(inputFromAttributes({ type: 'object', properties: { code: {} }, required: ['code'] }, state)).toBeNull();
    expect(inputFromAttributes({ type: 'object', properties: { code: {} } }, state)).toBeNull();
    expect(inputFromAttributes({ type: 'object' }, state)).toEqual({});
  });
});

describe('a reply bundled with other calls', () => {
  const none = { errors: [], decisions: [], newObligations: [], pending: false };

  it('goes out when nothing unseen happened', () => {
    expect(replyHold(none)).toBeNull();
  });

  it('is held when a call failed, a gate was decided on unseen input, or a requirement appeared', () => {
    expect(replyHold({ ...none, errors: ['go_to_step failed'] })).toEqual([expect.stringContaining('go_to_step failed')]);
    expect(replyHold({ ...none, decisions: ['step:x/cond1', 'step:x/cond1'] })).toEqual(['the runtime decided step:x/cond1 after you wrote it']);
    const handoff = { kind: 'handoff' as const, target: 'Claims team', nodeId: 'step:x/handoff:claims-team' };
    expect(replyHold({ ...none, newObligations: [handoff], pending: true })).toEqual(['the Procedure now requires a handoff to Claims team']);
    // Already made in the same response (the model handed off itself): nothing to hold for.
    expect(replyHold({ ...none, newObligations: [handoff], pending: false })).toBeNull();
  });

  it('counts only gates decided where the conversation stands, on inputs the model had not seen', () => {
    const events: TraceEvent[] = [
      { type: 'attribute_set', stepId: 'step:check', payload: { name: 'days', value: 85, source: 'code' } },
      { type: 'code_run', stepId: 'step:check', payload: { nodeId: 'step:check/code1', ok: true } },
      { type: 'condition', stepId: 'step:check', payload: { nodeId: 'step:check/cond1', kind: 'python', result: false } },
      { type: 'condition', stepId: 'step:check', payload: { nodeId: 'step:check/cond2', kind: 'plain' } },
    ];
    const inputs = new Set(unseenInputs(events, {}, { 'shop.get_order': { delivered_on: 'x' } }));
    expect([...inputs]).toEqual(['data:shop.get_order', 'attribute:days']);
    const readers = new Map([
      ['data:shop.get_order', ['step:check/code1']],
      ['attribute:days', ['step:check/cond1']],
      ['attribute:age', ['step:check/cond2']],
    ]);
    expect(unseenDecisions(events, 'step:check', inputs, readers)).toEqual(['step:check/code1', 'step:check/cond1']);
    // Passed on the way to where the model asked to go.
    expect(unseenDecisions(events, 'step:next', inputs, readers)).toEqual([]);
    // Decided on what the model itself had said.
    expect(unseenDecisions(events, 'step:check', new Set(['attribute:age']), readers)).toEqual([]);
  });
});
