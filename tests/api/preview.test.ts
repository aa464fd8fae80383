// The chat preview's API: sessions on the editor's unsaved text, the saved draft or a published
// version, the reply streamed and every trace event pushed while the turn runs, a queue behind a
// running turn, stop, reset, starting attributes checked against the declared types, no model →
// a clear "no-model" error, a model failure kept in the pane with nothing lost, and past previews
// listed and reopened on the text they ran on. The agent is the fake Messages API, through the
// real SDK.
import { describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/api';
import { toolCalls, type Script } from '../support/fake-anthropic';
import { captureIo } from '../support/capture-io';
import { useFakeAnthropic } from '../support/fixtures';
import { runCli } from '../../main/cli/run';
import { useEngine, type TestEngine } from './helpers';
import { agentScript, LONG_REPLY, models, ORDER } from './preview-fixtures';
import { useOrderStatusWorkspace } from './support/order-status';

const startFake = useFakeAnthropic();

describe('the chat preview', () => {
  const engine = useEngine();
  const open = useOrderStatusWorkspace();

  async function setUp(script: Script, options: { key?: boolean } = {}) {
    const { api, fake } = await open(script, { apiKey: options.key !== false });
    const events: { event: EventName; payload: Record<string, unknown> }[] = [];
    api.hub.subscribe((event, payload) => events.push({ event, payload: payload as Record<string, unknown> }));
    return { fake, api, events };
  }

  type Session = { sessionId: string; conversationId: number; trace: { type: string; payload: Record<string, unknown> }[]; transcript: { role: string; text: string }[]; procedureText: string | null; status: { queued: string[]; error: string | null; conversationStatus: string } };
  const start = (api: TestEngine, input: unknown) => api.call('preview.start', input) as Promise<Session>;

  it('refuses to start without a model, with a code the UI turns into a link to Settings', async () => {
    const { api, fake } = await setUp(agentScript(), { key: false });
    await expect(start(api, { target: { kind: 'draft', name: 'Order status' } })).rejects.toMatchObject({ code: 'no-model', message: expect.stringContaining('Settings') });
    expect(fake.requests).toHaveLength(0);
  });

  it("talks to the editor's unsaved text: the reply streams in before it is complete, the connector call is traced, and the conversation is stored against that text", async () => {
    const { api, fake, events } = await setUp(agentScript());
    const unsaved = ORDER.replace('## Look it up', '## Look the order up');
    const session = await start(api, { target: { kind: 'text', name: 'Order status', text: unsaved }, attributes: { order_id: '7', vip: true } });
    expect(session.procedureText).toBe(unsaved);
    expect(session.trace.map((e) => e.type)).toEqual(['attribute_set', 'attribute_set', 'procedure_start', 'step_enter']);
    expect(session.trace[0]!.payload).toMatchObject({ name: 'order_id', value: '7', source: 'context' });

    const turn = (await api.call('preview.send', { sessionId: session.sessionId, text: 'Where is my order?' })) as { answered: boolean; replies: string[] };
    expect(turn).toMatchObject({ answered: true, replies: [LONG_REPLY], status: { running: false, conversationStatus: 'waiting', error: null, queued: [] } });
    // The model saw the unsaved step title, not the saved one.
    expect(JSON.stringify(fake.requests[0]!.body.system)).toContain('Look the order up');
    // Streamed: partial texts arrived, growing, before the whole reply.
    const partial = events.filter((e) => e.event === 'preview.reply' && e.payload.sessionId === session.sessionId).map((e) => e.payload.text as string);
    expect(partial.length).toBeGreaterThan(2);
    expect(partial[0]!.length).toBeLessThan(LONG_REPLY.length);
    expect(LONG_REPLY.startsWith(partial[0]!)).toBe(true);
    // Every trace event was pushed as it happened, indexed in order, and includes the connector call.
    const pushed = events.filter((e) => e.event === 'preview.trace').map((e) => e.payload.event as { index: number; type: string; payload: Record<string, unknown> });
    expect(pushed.map((e) => e.index)).toEqual(pushed.map((_, i) => i));
    expect(pushed.find((e) => e.type === 'connector_call')?.payload).toMatchObject({ action: 'crm.lookup', record: { mode: 'mock' } });

    const list = (await api.call('preview.list', {})) as { conversationId: number; target: { kind: string } | null; procedure: string; messages: number }[];
    expect(list[0]).toMatchObject({ conversationId: session.conversationId, target: { kind: 'text' }, procedure: 'Order status', messages: 2 });

    // Reopened after the draft changed: still the text it ran on, with its transcript and trace.
    await api.call('procedures.saveDraft', { name: 'Order status', text: ORDER.replace('## Look it up', '## Something else') });
    const reopened = (await api.call('preview.open', { conversationId: session.conversationId })) as Session;
    expect(reopened.procedureText).toBe(unsaved);
    expect(reopened.transcript).toEqual([{ role: 'customer', text: 'Where is my order?' }, { role: 'agent', text: LONG_REPLY }]);
    expect(reopened.trace.map((e) => e.type)).toEqual(pushed.map((e) => e.type));
    await expect(api.call('preview.open', { conversationId: 999_999 })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('runs the saved draft or a published version, each on its own text', async () => {
    const { api, fake } = await setUp(agentScript());
    await expect(start(api, { target: { kind: 'version', name: 'Order status', version: 'live' } })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('never been published') });
    const saved = (await api.call('procedures.get', { name: 'Order status' })) as { draftHash: string };
    await api.call('procedures.publish', { name: 'Order status', note: 'v1', expectedHash: saved.draftHash });
    await api.call('procedures.saveDraft', { name: 'Order status', text: ORDER.replace('## Look it up', '## Find the parcel') });

    const live = await start(api, { target: { kind: 'version', name: 'Order status', version: 'live' } });
    await api.call('preview.send', { sessionId: live.sessionId, text: 'Where is my order?' });
    const draft = await start(api, { target: { kind: 'draft', name: 'Order status' } });
    await api.call('preview.send', { sessionId: draft.sessionId, text: 'Where is my order?' });
    expect(live.procedureText).toContain('## Look it up');
    expect(draft.procedureText).toContain('## Find the parcel');
    const systems = fake.requests.map((r) => JSON.stringify(r.body.system));
    expect(systems[0]).toContain('Look it up');
    expect(systems.at(-1)).toContain('Find the parcel');
    await expect(start(api, { target: { kind: 'version', name: 'Order status', version: 9 } })).rejects.toMatchObject({ code: 'not-found' });
    await expect(start(api, { target: { kind: 'draft', name: 'Nope' } })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('talks to the whole workspace as production routes it: live Procedures only, routed from the first message', async () => {
    const { api, fake } = await setUp((request) =>
      request.body.tool_choice && JSON.stringify(request.body.tool_choice).includes('route') ? toolCalls(['route', { procedure: null, reason: 'Nothing fits.' }]) : toolCalls(['reply', { message: 'How can I help?' }]),
    );
    const session = await start(api, { target: { kind: 'workspace' } });
    expect(session).toMatchObject({ procedure: null, procedureText: null, trace: [] });
    const turn = (await api.call('preview.send', { sessionId: session.sessionId, text: 'Hmm, a question about something unusual entirely.' })) as { answered: boolean };
    expect(turn.answered).toBe(true);
    const routing = fake.requests.find((r) => JSON.stringify(r.body.tool_choice ?? '').includes('route'));
    expect(JSON.stringify(routing?.body.system)).toContain('Refund request'); // live
    expect(JSON.stringify(routing?.body.system)).not.toContain('Order status'); // a draft, never published
  });

  it('checks starting attributes against the declared types, and names the problem', async () => {
    const { api } = await setUp(agentScript());
    const target = { kind: 'draft', name: 'Order status' };
    await expect(start(api, { target, attributes: { vip: 'yes' } })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('vip must be true or false') });
    await expect(start(api, { target, attributes: { tier: 'gold' } })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('declares no attribute "tier"') });
    const conversations = await api.workspace.conversationStore.conversations.list({ kind: 'preview' });
    expect(conversations).toHaveLength(0); // nothing was started
  });

  it('refuses a text with errors, naming the line, and one with warnings unless run anyway', async () => {
    const { api } = await setUp(agentScript());
    const broken = `${ORDER}\n## \n`;
    await expect(start(api, { target: { kind: 'text', name: 'Order status', text: broken } })).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/cannot be previewed: it has \d+ errors?\.\n {2}line \d+:/) });
    const warned = ORDER.replace('@end', '@handoff Nobody team');
    await expect(start(api, { target: { kind: 'text', name: 'Order status', text: warned } })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('Run anyway') });
    const session = await start(api, { target: { kind: 'text', name: 'Order status', text: warned }, runAnyway: true });
    expect(session).toMatchObject({ warnings: [expect.stringContaining('Nobody team')] });
  });

  it('queues a message sent while a turn runs, and stop drops the running turn and the queue, leaving the conversation as it was', async () => {
    let slow = true;
    const { api, events } = await setUp(agentScript(() => (slow ? { ...toolCalls(['reply', { message: 'Too late.' }]), delayMs: 3_000 } : null)));
    const session = await start(api, { target: { kind: 'draft', name: 'Order status' } });
    const first = api.call('preview.send', { sessionId: session.sessionId, text: 'Where is my order?' }) as Promise<{ answered: boolean }>;
    const second = api.call('preview.send', { sessionId: session.sessionId, text: 'Hello?' }) as Promise<{ answered: boolean }>;
    await expect.poll(() => events.some((e) => e.event === 'preview.status' && JSON.stringify(e.payload).includes('"queued":["Hello?"]') && JSON.stringify(e.payload).includes('"running":true'))).toBe(true);
    await expect.poll(() => events.some((e) => e.event === 'preview.trace' && JSON.stringify(e.payload).includes('connector_call'))).toBe(true);
    const stopped = (await api.call('preview.stop', { sessionId: session.sessionId })) as { queued: string[] };
    expect(stopped.queued).toEqual([]);
    expect(await first).toMatchObject({ answered: false, status: { error: expect.stringContaining('Stopped') } });
    expect(await second).toMatchObject({ answered: false });
    const stored = await api.workspace.conversationStore.conversations.messages(session.conversationId);
    expect(stored).toEqual([]); // the stopped turn was never saved
    const status = (await first as unknown as { status: { traceLength: number } }).status;
    expect(status.traceLength).toBe(session.trace.length);

    slow = false;
    const again = (await api.call('preview.send', { sessionId: session.sessionId, text: 'Where is my order?' })) as { answered: boolean; replies: string[] };
    expect(again).toMatchObject({ answered: true, replies: [LONG_REPLY] });
    expect((await api.workspace.conversationStore.conversations.messages(session.conversationId)).map((m) => m.content)).toEqual(['Where is my order?', LONG_REPLY]);
  });

  it('shows a model failure in the pane and keeps the conversation and its transcript', async () => {
    let fail = true;
    const { api } = await setUp(agentScript(() => (fail ? { status: 400, error: { type: 'invalid_request_error', message: 'prompt is too long' } } : null)));
    const session = await start(api, { target: { kind: 'draft', name: 'Order status' } });
    const turn = (await api.call('preview.send', { sessionId: session.sessionId, text: 'Where is my order?' })) as { answered: boolean; status: { error: string | null } };
    expect(turn.answered).toBe(true);
    expect(turn.status.error).toMatch(/The model failed during this turn .*prompt is too long.*kept/);
    const stored = await api.workspace.conversationStore.conversations.messages(session.conversationId);
    expect(stored.map((m) => m.content)).toContain('Where is my order?');
    const reopened = (await api.call('preview.open', { conversationId: session.conversationId })) as Session;
    expect(reopened.trace.some((e) => e.type === 'model_outage')).toBe(true);
    expect(reopened.transcript[0]).toEqual({ role: 'customer', text: 'Where is my order?' });
    fail = false;
  });

  it('resets to a new conversation with the same target, and refuses a session that was closed', async () => {
    const { api } = await setUp(agentScript());
    const session = await start(api, { target: { kind: 'draft', name: 'Order status' }, attributes: { order_id: '7' } });
    await api.call('preview.send', { sessionId: session.sessionId, text: 'Where is my order?' });
    const fresh = (await api.call('preview.reset', { sessionId: session.sessionId })) as Session;
    expect(fresh.conversationId).not.toBe(session.conversationId);
    expect(fresh.transcript).toEqual([]);
    expect(fresh.trace[0]!.payload).toMatchObject({ name: 'order_id', value: '7' }); // same starting attributes
    await expect(api.call('preview.send', { sessionId: session.sessionId, text: 'Hi' })).rejects.toMatchObject({ code: 'not-found' });
    await api.call('preview.close', { sessionId: fresh.sessionId });
    await expect(api.call('preview.send', { sessionId: fresh.sessionId, text: 'Hi' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(api.call('preview.send', { sessionId: 'x', text: '' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(start(api, { target: { kind: 'draft', name: 'Order status' }, connectors: { mode: 'mock', world: 'mars' } })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('mars') });
  });

  it('saves a conversation as a simulation: goal and facts from what the customer said, criteria from the outcome; the command line lists it', async () => {
    const { api } = await setUp(agentScript());
    const session = await start(api, { target: { kind: 'draft', name: 'Order status' }, attributes: { vip: true } });
    await expect(api.call('preview.saveAsSimulation', { conversationId: session.conversationId, name: 'Too early' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('no customer message') });
    await api.call('preview.send', { sessionId: session.sessionId, text: 'Where is my order 7?' });
    expect(await api.call('preview.saveAsSimulation', { conversationId: session.conversationId, name: 'Where is my order' })).toEqual({ procedure: 'Order status', name: 'Where is my order' });
    const saved = api.workspace.simulations.get('Order status', 'Where is my order')!.definition;
    expect(saved.customer).toMatchObject({ reason: 'Where is my order 7?', opening: 'Where is my order 7?' });
    expect(saved.context).toEqual({ vip: true });
    expect(saved.expectedActions).toEqual([{ action: 'crm.lookup' }]);
    expect(saved.finalStatus).toEqual({ status: 'ended' });
    expect(saved.criteria.map((c) => c.name)).toEqual(['Resolves', 'Uses crm.lookup']);
    expect(saved.tags).toContain('from-preview');
    await expect(api.call('preview.saveAsSimulation', { conversationId: session.conversationId, name: 'Where is my order' })).rejects.toMatchObject({ code: 'conflict' });

    const io = captureIo(api.home);
    expect(await runCli(['simulations', 'list', '--workspace', api.workspace.path], io)).toBe(0);
    expect(io.stdout()).toContain('Where is my order');
  });

  it('shows the mock world a mocked conversation left behind', { timeout: 90_000 }, async () => {
    const fake = await startFake((request) =>
      JSON.stringify(request.body.messages).includes('tool_result')
        ? toolCalls(['reply', { message: 'Filed.' }], ['end_procedure', { summary: 'Filed.' }])
        : toolCalls(['tickets__create_issue', { title: 'Checkout is broken', description: 'The pay button does nothing.' }]),
    );
    const api = engine({ python: true });
    await api.call('procedures.create', { name: 'File a ticket' });
    await api.call('procedures.saveDraft', { name: 'File a ticket', text: '---\nname: File a ticket\ntrigger: The customer reports a bug.\n---\n\n## Open it\nOpen an issue with @tickets.create_issue and tell the customer its identifier. @end\n' });
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-test-key' });
    const session = await start(api, { target: { kind: 'draft', name: 'File a ticket' }, connectors: { mode: 'mock', world: 'shop' } });
    expect(await api.call('preview.world', { conversationId: session.conversationId })).toBeNull(); // nothing changed yet
    await api.call('preview.send', { sessionId: session.sessionId, text: 'Checkout is broken' });
    const final = (await api.call('preview.world', { conversationId: session.conversationId })) as { startedFrom: string; world: { tickets: { issues: { title: string }[] } } };
    expect(final.startedFrom).toBe('shop');
    expect(final.world.tickets.issues.at(-1)?.title).toBe('Checkout is broken');
    await expect(api.call('preview.world', { conversationId: 999_999 })).rejects.toMatchObject({ code: 'not-found' });
  });
});
