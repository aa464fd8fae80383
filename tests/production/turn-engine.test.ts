// On SQLite the server runs whole turns on one engine, which keeps each conversation's state from
// its last turn rather than reading it back; streamed turns run on engines of their own. A
// conversation may alternate between the two: a whole turn after a streamed one must start from the
// state the streamed turn saved, never from the one the shared engine remembered before it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Workspace } from '../../main/store/workspace';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { parseSse, RETURNS_PROCEDURE, useShop } from './helpers';

const startFake = useFakeAnthropic();

describe('the engine whole turns share on SQLite', () => {
  const shop = useShop([RETURNS_PROCEDURE]);
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A server whose model answers "Reply N" to the Nth reply call; `loads` counts the state reads of its store. */
  async function serve() {
    let replies = 0;
    const fake = await startFake((request) =>
      request.body.tools?.some((tool) => tool.name === 'route')
        ? toolCall('route', { procedure: 'Returns', reason: 'return' })
        : toolCalls(['reply', { message: `Which item would you like to return? (Reply ${++replies})` }]),
    );
    const loads = { count: 0 };
    const open = Workspace.open.bind(Workspace);
    vi.spyOn(Workspace, 'open').mockImplementation((...args: Parameters<typeof Workspace.open>) => {
      const workspace = open(...args);
      const turns = workspace.conversationStore.turns;
      const load = turns.load.bind(turns);
      vi.spyOn(turns, 'load').mockImplementation((id) => {
        loads.count++;
        return load(id);
      });
      return workspace;
    });
    return { server: await shop.serve(fake), fake, loads };
  }

  it('reads a conversation\'s state back only for its first whole turn', async () => {
    const { server, loads } = await serve();
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const before = loads.count;
    for (let turn = 1; turn <= 3; turn++) {
      const response = await server.request(`/v1/conversations/${id}/messages`, { json: { text: `I want to return a mug (${turn})` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ turn, replies: [`Which item would you like to return? (Reply ${turn})`] });
    }
    expect(loads.count - before).toBe(1);
  });

  it('starts a whole turn after a streamed one from the state the streamed turn saved', async () => {
    const { server, fake } = await serve();
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    expect((await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'I want to return a mug' } })).status).toBe(200);
    const streamed = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'The blue one', stream: true } });
    expect(parseSse(await streamed.text()).at(-1)).toEqual({ event: 'turn', data: expect.objectContaining({ turn: 2, replies: ['Which item would you like to return? (Reply 2)'] }) });

    const whole = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'It arrived chipped' } });
    expect(whole.status).toBe(200);
    expect(await whole.json()).toMatchObject({ turn: 3, replies: ['Which item would you like to return? (Reply 3)'] });
    // The model saw the streamed turn: the customer's message and the reply to it.
    const lastRequest = JSON.stringify(fake.requests.at(-1)!.body.messages);
    expect(lastRequest).toContain('The blue one');
    expect(lastRequest).toContain('(Reply 2)');
    const transcript = (await (await server.request(`/v1/conversations/${id}/transcript`)).json()) as { messages: { role: string; content: string }[] };
    expect(transcript.messages.map((message) => message.content)).toEqual([
      'I want to return a mug',
      'Which item would you like to return? (Reply 1)',
      'The blue one',
      'Which item would you like to return? (Reply 2)',
      'It arrived chipped',
      'Which item would you like to return? (Reply 3)',
    ]);
  });
});
