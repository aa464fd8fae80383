// SQLite at full durability (the default): no turn is answered before its commit is on disk, and
// the turns of concurrent conversations share one sync of the WAL (group commit) instead of each
// stalling the event loop with an fsync of its own.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, newSigner, startServer, useTempDir, writeBundle, type RunningServer, type Signer } from './helpers';

const startFake = useFakeAnthropic();
const tempDir = useTempDir();

/** A WAL sync the test watches: each sync records how many messages the database held then, and fails while told to. */
function watchedSync(database: () => string) {
  const seen: number[] = [];
  let failing = false;
  return {
    seen,
    fail: (value: boolean) => void (failing = value),
    sync: () => {
      const db = new Database(database(), { readonly: true });
      try {
        seen.push(db.prepare('SELECT count(*) FROM messages').pluck().get() as number);
      } finally {
        db.close();
      }
      if (failing) throw new Error('EIO: the disk refused the sync');
    },
  };
}

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

  async function serve(sync: () => void, extra: Record<string, unknown> = {}) {
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

  it('answers a turn only after a sync of the WAL that holds its commit', async () => {
    const wal = watchedSync(() => join(dir, 'server.sqlite'));
    const server = await serve(wal.sync);
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const before = wal.seen.length;
    const response = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ conversationId: id, replies: ['Hello!'] });
    // A sync made before the answer saw the turn's two messages committed.
    expect(wal.seen.slice(before)).toContain(messagesIn(server.database, id));
    expect(messagesIn(server.database, id)).toBe(2);
  });

  it('does not answer a turn whose sync failed; a retry with its key answers it once the disk syncs', async () => {
    const wal = watchedSync(() => join(dir, 'server.sqlite'));
    const server = await serve(wal.sync);
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    wal.fail(true);
    const failed = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' }, headers: { 'idempotency-key': 'k1' } });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(await failed.json())).not.toContain('Hello!');
    wal.fail(false);
    const retried = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' }, headers: { 'idempotency-key': 'k1' } });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await retried.json()).toMatchObject({ replies: ['Hello!'] });
    expect(messagesIn(server.database, id)).toBe(2); // run once
  });

  it('syncs at most once per turn when many conversations post at once, and covers every one', async () => {
    const wal = watchedSync(() => join(dir, 'server.sqlite'));
    const server = await serve(wal.sync);
    const ids: number[] = [];
    for (let index = 0; index < 8; index++) ids.push(((await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number }).id);
    const before = wal.seen.length;
    const responses = await Promise.all(ids.map((id) => server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } })));
    expect(responses.map((response) => response.status)).toEqual(ids.map(() => 200));
    // Eight turns: never more syncs than turns (the grouping itself is store/wal-group-sync's test), and the last sync
    // before the last answer saw all sixteen messages.
    expect(wal.seen.length - before).toBeGreaterThan(0);
    expect(wal.seen.length - before).toBeLessThanOrEqual(8);
    expect(Math.max(...wal.seen)).toBe(16);
  });

  it('does not sync at all when the config relaxes durability', async () => {
    const wal = watchedSync(() => join(dir, 'server.sqlite'));
    const server = await serve(wal.sync, { sqliteDurability: 'relaxed' });
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    expect((await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hi there' } })).status).toBe(200);
    expect(wal.seen).toEqual([]);
  });
});
