// Handoffs, each autonomous escalation trigger, malformed model output, model outages, refused
// actions and the per-turn limits.
import { describe, expect, it } from 'vitest';
import { reply, toolCall, toolCalls, type FakeResponse } from '../support/fake-anthropic';
import { createHarness, exampleWorkspace, InMemoryConnectors, SHOP_ORDER, shopConnectors, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();

const routeToClaim = toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' });

describe('handoff', () => {
  it('hands off to a team the Procedure names, with a summary', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        routeToClaim,
        // The claim window is checked on the way (a Python gate), then the damage.
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }], ['go_to_step', { step_id: 'step:understand-the-damage' }]),
        toolCalls(
          ['decide_condition', { condition_id: 'step:understand-the-damage/cond1', branch_id: 'step:understand-the-damage/cond1/b1', reason: 'Sparks are a safety hazard.' }],
          ['reply', { message: 'Please stop using it right away. I am passing you to our safety team.' }],
          ['handoff', { team: 'Safety team', summary: 'Kettle sparks when switched on.', note: 'Urgent' }],
        ),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'My kettle throws sparks when I switch it on!');
    expect(turn.status).toBe('handed_off');
    expect(turn.outcome).toEqual({ kind: 'handed_off', reason: 'procedure', team: 'Safety team', summary: 'Kettle sparks when switched on.' });
    const handoff = harness.trace(id).find((e) => e.type === 'handoff')!;
    expect(handoff.payload).toMatchObject({ team: 'Safety team', note: 'Urgent' });
    await expect(harness.engine.send(id, 'Hello?')).rejects.toThrow(/with a person now/);
    await harness.close();
  });

  it('refuses a team the Procedure does not name', async () => {
    const harness = await createHarness({
      sandbox,
      script: [routeToClaim, toolCalls(['handoff', { team: 'Legal', summary: 'x' }]), toolCalls(['reply', { message: 'Let me help you here.' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'My kettle is broken');
    expect(turn.status).toBe('waiting');
    const refused = harness.trace(id).find((e) => e.type === 'tool_call' && e.payload.tool === 'handoff')!;
    expect(refused.payload).toMatchObject({ ok: false });
    await harness.close();
  });

  it('makes a handoff that a Python decision requires, even when the model forgets it', async () => {
    const old = { ...SHOP_ORDER, delivered_on: '2026-09-01' };
    const harness = await createHarness({
      sandbox,
      connectors: shopConnectors({ 'shop.get_order': () => ({ ok: true, data: old }) }),
      script: [
        routeToClaim,
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
        // Written before the claim window's code ran: held back, since the Python branch now requires a handoff.
        toolCalls(['go_to_step', { step_id: 'step:check-the-claim-window' }], ['reply', { message: 'One moment while I check.' }]),
        // Called again with the requirement (this is the one extra call): the model explains but still does not hand off.
        toolCalls(['reply', { message: 'I am sorry: damage claims must be made within 30 days of delivery.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Order 1043 arrived broken');
    expect(turn.replies).toEqual(['I am sorry: damage claims must be made within 30 days of delivery.']);
    expect(harness.trace(id).find((e) => e.type === 'reply_held')!.payload).toMatchObject({ text: 'One moment while I check.' });
    expect(turn.modelCalls).toBe(4);
    expect(turn.outcome).toMatchObject({ kind: 'handed_off', team: 'Claims team', reason: 'required by the Procedure' });
    const enforced = harness.trace(id).find((e) => e.type === 'enforced')!;
    expect(enforced.payload).toMatchObject({ kind: 'handoff', target: 'Claims team', nodeId: 'step:check-the-claim-window/handoff:claims-team' });
    expect((await harness.engine.state(id))!.attributes.days_since_delivery!.value).toBe(85);
    await harness.close();
  });
});

describe('autonomous escalation', () => {
  it('when the customer asks for a person, without asking the model', async () => {
    const harness = await createHarness({ sandbox, script: [] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Can I please talk to a real person?');
    expect(turn.status).toBe('escalated');
    expect(turn.outcome).toMatchObject({ kind: 'escalated', reason: 'customer_asked_for_human', team: 'Support team' });
    expect(turn.replies).toHaveLength(1);
    expect(harness.fake.requests).toHaveLength(0);
    await harness.close();
  });

  it('when the agent loops on the same message', async () => {
    const harness = await createHarness({
      sandbox,
      script: [routeToClaim, ...Array.from({ length: 3 }, () => toolCalls(['reply', { message: 'Could you give me your order number?' }]))],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    expect((await harness.engine.send(id, 'My stuff is broken')).status).toBe('waiting');
    expect((await harness.engine.send(id, 'I told you, it is broken')).status).toBe('waiting');
    const third = await harness.engine.send(id, 'Why do you keep asking?');
    expect(third.outcome).toMatchObject({ kind: 'escalated', reason: 'loop' });
    expect(harness.trace(id).find((e) => e.type === 'escalation')!.payload.summary).toMatch(/repeated itself/);
    await harness.close();
  });

  it('when nothing moves forward for N turns', async () => {
    const harness = await createHarness({
      sandbox,
      engine: { escalation: { noProgressTurns: 2 } },
      script: [routeToClaim, toolCalls(['reply', { message: 'Hello! How can I help?' }]), toolCalls(['reply', { message: 'I see. Tell me more?' }]), toolCalls(['reply', { message: 'Hmm, and then?' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    expect((await harness.engine.send(id, 'Something arrived broken')).status).toBe('waiting'); // Routing is progress.
    expect((await harness.engine.send(id, 'Yes')).status).toBe('waiting');
    const stuck = await harness.engine.send(id, 'Hmm');
    expect(stuck.outcome).toMatchObject({ kind: 'escalated', reason: 'no_progress' });
    await harness.close();
  });

  it('when connector calls keep failing', async () => {
    const harness = await createHarness({
      sandbox,
      connectors: shopConnectors({ 'shop.get_order': () => ({ ok: false, error: 'HTTP 503 from the shop' }) }),
      script: [
        routeToClaim,
        toolCalls(['shop__get_order', { order_number: '1' }]),
        toolCalls(['shop__get_order', { order_number: '1' }]),
        toolCalls(['shop__get_order', { order_number: '1' }]),
        toolCalls(['reply', { message: 'Sorry, I cannot reach the order system.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Order 1 is broken');
    expect(turn.outcome).toMatchObject({ kind: 'escalated', reason: 'connector_failures' });
    expect(harness.connectors.calls).toHaveLength(3);
    await harness.close();
  });

  it('when the model itself says it is stuck', async () => {
    const harness = await createHarness({ sandbox, script: [routeToClaim, toolCalls(['reply', { message: 'Let me get someone.' }], ['escalate', { reason: 'stuck', summary: 'Cannot understand the request.' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'asdf qwerty');
    expect(turn.outcome).toEqual({ kind: 'escalated', reason: 'stuck', team: 'Support team', summary: 'Cannot understand the request.' });
    await harness.close();
  });
});

describe('a Python code step that fails', () => {
  it('stops the step there, tells the model where and why, and does not run it again blindly', async () => {
    const workspace = exampleWorkspace();
    workspace.procedures.create(
      [
        '---',
        'name: Split the bill',
        'trigger: The customer wants to split a payment.',
        'attributes:',
        '  people:',
        '    type: number',
        '  share:',
        '    type: number',
        '---',
        '',
        '## Ask',
        'Ask how many people share the bill and collect {people}.',
        '```python',
        'attributes["share"] = 100 / attributes["people"]',
        '```',
        'Tell them their share, {share}.',
        '',
      ].join('\n'),
    );
    const harness = await createHarness({
      sandbox,
      workspace,
      script: [
        toolCall('route', { procedure: 'Split the bill', reason: 'split' }),
        toolCalls(['set_attributes', { values: { people: 0 } }]),
        toolCalls(['reply', { message: 'Sorry, I could not work that out. How many people, at least one?' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Split it between zero people');
    expect(turn.replies).toEqual(['Sorry, I could not work that out. How many people, at least one?']);
    const failed = harness.trace(id).find((e) => e.type === 'code_run')!;
    expect(failed.payload).toMatchObject({ nodeId: 'step:ask/code1', ok: false });
    expect(JSON.stringify(failed.payload.error)).toMatch(/ZeroDivisionError|division by zero/);
    // The model heard about it before replying: the set_attributes result carried the failure.
    // In the compact ids the prompt uses: stb1.k1 is step:ask/code1 of "Split the bill".
    expect(JSON.stringify(harness.fake.requests[2]!.body.messages.at(-1))).toMatch(/stb1\.k1 failed/);
    const state = (await harness.engine.state(id))!;
    expect(state.stack[0]!.decided['step:ask/code1']).toMatch(/^error: /);
    expect(state.attributes.share).toBeUndefined();
    await harness.close();
  });
});

describe('malformed tool input', () => {
  it('goes back to the model as an error, and the conversation carries on', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        routeToClaim,
        toolCalls(['set_attributes', { values: { days_since_delivery: 'twelve', preferred_resolution: 'money back', nonsense: 1 } }]),
        { content: [{ type: 'tool_use_raw', name: 'reply', json: '{"message": "unterminated' }] } as FakeResponse,
        toolCalls(['reply', {}]),
        toolCalls(['set_attributes', { values: { preferred_resolution: 'refund' } }], ['reply', { message: 'Got it: a refund.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Broken, I want my money back');
    expect(turn.replies).toEqual(['Got it: a refund.']);
    expect(turn.status).toBe('waiting');
    const errors = harness.trace(id).filter((e) => e.type === 'tool_call' && e.payload.ok === false).map((e) => String(e.payload.result));
    expect(errors[0]).toContain('days_since_delivery must be a number (not text); got the text "twelve"');
    expect(errors[0]).toContain('preferred_resolution must be one of refund, replacement');
    expect(errors[0]).toContain('nonsense is not an attribute of the active Procedure');
    expect(errors[1]).toMatch(/The reply input is not valid/);
    expect(errors[2]).toMatch(/message: /);
    // Each error went back to the model as an error result.
    const sentBack = JSON.stringify(harness.fake.requests[2]!.body.messages.at(-1));
    expect(sentBack).toContain('"is_error":true');
    expect((await harness.engine.state(id))!.attributes.preferred_resolution!.value).toBe('refund');
    await harness.close();
  });
});

describe('model outages', () => {
  it('a 429 followed by success is retried and the turn completes', async () => {
    const harness = await createHarness({ sandbox, script: [{ status: 429 }, routeToClaim, { status: 429 }, toolCalls(['reply', { message: 'Sorry about that! Your order number?' }])] });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Broken kettle');
    expect(turn.replies).toEqual(['Sorry about that! Your order number?']);
    expect(harness.fake.requests).toHaveLength(4);
    await harness.close();
  });

  it('a 500 that never clears ends in a handoff, with nothing lost', async () => {
    const harness = await createHarness({ sandbox, script: () => ({ status: 500 }) });
    const id = await harness.engine.start({ kind: 'production' });
    const turn = await harness.engine.send(id, 'My order 1043 arrived broken and I need help today');
    expect(turn.status).toBe('handed_off');
    expect(turn.outcome!.reason).toMatch(/^model unavailable: The model is unavailable \(500\)/);
    expect(turn.replies).toEqual(["I'm bringing in a member of our team who can help you further. They'll see everything we've discussed."]);
    expect(harness.fake.requests).toHaveLength(3); // the first try and the SDK's two retries
    expect(harness.messages(id)).toEqual([
      { role: 'customer', text: 'My order 1043 arrived broken and I need help today' },
      { role: 'agent', text: turn.replies[0] },
    ]);
    expect((await harness.engine.state(id))!.transcript[0]!.text).toBe('My order 1043 arrived broken and I need help today');
    await harness.close();
  });
});

describe('connector actions', () => {
  it('are refused when the active Procedure does not name them', async () => {
    const connectors = new InMemoryConnectors({
      'shop.get_order': { handler: () => ({ ok: true, data: SHOP_ORDER }) },
      'billing.cancel_subscription': { handler: () => ({ ok: true, data: { cancelled: true } }) },
    });
    const harness = await createHarness({
      sandbox,
      connectors,
      script: [routeToClaim, toolCalls(['billing__cancel_subscription', {}]), toolCalls(['reply', { message: 'I can only help with the damaged item here.' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'Broken, and cancel my subscription');
    expect(connectors.calls).toEqual([]);
    const trace = harness.trace(id);
    expect(trace.find((e) => e.type === 'action_refused')!.payload).toEqual({ action: 'billing.cancel_subscription', reason: 'not named by the active Procedure' });
    // And it was never offered as a tool.
    expect(harness.fake.requests[1]!.body.tools!.map((tool) => tool.name)).not.toContain('billing__cancel_subscription');
    expect(harness.fake.requests[1]!.body.tools!.map((tool) => tool.name)).toContain('shop__get_order');
    await harness.close();
  });
});

describe('limits', () => {
  it('cap the model calls of one turn', async () => {
    const harness = await createHarness({
      sandbox,
      engine: { limits: { maxModelCallsPerTurn: 3 } },
      script: [routeToClaim, ...Array.from({ length: 5 }, (_, i) => toolCalls(['search_knowledge', { query: `query ${i}` }]))],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Broken');
    expect(turn.outcome).toMatchObject({ kind: 'escalated', reason: 'runaway' });
    expect(turn.modelCalls).toBe(3);
    await harness.close();
  });

  it('cap the tool calls of one turn', async () => {
    const harness = await createHarness({
      sandbox,
      engine: { limits: { maxToolCallsPerTurn: 4 } },
      script: [routeToClaim, toolCalls(...Array.from({ length: 6 }, (_, i) => ['search_knowledge', { query: `query ${i}` }] as [string, unknown]))],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Broken');
    expect(turn.toolCalls).toBe(4);
    expect(turn.outcome).toMatchObject({ kind: 'escalated', reason: 'runaway' });
    await harness.close();
  });

  void reply;
});
