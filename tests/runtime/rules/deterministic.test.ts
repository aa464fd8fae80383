// docs/runtime.md, what the model never decides: Python code steps and conditions run as soon as
// what they read is known, as sandbox effects the loop carries out; the branch Python picks brings
// its obligations. Plain-language conditions are the model's, one at a time. Attribute values are
// checked against their declared types.
import { describe, expect, it } from 'vitest';
import { advance, advanceWith } from '../../../main/runtime/advance';
import { withNotes } from '../../../main/runtime/apply-tool';
import { begin } from '../../../main/runtime/change';
import type { EvaluationRequest, EvaluationResult } from '../../../main/sandbox/types';
import { call, conversation, frame, procedure, types } from './support';

const atRefund = (data: Record<string, unknown> = {}) => conversation({ stack: [frame('Refund request', 'step:refund')], data });
const ok = (result: Partial<Extract<EvaluationResult, { ok: true }>>): EvaluationResult => ({ ok: true, attributeWrites: {}, printed: '', durationMs: 1, ...result });

describe('code steps and Python conditions', () => {
  it('waits, without asking the sandbox, while what the code reads is unknown', () => {
    const change = begin(atRefund(), false);
    const running = advance(change, procedure('Refund request'));
    const first = running.next();
    expect(first.done).toBe(true);
    expect(first.value).toMatchObject({ waitingFor: { missing: ['result of @shop.get_order'] }, obligations: [] });
  });

  it('asks the sandbox for each snippet in order, and follows the branch Python picks to its handoff', () => {
    const requests: EvaluationRequest[] = [];
    const change = begin(atRefund({ 'shop.get_order': { total: 150 } }), false);
    const result = advanceWith(change, procedure('Refund request'), (request) => {
      requests.push(request);
      return request.mode === 'code' ? ok({ attributeWrites: { amount: 150 } }) : ok({ value: request.attributes.amount === 150 });
    });
    expect(requests.map((r) => r.mode)).toEqual(['code', 'condition']);
    expect(requests[0]!.data).toEqual({ 'shop.get_order': { total: 150 } });
    expect(requests[0]!.clock).toEqual({ now: '2026-11-25T10:00:00.000Z' });
    // The condition sees what the code step wrote.
    expect(requests[1]!.attributes).toEqual({ amount: 150 });
    expect(change.state.attributes.amount).toMatchObject({ value: 150, source: 'code' });
    expect(result.obligations).toEqual([{ kind: 'handoff', target: 'Billing team', nodeId: expect.any(String), chosenBy: { condition: 'step:refund/cond1', branch: 'step:refund/cond1/b1' } }]);
    expect(change.progressed).toBe(true);
    expect(types(change.events)).toEqual(['attribute_set', 'code_run', 'condition']);
  });

  it('runs a snippet once: a second pass over the step asks nothing', () => {
    const change = begin(atRefund({ 'shop.get_order': { total: 20 } }), false);
    advanceWith(change, procedure('Refund request'), (request) => (request.mode === 'code' ? ok({ attributeWrites: { amount: 20 } }) : ok({ value: false })));
    const again = advanceWith(change, procedure('Refund request'), () => {
      throw new Error('evaluated twice');
    });
    expect(again.obligations).toEqual([]);
    expect(again.failed).toBeNull();
  });

  it('stops at a failing code step and tells the model, who must see it', () => {
    const change = begin(atRefund({ 'shop.get_order': {} }), false);
    const after = advanceWith(change, procedure('Refund request'), (): EvaluationResult => ({ ok: false, error: { kind: 'runtime', message: "'total'", line: 1 }, printed: '', durationMs: 1 }));
    expect(after.failed).toMatchObject({ message: "'total' (line 1)" });
    expect(withNotes({ content: 'Now at step "Refund".', followUp: false }, after, { separator: ' ', followUp: 'from-notes' })).toMatchObject({ followUp: true, content: expect.stringContaining('failed') });
  });
});

describe('plain-language conditions', () => {
  it('takes only the condition the step waits on, and only one of its branches', () => {
    const state = conversation({ stack: [frame('Refund request', 'step:understand-the-reason')] });
    const awaiting = advanceWith(begin(state, false), procedure('Refund request'), () => {
      throw new Error('no Python here');
    }).awaitingDecision!;
    expect(awaiting.branches.map((b) => b.id).at(-1)).toBe('none');
    expect(call('decide_condition', { condition_id: awaiting.conditionId, branch_id: 'none', reason: 'r' }, state).outcome!.content).toMatch(/^No plain-language condition is waiting/);
    expect(call('decide_condition', { condition_id: 'other', branch_id: 'none', reason: 'r' }, state, { awaiting }).outcome!.content).toBe(`Only ${awaiting.conditionId} is waiting for a decision in this step.`);
    expect(call('decide_condition', { condition_id: awaiting.conditionId, branch_id: 'maybe', reason: 'r' }, state, { awaiting }).outcome!.isError).toBe(true);
    const decided = call('decide_condition', { condition_id: awaiting.conditionId, branch_id: awaiting.branches[0]!.id, reason: 'It arrived broken.' }, state, { awaiting });
    expect(decided.state.stack[0]!.decided[awaiting.conditionId]).toBe(awaiting.branches[0]!.id);
    expect(decided.events[0]).toMatchObject({ type: 'condition', payload: { kind: 'plain', reason: 'It arrived broken.' } });
    expect(decided.effect).toMatchObject({ kind: 'advance' });
  });
});

describe('attributes', () => {
  it('records declared attributes of the right type and refuses the rest, naming the problem', () => {
    const decision = call('set_attributes', { values: { order_number: 1043, amount: 'ten', colour: 'red', reason: 'broken' } }, conversation());
    expect(Object.keys(decision.state.attributes)).toEqual(['reason']);
    expect(decision.outcome!.isError).toBe(true);
    expect(decision.outcome!.content).toContain('order_number must be text; got number 1043');
    expect(decision.outcome!.content).toContain('amount must be a number (not text)');
    expect(decision.outcome!.content).toContain('colour is not an attribute of the active Procedure (known: order_number, amount, reason)');
    expect(decision.effect).toBeNull();
  });
});
