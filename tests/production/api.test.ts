// The production server's conversation API through real HTTP: a signed bundle served, the model
// answered by the fake Messages API through the real SDK, every bad input a 4xx JSON error.
import { describe, expect, it } from 'vitest';
import { reply, toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, HANDOFF_PROCEDURE, parseSse, useShop } from './helpers';

const startFake = useFakeAnthropic();

describe('the conversation API', () => {
  const shop = useShop([HANDOFF_PROCEDURE, GREETING_PROCEDURE()]);

  async function serve(script: Parameters<typeof startFake>[0], extra: Record<string, unknown> = {}) {
    const fake = await startFake(script);
    return { fake, server: await shop.serve(fake, extra) };
  }

  it('creates a conversation, routes the first message between the bundle\'s Procedures and answers the turn', async () => {
    const { server, fake } = await serve([
      toolCall('route', { procedure: 'Greeting', reason: 'hello' }),
      toolCalls(['reply', { message: 'Hello! How can I help?' }]),
    ]);
    const created = await server.request('/v1/conversations', { json: { externalId: 'chat-1', attributes: { plan: 'pro' } } });
    expect(created.status).toBe(201);
    const conversation = (await created.json()) as { id: number; status: string; attributes: Record<string, unknown> };
    expect(conversation).toMatchObject({ externalId: 'chat-1', status: 'waiting', attributes: { plan: 'pro' } });

    const turn = await server.request(`/v1/conversations/${conversation.id}/messages`, { json: { text: 'Hi there' } });
    expect(turn.status).toBe(200);
    expect(await turn.json()).toMatchObject({ conversationId: conversation.id, turn: 1, replies: ['Hello! How can I help?'] });
    // The router saw both live Procedures of the bundle, through the real SDK.
    expect(JSON.stringify(fake.requests[0]!.body)).toContain('Order help');
    expect(JSON.stringify(fake.requests[0]!.body)).toContain('Greeting');

    const state = (await (await server.request(`/v1/conversations/${conversation.id}`)).json()) as { procedure: string; turn: number };
    expect(state).toMatchObject({ procedure: 'Greeting', turn: 1 });
    const transcript = (await (await server.request(`/v1/conversations/${conversation.id}/transcript`)).json()) as { messages: { role: string; content: string }[] };
    expect(transcript.messages.map((message) => [message.role, message.content])).toEqual([
      ['customer', 'Hi there'],
      ['agent', 'Hello! How can I help?'],
    ]);
    const trace = (await (await server.request(`/v1/conversations/${conversation.id}/trace`)).json()) as { events: { type: string }[] };
    expect(trace.events.map((event) => event.type)).toEqual(expect.arrayContaining(['route', 'procedure_start', 'model_call', 'agent_message']));
  });

  it('is idempotent on the external id: creating again returns the first conversation', async () => {
    const { server } = await serve([]);
    const first = await server.request('/v1/conversations', { json: { externalId: 'ticket-77' } });
    const again = await server.request('/v1/conversations', { json: { externalId: 'ticket-77', attributes: { plan: 'free' } } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: number }).id).toBe(((await first.json()) as { id: number }).id);
    const concurrent = await Promise.all([1, 2, 3].map(() => server.request('/v1/conversations', { json: { externalId: 'ticket-78' } })));
    const ids = new Set(await Promise.all(concurrent.map(async (response) => ((await response.json()) as { id: number }).id)));
    expect(ids.size).toBe(1);
    const list = (await (await server.request('/v1/conversations')).json()) as { conversations: unknown[] };
    expect(list.conversations).toHaveLength(2);
  });

  it('streams the reply over server-sent events, then the whole turn', async () => {
    const message = 'Hello! I am here to help you with anything about your order or account.';
    const { server } = await serve([toolCall('route', { procedure: 'Greeting', reason: 'hello' }), toolCalls(['reply', { message }])]);
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const response = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello', stream: true } });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await response.text());
    const replies = events.filter((event) => event.event === 'reply').map((event) => (event.data as { text: string }).text);
    expect(replies.length).toBeGreaterThan(2);
    expect(replies.at(-1)).toBe(message);
    for (let index = 1; index < replies.length; index++) expect(replies[index]!.startsWith(replies[index - 1]!)).toBe(true);
    expect(events.at(-1)).toEqual({ event: 'turn', data: expect.objectContaining({ conversationId: id, replies: [message] }) });
  });

  it('runs a post retried with the same Idempotency-Key once, and answers the retry with the same turn', async () => {
    const { server, fake } = await serve([
      toolCall('route', { procedure: 'Greeting', reason: 'hello' }),
      { ...toolCalls(['reply', { message: 'Hello once.' }]), delayMs: 150 },
      toolCalls(['reply', { message: 'A second, different turn.' }]),
    ]);
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const post = () => server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi' }, headers: { 'idempotency-key': 'msg-1' } });
    // One retry while the turn still runs, one after it finished.
    const [first, during] = await Promise.all([post(), new Promise((resolve) => setTimeout(resolve, 40)).then(post)]);
    const after = await post();
    const bodies = await Promise.all([first, during, after].map((response) => response.json()));
    expect(bodies[0]).toMatchObject({ replies: ['Hello once.'], turn: 1 });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(fake.requests).toHaveLength(2);
    const transcript = (await (await server.request(`/v1/conversations/${id}/transcript`)).json()) as { messages: unknown[] };
    expect(transcript.messages).toHaveLength(2);
    // The same key for another message is a mistake, not a replay.
    const mismatch = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Something else' }, headers: { 'idempotency-key': 'msg-1' } });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.json()).toMatchObject({ error: { code: 'idempotency-mismatch' } });
  });

  it('hands off, and refuses a message to a handed-off or closed conversation', async () => {
    const { server } = await serve([
      toolCall('route', { procedure: 'Order help', reason: 'order' }),
      toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['reply', { message: 'A person from the orders team takes over.' }], ['handoff', { team: 'Orders team', summary: 'Order 1043.' }]),
      reply('unused'),
    ]);
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const turn = (await (await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Where is order 1043?' } })).json()) as { status: string };
    expect(turn).toMatchObject({ status: 'handed_off', outcome: { kind: 'handed_off', team: 'Orders team' } });
    const refused = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello?' } });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'conversation-closed' } });
    // Closing keeps the outcome: still handed off, still listed under it, with the time it was closed.
    const closedHandoff = await server.request(`/v1/conversations/${id}/close`, { method: 'POST' });
    expect(await closedHandoff.json()).toMatchObject({ status: 'handed_off', closedAt: expect.any(String) });
    const listed = (await (await server.request('/v1/conversations?status=handed_off')).json()) as { conversations: { id: number }[] };
    expect(listed.conversations.map((conversation) => conversation.id)).toEqual([id]);

    const other = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const closed = await server.request(`/v1/conversations/${other.id}/close`, { method: 'POST' });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ status: 'ended', closedAt: expect.any(String) });
    const afterClose = await server.request(`/v1/conversations/${other.id}/messages`, { json: { text: 'Hello?' } });
    expect(afterClose.status).toBe(409);
    expect(await afterClose.json()).toMatchObject({ error: { code: 'conversation-closed', message: expect.stringMatching(/closed/) } });
    // Streamed or not: a JSON refusal, not an event stream.
    const streamed = await server.request(`/v1/conversations/${other.id}/messages`, { json: { text: 'Hello?', stream: true } });
    expect(streamed.status).toBe(409);
    expect(streamed.headers.get('content-type')).toMatch(/^application\/json/);
    const streamedToHandedOff = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello?', stream: true } });
    expect(streamedToHandedOff.status).toBe(409);
    expect(await streamedToHandedOff.json()).toMatchObject({ error: { code: 'conversation-closed' } });

    const handedOff = (await (await server.request('/v1/conversations?status=handed_off')).json()) as { conversations: { id: number; procedure: string }[] };
    expect(handedOff.conversations).toEqual([expect.objectContaining({ id, procedure: 'Order help' })]);
    const byProcedure = (await (await server.request('/v1/conversations?procedure=Greeting')).json()) as { conversations: unknown[] };
    expect(byProcedure.conversations).toEqual([]);
    const future = (await (await server.request(`/v1/conversations?startedAfter=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json()) as { conversations: unknown[] };
    expect(future.conversations).toEqual([]);
  });
});
