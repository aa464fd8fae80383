// SQLite at full durability (the default): every commit of a conversation — its creation, each turn,
// its close — is made at synchronous=FULL, so SQLite has synced the WAL before the commit returns
// and no answer goes out before its turn is on disk. `sqliteDurability: relaxed` commits at NORMAL.
// The server's own connection is watched through HTTP turns: the level in effect when each
// conversation write commits, and every change of it.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Workspace } from '../../main/store/workspace';
import { sqlOf } from '../store/sql';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, useShop } from './helpers';

const startFake = useFakeAnthropic();

const FULL = 2;
const NORMAL = 1;

describe('conversation commits on SQLite', () => {
  const shop = useShop([GREETING_PROCEDURE()]);
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /**
   * Starts a server and watches its connection: `levels` gets the synchronous level in effect at
   * each COMMIT of a transaction, `set` every `synchronous = …` the store makes.
   */
  async function serve(extra: Record<string, unknown> = {}) {
    const fake = await startFake((request) =>
      request.body.tools?.some((tool) => tool.name === 'route') ? toolCall('route', { procedure: 'Greeting', reason: 'hello' }) : toolCalls(['reply', { message: 'Hello!' }]),
    );
    const levels: number[] = [];
    const set: string[] = [];
    const open = Workspace.open.bind(Workspace);
    vi.spyOn(Workspace, 'open').mockImplementation((...args: Parameters<typeof Workspace.open>) => {
      const workspace = open(...args);
      const sql = sqlOf(workspace);
      const pragma = sql.pragma.bind(sql);
      vi.spyOn(sql, 'pragma').mockImplementation(((source: string, options?: Database.PragmaOptions) => {
        if (source.startsWith('synchronous =')) set.push(source);
        return pragma(source, options);
      }) as typeof sql.pragma);
      // A write transaction commits as its work returns (store/write-transaction.ts): the level then is the commit's.
      const transaction = sql.transaction.bind(sql);
      vi.spyOn(sql, 'transaction').mockImplementation(((work: (...input: unknown[]) => unknown) =>
        transaction((...input: unknown[]) => {
          const result = work(...input);
          levels.push(pragma('synchronous', { simple: true }) as number);
          return result;
        })) as typeof sql.transaction);
      return workspace;
    });
    const server = await shop.serve(fake, { rateLimit: { burst: 1000, perSecond: 1000 }, ...extra });
    return { server, levels, set };
  }

  const messagesIn = (database: string, conversationId: number) => {
    const db = new Database(database, { readonly: true });
    try {
      return db.prepare('SELECT count(*) FROM messages WHERE conversation_id = ?').pluck().get(conversationId) as number;
    } finally {
      db.close();
    }
  };

  it('commits every conversation write at synchronous=FULL by default, before answering', async () => {
    const { server, levels, set } = await serve();
    const before = levels.length;
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const response = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ conversationId: id, replies: ['Hello!'] });
    expect((await server.request(`/v1/conversations/${id}/close`, { method: 'POST' })).status).toBe(200);
    // The creation, the turn and the close each committed, every one at FULL; nothing lowered it.
    const commits = levels.slice(before);
    expect(commits.length).toBeGreaterThanOrEqual(2);
    expect(new Set(commits)).toEqual(new Set([FULL]));
    expect(set).toEqual([]);
    expect(messagesIn(server.database, id)).toBe(2);
  });

  it('commits at synchronous=NORMAL when the config relaxes durability, and leaves the connection at FULL', async () => {
    const { server, levels, set } = await serve({ sqliteDurability: 'relaxed' });
    const before = levels.length;
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    expect((await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } })).status).toBe(200);
    const commits = levels.slice(before);
    expect(commits.length).toBeGreaterThanOrEqual(2);
    expect(new Set(commits)).toEqual(new Set([NORMAL]));
    expect(set.filter((source) => source === 'synchronous = NORMAL').length).toBe(set.filter((source) => source === 'synchronous = FULL').length);
    expect(set.at(-1)).toBe('synchronous = FULL');
    expect(messagesIn(server.database, id)).toBe(2);
  });
});
