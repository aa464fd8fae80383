// A model response that breaks after its headers, through the real SDK against the fake Messages
// API: every fault ends in a saved, consistent state (the customer's message kept, the fault in the
// trace), is retried where that is safe, and a conversation handed off by an outage carries on at
// the step it was on once the model is back.
import { describe, expect, it } from 'vitest';
import { ModelClient } from '../../main/model/client';
import { ModelSettingsSchema } from '../../main/model/settings';
import { ConversationClosedError, ConversationEngine } from '../../main/runtime/engine';
import { WorkspaceCatalog, WorkspaceKnowledge, WorkspacePersistence } from '../../main/runtime/workspace-services';
import { Workspace } from '../../main/store/workspace';
import { fault, toolCalls, type FakeResponse } from '../support/fake-anthropic';
import { createHarness, exampleWorkspace, shopConnectors, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();

const CLAIM = 'Damaged order claim';
const FIRST_STEP = 'step:find-the-order';
const NOTICE = "I'm bringing in a member of our team who can help you further. They'll see everything we've discussed.";
/** One retry of a broken response (the SDK's own retries stay at 2), fast, with a short idle timeout. */
const FAST = { responseRetries: 1, responseRetryDelayMs: 5, idleTimeoutMs: 300 };

/** The conversation as a new engine on a fresh connection to the workspace file sees it. */
async function reload(path: string, id: number) {
  const workspace = Workspace.open(path);
  const engine = new ConversationEngine({
    // Never called: reading a conversation back needs no model.
    model: new ModelClient(ModelSettingsSchema.parse({ apiKey: 'unused', baseURL: 'http://127.0.0.1:9' })),
    catalog: new WorkspaceCatalog(workspace, true),
    connectors: shopConnectors(),
    sandbox,
    knowledge: new WorkspaceKnowledge(workspace),
    persistence: new WorkspacePersistence(workspace),
    draft: true,
  });
  const result = {
    state: (await engine.state(id))!,
    messages: workspace.conversations.messages(id).map((message) => ({ role: message.role, text: message.content })),
    trace: workspace.traces.events(id).map((event) => ({ type: event.type, stepId: event.stepId, payload: event.payload })),
  };
  workspace.close();
  return result;
}

const FAULTS: { name: string; stream: boolean; response: FakeResponse; kind: string; phase: 'request' | 'response' }[] = [
  { name: 'a connection dropped after 120 bytes of a stream', stream: true, response: fault('drop', { afterBytes: 120 }), kind: 'dropped', phase: 'response' },
  // What `stepwise chat` and the simulations do: a plain JSON response, cut the same way.
  { name: 'a connection dropped after 120 bytes of a JSON body', stream: false, response: fault('drop', { afterBytes: 120 }), kind: 'dropped', phase: 'response' },
  { name: 'a malformed event', stream: true, response: fault('malformed', { afterEvents: 3 }), kind: 'malformed', phase: 'response' },
  { name: 'a stream that stalls past the idle timeout', stream: true, response: fault('stall', { afterBytes: 400 }), kind: 'stalled', phase: 'response' },
  { name: 'a 529 (overloaded)', stream: true, response: { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } }, kind: 'overloaded', phase: 'request' },
  {
    name: 'a 500 after the headers (an SSE error event)',
    stream: true,
    response: fault('error_event', { afterEvents: 2, error: { type: 'api_error', message: 'Internal server error' } }),
    kind: 'server_error',
    phase: 'response',
  },
  { name: 'an overloaded_error event mid-stream', stream: true, response: fault('error_event', { afterEvents: 2 }), kind: 'overloaded', phase: 'response' },
  { name: 'a stream that ends cleanly before message_stop', stream: true, response: fault('truncate', { afterEvents: 3 }), kind: 'dropped', phase: 'response' },
];

describe('a model fault that never clears', () => {
  for (const { name, stream, response, kind, phase } of FAULTS) {
    it(`${name}: retried where safe, then handed off with the customer's message and the fault saved`, async () => {
      const harness = await createHarness({ sandbox, script: () => response, model: FAST, engine: { stream } });
      const id = await harness.engine.start({ kind: 'production', procedure: CLAIM });
      const text = 'My order 1043 arrived broken and I need help today';
      const turn = await harness.engine.send(id, text);
      expect(turn.status).toBe('handed_off');
      expect(turn.resumable).toBe(true);
      expect(turn.replies).toEqual([NOTICE]);
      // A response that broke after its headers is retried by the client (once here); the SDK
      // retries the rest itself (twice) and the client adds nothing.
      expect(harness.fake.requests).toHaveLength(phase === 'response' ? 2 : 3);
      await harness.close();

      const saved = await reload(harness.workspace.path, id);
      expect(saved.messages).toEqual([
        { role: 'customer', text },
        { role: 'agent', text: NOTICE },
      ]);
      expect(saved.state.status).toBe('handed_off');
      expect(saved.state.outcome!.reason).toMatch(/^model unavailable: /);
      expect(saved.state.outage).toMatchObject({ fault: kind, procedure: CLAIM, stepId: FIRST_STEP, resumable: true, unanswered: [text] });
      expect(saved.state.stack.map((frame) => [frame.procedure, frame.stepId])).toEqual([[CLAIM, FIRST_STEP]]);
      // The history never holds half an exchange.
      expect(saved.state.history).toEqual([]);
      const outage = saved.trace.find((event) => event.type === 'model_outage')!;
      expect(outage.payload).toMatchObject({ fault: kind, phase, resumable: true });
      expect(saved.trace.find((event) => event.type === 'model_call')!.payload).toMatchObject({ ok: false, fault: kind });
      const retries = saved.trace.filter((event) => event.type === 'model_retry');
      expect(retries.map((event) => event.payload.fault)).toEqual(phase === 'response' ? [kind] : []);
      expect(saved.trace.map((event) => event.type)).toEqual(expect.arrayContaining(['customer_message', 'model_outage', 'handoff', 'agent_message']));
    });
  }
});

describe('a response that breaks once', () => {
  it('is sent again, and a reply already streamed is withdrawn first, never shown twice', async () => {
    const message = 'Thanks for waiting! I found order 1043: a kettle and a mug, delivered on 10 November.';
    const answer = toolCalls(['reply', { message }]);
    const harness = await createHarness({
      sandbox,
      model: FAST,
      engine: { stream: true },
      script: [fault('drop', { message: answer, afterBytes: 1200 }), answer],
    });
    const seen: { text: string; withdrawn: boolean }[] = [];
    harness.engine.subscribeReplies((_id, text, withdrawn) => seen.push({ text, withdrawn: withdrawn === true }));
    const id = await harness.engine.start({ kind: 'preview', procedure: CLAIM });
    const turn = await harness.engine.send(id, 'Where is my order 1043?');
    expect(turn.status).toBe('waiting');
    expect(turn.replies).toEqual([message]);
    // Part of the reply streamed, then the withdrawal, then the whole reply from the retry.
    const cut = seen.findIndex((entry) => entry.withdrawn);
    expect(cut).toBeGreaterThan(0);
    expect(seen[cut]!.text).toBe('');
    expect(message.startsWith(seen[cut - 1]!.text)).toBe(true);
    expect(seen[cut - 1]!.text.length).toBeLessThan(message.length);
    expect(seen.filter((entry) => entry.withdrawn)).toHaveLength(1);
    expect(seen.at(-1)).toEqual({ text: message, withdrawn: false });
    for (let i = cut + 2; i < seen.length; i++) expect(seen[i]!.text.startsWith(seen[i - 1]!.text)).toBe(true);
    // The same request went out twice; the transcript holds the reply once.
    expect(harness.fake.requests).toHaveLength(2);
    expect(harness.fake.requests[1]!.body).toEqual(harness.fake.requests[0]!.body);
    expect(harness.messages(id)).toEqual([
      { role: 'customer', text: 'Where is my order 1043?' },
      { role: 'agent', text: message },
    ]);
    const retry = harness.trace(id).find((event) => event.type === 'model_retry')!;
    expect(retry.payload).toMatchObject({ purpose: 'agent', fault: 'dropped', phase: 'response', attempt: 1, withdrawnReply: true });
    await harness.close();
  });

  it('never runs a tool effect twice: the retry resends the tool result, the action ran once', async () => {
    const harness = await createHarness({
      sandbox,
      model: FAST,
      script: [
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
        fault('drop', { afterBytes: 120 }),
        toolCalls(['reply', { message: 'I found order 1043. What exactly is damaged?' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview', procedure: CLAIM });
    const turn = await harness.engine.send(id, 'Order 1043 arrived broken');
    expect(turn.replies).toEqual(['I found order 1043. What exactly is damaged?']);
    expect(harness.connectors.calls).toEqual([{ action: 'shop.get_order', input: { order_number: '1043' } }]);
    const [, broken, retried] = harness.fake.requests;
    expect(retried!.body).toEqual(broken!.body);
    const toolUseId = ((await harness.engine.state(id))!.history[1]!.content as { type: string; id?: string }[]).find((block) => block.type === 'tool_use' && block.id)!.id;
    expect(JSON.stringify(retried!.body.messages.at(-1))).toContain(`"tool_use_id":"${toolUseId}"`);
    await harness.close();
  });
});

describe('a tool call in a response that breaks', () => {
  it('is not run from the broken response, only from the whole one that replaces it, once', async () => {
    const lookUp = toolCalls(['shop__get_order', { order_number: '1043' }]);
    const harness = await createHarness({
      sandbox,
      model: FAST,
      engine: { stream: true },
      script: [
        // The tool call arrives whole (through content_block_stop), then the stream ends cleanly
        // without message_delta or message_stop: nothing in it may run.
        fault('truncate', { message: lookUp, afterEvents: 5 }),
        lookUp,
        toolCalls(['reply', { message: 'I found order 1043.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview', procedure: CLAIM });
    const turn = await harness.engine.send(id, 'Order 1043 arrived broken');
    expect(turn.replies).toEqual(['I found order 1043.']);
    expect(harness.connectors.calls).toEqual([{ action: 'shop.get_order', input: { order_number: '1043' } }]);
    expect(harness.trace(id).filter((event) => event.type === 'tool_call').map((event) => event.payload.tool)).toEqual(['shop__get_order', 'reply']);
    expect(harness.trace(id).find((event) => event.type === 'model_retry')!.payload).toMatchObject({ fault: 'dropped' });
    await harness.close();
  });
});

describe('a conversation handed off by a model outage', () => {
  it('carries on at the step it was on, attributes intact, once the model is back (in a new engine)', async () => {
    const workspace = exampleWorkspace();
    const first = await createHarness({
      sandbox,
      workspace,
      model: FAST,
      script: [
        // Turn 1: the order number is collected and looked up.
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
        toolCalls(['reply', { message: 'I found order 1043. What exactly is damaged?' }]),
        // Turns 2 and 3: the model is down (the SDK retries each call twice).
        ...Array.from({ length: 6 }, () => ({ status: 500 }) as FakeResponse),
      ],
    });
    const id = await first.engine.start({ kind: 'production', procedure: CLAIM });
    expect((await first.engine.send(id, 'Order 1043 arrived broken')).status).toBe('waiting');
    const down = await first.engine.send(id, 'The lid is cracked');
    expect(down).toMatchObject({ status: 'handed_off', resumable: true });
    // A second message while the model is still down re-opens it, fails again, and is kept too.
    const stillDown = await first.engine.send(id, 'Hello? Anyone there?');
    expect(stillDown).toMatchObject({ status: 'handed_off', resumable: true });
    expect(connectorsCalled(first)).toBe(1);
    await first.close();

    // The model is back; the app restarted.
    const second = await createHarness({
      sandbox,
      workspace: Workspace.open(workspace.path),
      model: FAST,
      script: [
        toolCalls(['set_attributes', { values: { damage_description: 'The lid is cracked' } }], ['go_to_step', { step_id: 'step:check-the-claim-window' }]),
        toolCalls(['reply', { message: 'Thanks, and sorry about the lid. Let me check the claim window.' }]),
      ],
    });
    const back = await second.engine.send(id, 'Are you back?');
    expect(back.status).toBe('waiting');
    expect(back.outcome).toBeNull();
    expect(back.replies).toEqual(['Thanks, and sorry about the lid. Let me check the claim window.']);

    // The model received every message it had missed, once, and the earlier exchange.
    const sent = JSON.stringify(second.fake.requests[0]!.body.messages.at(-1));
    for (const missed of ['The lid is cracked', 'Hello? Anyone there?', 'Are you back?']) expect(sent.split(missed)).toHaveLength(2);
    expect(JSON.stringify(second.fake.requests[0]!.body.messages[0])).toContain('Order 1043 arrived broken');

    const state = (await second.engine.state(id))!;
    expect(state.attributes.order_number!.value).toBe('1043');
    expect(state.attributes.damage_description!.value).toBe('The lid is cracked');
    expect(state.data['shop.get_order']).toBeTruthy();
    expect(state.stack.map((frame) => frame.stepId)).toEqual(['step:check-the-claim-window']);
    expect(state.outage ?? null).toBeNull();
    const trace = second.trace(id);
    const resumed = trace.filter((event) => event.type === 'resumed_after_outage');
    expect(resumed).toHaveLength(2);
    expect(resumed.at(-1)).toMatchObject({ stepId: FIRST_STEP, payload: { procedure: CLAIM, fault: 'server_error', unanswered: 2 } });
    // It went on from the step it was on: the model's go_to_step left step:find-the-order.
    expect(trace.some((event) => event.type === 'step_exit' && event.stepId === FIRST_STEP)).toBe(true);
    // Outage notices are the runtime's: they count neither as the agent looping nor as no progress.
    expect(trace.some((event) => event.type === 'escalation' || event.type === 'escalation_check')).toBe(false);
    expect(second.messages(id).map((message) => message.role)).toEqual(['customer', 'agent', 'customer', 'agent', 'customer', 'agent', 'customer', 'agent']);
    expect(second.connectors.calls).toEqual([]);
    second.workspace.close();
    await second.close();
  });

  it('sends a tool result owed from before the outage exactly once when it resumes', async () => {
    const workspace = exampleWorkspace();
    const first = await createHarness({
      sandbox,
      workspace,
      model: { ...FAST, responseRetries: 0 },
      script: [toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]), fault('drop')],
    });
    const id = await first.engine.start({ kind: 'preview', procedure: CLAIM });
    expect((await first.engine.send(id, 'Order 1043 arrived broken')).status).toBe('handed_off');
    await first.close();
    const owed = (await first.engine.state(id))!;
    // The model had this turn's message; only the tool results are still owed.
    expect(owed.outage).toMatchObject({ unanswered: [] });
    expect(owed.pendingToolResults).toHaveLength(2);

    const second = await createHarness({ sandbox, workspace: Workspace.open(workspace.path), script: [toolCalls(['reply', { message: 'Found it. What is damaged?' }])] });
    expect((await second.engine.send(id, 'Hello?')).status).toBe('waiting');
    const messages = second.fake.requests[0]!.body.messages;
    const toolUse = (messages[1]!.content as { type: string; id?: string }[]).filter((block) => block.type === 'tool_use').map((block) => block.id);
    const results = (messages[2]!.content as { type: string; tool_use_id?: string }[]).filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id);
    expect(results).toEqual(toolUse);
    expect(JSON.stringify(messages[2])).not.toContain('Order 1043 arrived broken');
    expect(first.connectors.calls).toHaveLength(1);
    expect(second.connectors.calls).toHaveLength(0);
    second.workspace.close();
    await second.close();
  });

  it('stays with the team when the workspace turns resuming off', async () => {
    const harness = await createHarness({ sandbox, model: FAST, engine: { escalation: { resumeAfterOutage: false } }, script: () => ({ status: 503 }) });
    const id = await harness.engine.start({ kind: 'production', procedure: CLAIM });
    const turn = await harness.engine.send(id, 'My kettle is broken');
    expect(turn).toMatchObject({ status: 'handed_off', resumable: false });
    expect((await harness.engine.state(id))!.outage).toMatchObject({ fault: 'server_error', resumable: false });
    await expect(harness.engine.send(id, 'Hello?')).rejects.toBeInstanceOf(ConversationClosedError);
    expect(harness.messages(id).filter((message) => message.role === 'customer')).toHaveLength(1);
    await harness.close();
  });

  it('is not resumable when the API refused the request (a settings problem, not an outage)', async () => {
    const harness = await createHarness({ sandbox, model: FAST, script: [{ status: 401, error: { type: 'authentication_error', message: 'invalid x-api-key' } }] });
    const id = await harness.engine.start({ kind: 'production', procedure: CLAIM });
    const turn = await harness.engine.send(id, 'My kettle is broken');
    expect(turn).toMatchObject({ status: 'handed_off', resumable: false });
    expect(harness.trace(id).find((event) => event.type === 'model_outage')!.payload).toMatchObject({ fault: 'refused', status: 401, resumable: false });
    await expect(harness.engine.send(id, 'Hello?')).rejects.toBeInstanceOf(ConversationClosedError);
    await harness.close();
  });

  it('is never re-opened when a Procedure handed it off', async () => {
    const harness = await createHarness({ sandbox, script: [toolCalls(['shop__get_order', { order_number: '1' }], ['reply', { message: 'Passing you on.' }], ['handoff', { team: 'Orders team', summary: 'Order not found.' }])] });
    const id = await harness.engine.start({ kind: 'production', procedure: CLAIM });
    expect((await harness.engine.send(id, 'I lost my order number')).resumable).toBe(false);
    await expect(harness.engine.send(id, 'Hello?')).rejects.toBeInstanceOf(ConversationClosedError);
    await harness.close();
  });
});

function connectorsCalled(harness: { connectors: { calls: unknown[] } }): number {
  return harness.connectors.calls.length;
}
