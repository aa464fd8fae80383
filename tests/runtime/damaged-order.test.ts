// A whole damaged-order conversation through every construct: routing, attributes, a connector
// action, a Python code step and condition, a plain-language condition, a sub-procedure that
// returns, a write action that needs the customer's agreement, and the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { createHarness, type Harness, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();

describe('a damaged-order claim, end to end', () => {
  let harness: Harness;
  let id: number;
  const turns: Awaited<ReturnType<Harness['engine']['send']>>[] = [];

  beforeAll(async () => {
    harness = await createHarness({
      sandbox,
      script: [
        // Turn 1
        toolCall('route', { procedure: 'Damaged order claim', reason: 'The kettle arrived broken.' }),
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
        toolCalls(['go_to_step', { step_id: 'step:check-the-claim-window' }]),
        toolCalls(['go_to_step', { step_id: 'step:understand-the-damage' }], ['reply', { message: 'Sorry to hear that! What exactly is damaged?' }]),
        // Turn 2
        toolCalls(
          ['set_attributes', { values: { damage_description: 'The lid is cracked' } }],
          ['decide_condition', { condition_id: 'step:understand-the-damage/cond1', branch_id: 'none', reason: 'A cracked lid is not a safety hazard.' }],
          ['go_to_step', { step_id: 'step:resolve' }],
          ['run_subprocedure', { name: 'Verify identity' }],
        ),
        toolCalls(['reply', { message: "To confirm it's you, what's the email on your account?" }]),
        // Turn 3
        toolCalls(['set_attributes', { values: { email: 'sam@example.com' } }], ['accounts__send_code', { email: 'sam@example.com' }]),
        toolCalls(['go_to_step', { step_id: 'step:check-the-code' }], ['reply', { message: 'I sent you a code. What is it?' }]),
        // Turn 4
        toolCalls(['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { code: '123456' }]),
        toolCalls(['end_procedure', { summary: 'Identity verified.' }]),
        toolCalls(['reply', { message: 'Thanks, you are verified. Would you prefer a refund or a replacement?' }]),
        // Turn 5
        toolCalls(['set_attributes', { values: { preferred_resolution: 'refund' } }]),
        toolCalls(['reply', { message: 'Your refund would be 24.00. Shall I go ahead?' }], ['payments__create_refund', { amount: 24 }]),
        // Turn 6
        toolCalls(['payments__create_refund', { amount: 24, customer_agreement: 'yes please go ahead' }]),
        toolCalls(['go_to_step', { step_id: 'step:wrap-up' }], ['reply', { message: 'Done! Your refund of 24.00 is on its way. Anything else?' }]),
        // Turn 7
        toolCalls(['reply', { message: 'Have a great day!' }], ['end_procedure', { summary: 'Refund issued.' }]),
      ],
    });
    id = await harness.engine.start({ kind: 'preview' });
    for (const message of [
      'Hi, my kettle arrived broken. Order 1043.',
      'The lid is cracked, no sparks or anything.',
      "it's sam@example.com",
      '123456',
      'A refund please',
      'Yes please go ahead!',
      'No, thanks!',
    ]) {
      turns.push(await harness.engine.send(id, message));
    }
  });
  afterAll(async () => {
    await harness.close();
  });

  const trace = () => harness.trace(id);

  it('routes to the Procedure whose trigger matches, with a structured answer', () => {
    const route = trace().find((event) => event.type === 'route')!;
    expect(route.payload).toMatchObject({ procedure: 'Damaged order claim', valid: true });
    const routing = harness.fake.requests[0]!.body;
    expect(routing.tool_choice).toEqual({ type: 'tool', name: 'route' });
    expect(JSON.stringify(routing.tools)).toContain('Refund request');
  });

  it('replies once per customer message, in order', () => {
    expect(turns.map((turn) => turn.replies)).toEqual([
      ['Sorry to hear that! What exactly is damaged?'],
      ["To confirm it's you, what's the email on your account?"],
      ['I sent you a code. What is it?'],
      ['Thanks, you are verified. Would you prefer a refund or a replacement?'],
      ['Your refund would be 24.00. Shall I go ahead?'],
      ['Done! Your refund of 24.00 is on its way. Anything else?'],
      ['Have a great day!'],
    ]);
    expect(turns.slice(0, -1).every((turn) => turn.status === 'waiting')).toBe(true);
  });

  it('runs the Python code step and condition itself, with the frozen clock', async () => {
    const state = (await harness.engine.state(id))!;
    expect(state.attributes.days_since_delivery).toEqual({ value: 15, source: 'code', turn: 1 });
    const condition = trace().find((event) => event.type === 'condition' && event.payload.nodeId === 'step:check-the-claim-window/cond1')!;
    expect(condition.payload).toMatchObject({ kind: 'python', branchId: 'step:check-the-claim-window/cond1/b1', result: true });
    // The model was told the outcome rather than asked to work it out.
    const told = JSON.stringify(harness.fake.requests[3]!.body.messages.at(-1));
    expect(told).toContain('days_since_delivery = 15');
    // In the compact ids the prompt uses (prompt-ids.ts): doc2.c1.b1 is step:check-the-claim-window/cond1/b1.
    expect(told).toContain('it chose doc2.c1.b1');
  });

  it('records the model’s plain-language decision with its reason', () => {
    const decision = trace().find((event) => event.type === 'condition' && event.payload.kind === 'plain')!;
    expect(decision).toMatchObject({ stepId: 'step:understand-the-damage', payload: { nodeId: 'step:understand-the-damage/cond1', branchId: 'none', reason: 'A cracked lid is not a safety hazard.' } });
  });

  it('runs the sub-procedure and returns to the calling step', async () => {
    const types = trace().map((event) => `${event.type}:${event.payload.procedure ?? ''}`);
    const start = types.indexOf('procedure_start:Verify identity');
    const end = types.indexOf('procedure_end:Verify identity');
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const state = (await harness.engine.state(id))!;
    expect(state.attributes.verified).toEqual({ value: true, source: 'code', turn: 4 });
    const returned = trace().find((event) => event.type === 'tool_call' && event.payload.tool === 'end_procedure')!;
    expect(returned.payload.result).toContain('back in Damaged order claim at step:resolve');
  });

  it('computes the refund in Python and runs the write action only after the customer agrees', async () => {
    const state = (await harness.engine.state(id))!;
    expect(state.attributes.refund_amount?.value).toBe(24);
    expect(harness.connectors.calls.map((call) => call.action)).toEqual(['shop.get_order', 'accounts.send_code', 'accounts.check_code', 'payments.create_refund']);
    expect(harness.connectors.calls[3]!.input).toEqual({ amount: 24 });
    expect(trace().filter((event) => event.type === 'action_needs_confirmation')).toHaveLength(1);
  });

  it('completes the Procedure at its end, and the conversation stays open for whatever comes next', async () => {
    const state = (await harness.engine.state(id))!;
    expect(state.status).toBe('waiting');
    expect(state.outcome).toBeNull();
    expect(state.stack).toEqual([]);
    expect(turns.at(-1)!.trace.find((event) => event.type === 'procedure_end')!.payload).toMatchObject({ procedure: 'Damaged order claim', complete: true });
  });

  it('names steps and branches in the trace with the graph’s ids', () => {
    const entered = trace().filter((event) => event.type === 'step_enter').map((event) => event.stepId);
    expect(entered).toEqual([
      'step:find-the-order',
      'step:check-the-claim-window',
      'step:understand-the-damage',
      'step:resolve',
      'step:send-a-code',
      'step:check-the-code',
      'step:wrap-up',
    ]);
  });

  it('keeps the transcript in the store and streams every stored event to listeners', () => {
    const messages = harness.messages(id);
    expect(messages.filter((m) => m.role === 'customer')).toHaveLength(7);
    expect(messages.filter((m) => m.role === 'agent')).toHaveLength(7);
    const streamed = harness.events.filter((e) => e.conversationId === id).map(({ event }) => ({ type: event.type, stepId: event.stepId ?? null, payload: event.payload }));
    expect(JSON.parse(JSON.stringify(streamed))).toEqual(trace());
  });

  it('records usage and cost for each model call', async () => {
    const calls = trace().filter((event) => event.type === 'model_call');
    expect(calls).toHaveLength(harness.fake.requests.length);
    expect(calls[0]!.payload).toMatchObject({ purpose: 'route', model: 'claude-sonnet-5-5', usage: { inputTokens: 100, outputTokens: 20 } });
    const state = (await harness.engine.state(id))!;
    expect(state.usage.modelCalls).toBe(16);
    expect(state.usage.costUsd).toBeCloseTo(16 * (100 * 3 + 20 * 15) / 1e6, 10);
  });

  it('puts instructions, the Procedures and the tools first, marked for caching, and the moving state last', () => {
    const request = harness.fake.requests[1]!.body;
    const system = request.system as { text: string; cache_control?: unknown }[];
    expect(system.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    expect(system.at(-1)!.text).toContain('<procedure name="Damaged order claim"');
    expect(system.at(-1)!.text).toContain('<procedure name="Verify identity"');
    expect(JSON.stringify(system)).not.toContain('<state');
    const last = request.messages.at(-1)!.content as { type: string; text?: string; cache_control?: unknown }[];
    expect(last.at(-1)!.text).toContain('<state turn="1">');
    expect(last.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
    // The next call of the same turn starts with everything this one sent.
    const next = harness.fake.requests[2]!.body;
    expect(JSON.stringify(next.system)).toBe(JSON.stringify(request.system));
    expect(JSON.stringify(next.tools)).toBe(JSON.stringify(request.tools));
  });
});
