// SQLite at full durability (the default): no turn is answered before its commit is on disk, and
// the turns of concurrent conversations share one sync of the WAL (group commit) instead of each
// stalling the event loop with an fsync of its own.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, newSigner, startServer, useTempDir, waitFor, writeBundle, type RunningServer, type Signer } from './helpers';

const startFake = useFakeAnthropic();
const tempDir = useTempDir();

/** A WAL sync the test can hold: while held, every sync waits for release(). */
function controlledSync() {
  const files: string[] = [];
  const pending: (() => void)[] = [];
  let holding = false;
  return {
    files,
    sync: (file: string) => {
      files.push(file);
      return holding ? new Promise<void>((resolve) => pending.push(resolve)) : Promise.resolve();
    },
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const resolve of pending.splice(0)) resolve();
    },
  };
}

const settledSoon = async (promise: Promise<unknown>, ms: number) => {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return done;
};

describe('turns at full durability on SQLite', () => {
  let dir: string;
  let signer: Signer;
  let running: RunningServer | null = null;
  let bundle: string;

  beforeEach(async () => {
    dir = tempDir();
    signer = await newSigner(dir);
    bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [GREETING_PROCEDURE()]);
  });
  afterEach(async () => {
    await running?.close();
    running = null;
    signer.close();
  });

  async function serve(sync: (file: string) => Promise<void>, extra: Record<string, unknown> = {}) {
    const fake = await startFake((request) =>
      request.body.tools?.some((tool) => tool.name === 'route') ? toolCall('route', { procedure: 'Greeting', reason: 'hello' }) : toolCalls(['reply', { message: 'Hello!' }]),
    );
    running = await startServer(
      { bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), rateLimit: { burst: 1000, perSecond: 1000 }, ...extra },
      { ANTHROPIC_API_KEY: 'sk-test-model-key', ANTHROPIC_BASE_URL: fake.url },
      { fileSync: sync },
    );
    return running;
  }

  const messagesIn = (database: string, conversationId: number) => {
    const db = new Database(database, { readonly: true });
    try {
      return db.prepare('SELECT count(*) FROM messages WHERE conversation_id = ?').pluck().get(conversationId) as number;
    } finally {
      db.close();
    }
  };

  it('answers a turn only once the WAL holding its commit is synced', async () => {
    const wal = controlledSync();
    const server = await serve(wal.sync);
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    wal.hold();
    const answer = server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } });
    // The turn is committed (another connection sees it) but not answered while its sync is held.
    await waitFor(() => messagesIn(server.database, id) === 2, 'the turn to be committed');
    expect(await settledSoon(answer, 300)).toBe(false);
    expect(wal.files.at(-1)).toBe(`${join(dir, 'server.sqlite')}-wal`);
    wal.release();
    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ conversationId: id, replies: ['Hello!'] });
  });

  it('syncs once for the turns of many conversations committed meanwhile, not once per turn', async () => {
    const wal = controlledSync();
    const server = await serve(wal.sync);
    const ids: number[] = [];
    for (let index = 0; index < 8; index++) ids.push(((await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number }).id);
    wal.hold();
    const before = wal.files.length;
    const answers = ids.map((id) => server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } }));
    await waitFor(() => ids.every((id) => messagesIn(server.database, id) === 2), 'all eight turns to be committed');
    // One sync is running (held); every turn committed after it began waits for the one next sync.
    expect(wal.files.length - before).toBeLessThanOrEqual(2);
    wal.release();
    const responses = await Promise.all(answers);
    expect(responses.map((response) => response.status)).toEqual(ids.map(() => 200));
    expect(wal.files.length - before).toBeLessThanOrEqual(2);
  });

  it('does not sync at all when the config relaxes durability', async () => {
    const wal = controlledSync();
    const server = await serve(wal.sync, { sqliteDurability: 'relaxed' });
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    expect((await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } })).status).toBe(200);
    expect(wal.files).toEqual([]);
  });
});
