// docs/runtime.md, tools: connector actions run only where the active Procedure names them; their
// results and failures come back through applyActionResult.
import { describe, expect, it } from 'vitest';
import { applyActionResult } from '../../../main/runtime/apply-tool';
import { agentTools, BUILTIN_TOOL_TABLE } from '../../../main/runtime/tools';
import { call, conversation, frame, types } from './support';

describe('allowed actions', () => {
  it('refuses an action another Procedure names, and traces the refusal', () => {
    const decision = call('billing__cancel', { customer_agreement: 'yes' }, conversation());
    expect(decision.effect).toBeNull();
    expect(decision.outcome).toMatchObject({ isError: true, followUp: true, content: '@billing.cancel is not named by the active Procedure, so it cannot run.' });
    expect(decision.events).toEqual([{ type: 'action_refused', stepId: 'step:find-the-order', payload: { action: 'billing.cancel', reason: 'not named by the active Procedure' } }]);
  });

  it('checks against the innermost Procedure: a sub-procedure cannot run its caller’s actions', () => {
    const inSub = conversation({ stack: [frame('Refund request', 'step:verify'), frame('Verify identity', 'step:send-a-code', 'sub')] });
    expect(call('shop__get_order', { order_number: '1' }, inSub).effect).toBeNull();
    expect(call('accounts__send_code', { email: 'a@b.c' }, inSub).effect).toMatchObject({ kind: 'connector', action: 'accounts.send_code' });
  });

  it('refuses every action when no Procedure is active', () => {
    expect(call('shop__get_order', {}, conversation({ stack: [] })).outcome!.isError).toBe(true);
  });

  it('refuses an action the workspace has not configured', () => {
    const decision = call('shop__get_order', {}, conversation(), { describeAction: () => undefined });
    expect(decision.outcome!.content).toBe('The connector action @shop.get_order is not configured in this workspace.');
    expect(decision.effect).toBeNull();
  });

  it('stores a result for the code that reads it, and asks for the deterministic part to run', () => {
    const state = conversation({ stack: [frame('Refund request', 'step:find-the-order')] });
    const decision = applyActionResult({ ...state, progress: { ...state.progress, connectorFailures: 2 } }, false, 'shop.get_order', { ok: true, data: { total: 24 } });
    expect(decision.state.data['shop.get_order']).toEqual({ total: 24 });
    expect(decision.state.stack[0]!.ran).toEqual(['shop.get_order']);
    expect(decision.state.progress.connectorFailures).toBe(0);
    expect(decision.progressed).toBe(true);
    expect(decision.effect).toEqual({ kind: 'advance', separator: '\n', followUp: 'keep' });
    expect(decision.outcome).toEqual({ content: '{"total":24}', followUp: 'if-silent' });
  });

  it('counts a failure toward the escalation threshold and traces the connector’s record', () => {
    const decision = applyActionResult(conversation(), false, 'shop.get_order', { ok: false, error: 'timeout', record: { status: 504 } });
    expect(decision.state.progress.connectorFailures).toBe(1);
    expect(decision.state.data).toEqual({});
    expect(types(decision.events)).toEqual(['connector_call']);
    expect(decision.outcome).toMatchObject({ isError: true, content: '@shop.get_order failed: timeout' });
  });
});

describe('the tool table', () => {
  it('is where the model’s tools come from: each offered built-in tool once, in the table’s order, then the actions', () => {
    const everything = { stepIds: ['step:a'], subprocedures: ['Verify identity'], routable: [{ name: 'Cancel subscription', trigger: 't' }], teams: ['Billing team'], actions: [{ name: 'shop.get_order', description: 'd', inputSchema: { type: 'object' }, confirm: false }] };
    expect(agentTools(everything).map((tool) => tool.name)).toEqual([...BUILTIN_TOOL_TABLE.map((entry) => entry.name), 'shop__get_order']);
    // Tools that make no sense yet are not offered.
    expect(agentTools({ stepIds: [], subprocedures: [], routable: [], teams: [], actions: [] }).map((tool) => tool.name)).toEqual(['reply', 'set_attributes', 'search_knowledge', 'escalate']);
  });

  it('answers an unknown tool and bad input with an error the model can act on', () => {
    expect(call('delete_everything', {}, conversation()).outcome).toMatchObject({ isError: true, content: 'There is no tool called delete_everything.' });
    const bad = call('go_to_step', { step: 'x' }, conversation());
    expect(bad.outcome!.isError).toBe(true);
    expect(bad.outcome!.content).toMatch(/^The go_to_step input is not valid \(.*step_id/);
    expect(bad.events).toEqual([]);
  });

  it('never changes the state it is given (every test state is frozen) and decides the same way twice', () => {
    const state = conversation({ said: 'Order 1043' });
    const first = call('set_attributes', { values: { order_number: '1043' } }, state);
    expect(state.attributes).toEqual({});
    expect(call('set_attributes', { values: { order_number: '1043' } }, state)).toEqual(first);
    expect(first.state.attributes.order_number).toMatchObject({ value: '1043', source: 'customer' });
  });
});
