// Attacks on the PostgreSQL store's turn path (the lock scope, the pipelined save and commit, the
// API key cache), from a skeptical review. On a real PostgreSQL: each test tries to break one promise the store makes.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { usePostgres } from '../support/postgres';
import { messagesSeenElsewhere, sql, turn, until } from './postgres-fixtures';

const postgres = usePostgres();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The backend holding conversation `id`'s lock. */
const lockHolderPid = async (url: string, id: number) =>
  (await sql<{ pid: number }>(url, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1", [id]))[0]?.pid;

const dbName = (url: string) => new URL(url).pathname.slice(1);

// Unhandled rejections fail a production server run with --unhandled-rejections=strict: none allowed.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

describe('PostgreSQL attacks: the lock scope', () => {
  it('keeps nothing of a write the holder started when its work fails before that write is answered', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await expect(
        store.withConversationLock(id, async () => {
          // Two things at once, one of which fails: the usual Promise.all.
          await Promise.all([store.production.close(id), Promise.reject(new Error('the reply could not be sent'))]);
        }),
      ).rejects.toThrow('the reply could not be sent');
      await sleep(300);
      // The holder failed: none of its writes may be kept (they were in the lock's transaction).
      expect((await sql(url, 'SELECT closed_at FROM production_conversations WHERE conversation_id = $1', [id])).length).toBe(0);
      expect((await sql<{ status: string }>(url, 'SELECT status FROM conversations WHERE id = $1', [id]))[0]!.status).toBe('active');
    } finally {
      await store.close();
    }
  });

  it('never runs a statement of a failed holder inside the next holder\'s transaction on the reused lock connection', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url: `${url}?stepwise_lock_pool_size=1` });
    try {
      const a = (await store.conversations.create({ kind: 'production' })).id;
      const b = (await store.conversations.create({ kind: 'production' })).id;
      const failing = store.withConversationLock(a, async () => {
        await Promise.all([store.production.close(a), Promise.reject(new Error('holder A failed'))]);
      });
      // B queues for the single lock connection and gets it as soon as A's is released.
      const second = store.withConversationLock(b, async () => {
        await sleep(100);
        await store.production.saveTurn(b, turn('b'), { procedure: 'Returns', outbox: [] });
      });
      await expect(failing).rejects.toThrow('holder A failed');
      await second;
      await sleep(300);
      // Which transaction wrote what: nothing of A's may have been committed by B's transaction.
      const bTransaction = (await sql<{ xmin: string }>(url, 'SELECT xmin::text FROM messages WHERE conversation_id = $1', [b]))[0]!.xmin;
      const aRows = await sql<{ xmin: string }>(url, 'SELECT xmin::text FROM production_conversations WHERE conversation_id = $1', [a]);
      expect(aRows.map((row) => row.xmin)).not.toContain(bTransaction);
    } finally {
      await store.close();
    }
  });

  it('does not answer the holder from what the lock read after a unit of work it ran has saved a turn', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.withConversationLock(id, async () => {
        expect(await store.turns.load(id)).toBeNull();
        // Committed on the pool, in a transaction of its own, before the holder reads again.
        await store.unitOfWork((repos) => repos.turns.save(id, turn('by the unit')));
        expect((await store.turns.load(id))?.history).toEqual([{ said: 'by the unit' }]);
        await store.production.saveTurn(id, turn('by the holder', { history: [{ said: 'by the unit' }, { said: 'by the holder' }] }), { procedure: 'Returns', outbox: [] });
      });
      expect(await messagesSeenElsewhere(url, id)).toEqual(['by the unit', 'by the holder']);
    } finally {
      await store.close();
    }
  });

  it('hands the holder a fresh state on each load, as the database does, not one object a caller may have changed', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.production.saveTurn(id, turn('stored'), { procedure: 'Returns', outbox: [] });
      await store.withConversationLock(id, async () => {
        const first = await store.turns.load(id);
        // A caller working on what it loaded (as a turn does with its state).
        first!.history.push({ said: 'not saved' });
        (first!.state as { said: string }).said = 'changed in memory';
        expect(await store.turns.load(id)).toEqual({ state: { said: 'stored', history: [] }, history: [{ said: 'stored' }] });
      });
    } finally {
      await store.close();
    }
  });

  it('does not hang a unit of work its holder starts on a row the lock\'s transaction wrote', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url, lockTimeoutMs: 1_000 });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      const holding = store.withConversationLock(id, async () => {
        await store.conversations.setStatus(id, 'escalated');
        // A unit of work runs on the pool, in a transaction of its own: it waits for the lock's commit, which waits for it.
        await store.unitOfWork((repos) => repos.conversations.setStatus(id, 'ended'));
        return 'done';
      });
      const outcome = await Promise.race([holding.then(
        (value) => value,
        (error: Error) => `failed: ${error.message}`,
      ), sleep(4_000).then(() => 'still waiting after 4 s')]);
      expect(outcome).not.toBe('still waiting after 4 s');
    } finally {
      // Free the hung unit (its backend waits on the lock's row) so the store can close.
      await sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'", [dbName(url)]);
      await store.close();
    }
  });
});

describe('PostgreSQL attacks: pipelined lock connections', () => {
  it('after a lock wait that timed out on a fresh connection, the same connection takes the lock, reads and saves a turn', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url: `${url}?stepwise_lock_pool_size=1`, lockTimeoutMs: 150 });
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.production.saveTurn(id, turn('first'), { procedure: 'Returns', outbox: [] });
      await blocker.query('SELECT pg_advisory_lock($1)', [id]);
      // The lock's statement fails, and with it the prepared read pipelined behind it (never parsed).
      await expect(store.withConversationLock(id, async () => 'ran')).rejects.toThrow(new RegExp(`Conversation ${id} is busy`));
      await blocker.query('SELECT pg_advisory_unlock($1)', [id]);
      const pids = new Set<number>();
      for (const content of ['second', 'third']) {
        await store.withConversationLock(id, async () => {
          pids.add((await lockHolderPid(url, id))!);
          const loaded = await store.turns.load(id);
          await store.production.saveTurn(id, turn(content, { history: [...loaded!.history, { said: content }] }), { procedure: 'Returns', outbox: [] });
        });
      }
      expect(pids.size).toBe(1);
      expect(await messagesSeenElsewhere(url, id)).toEqual(['first', 'second', 'third']);
      expect(unhandled).toEqual([]);
    } finally {
      await blocker.end();
      await store.close();
    }
  });

  it('fails a turn whose lock connection dies with the save in flight, keeps nothing, leaves no unhandled rejection, and serves the next turn', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url: `${url}?stepwise_lock_pool_size=1` });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      const holding = store.withConversationLock(id, async () => {
        const pid = await lockHolderPid(url, id);
        await store.production.saveTurn(id, turn('lost'), { procedure: 'Returns', outbox: [{ event: 'handoff', body: '{}' }] });
        // The save is on its way; the connection goes before the COMMIT is sent.
        await sql(url, 'SELECT pg_terminate_backend($1)', [pid]);
        await sleep(50);
        return 'answered';
      });
      await expect(holding).rejects.toThrow(/connection to PostgreSQL was lost|Client has encountered a connection error/);
      expect(await messagesSeenElsewhere(url, id)).toEqual([]);
      expect(await store.production.pendingOutbox()).toBe(0);
      await store.withConversationLock(id, async () => {
        expect(await store.turns.load(id)).toBeNull();
        await store.production.saveTurn(id, turn('kept'), { procedure: 'Returns', outbox: [] });
      });
      expect(await messagesSeenElsewhere(url, id)).toEqual(['kept']);
      await sleep(50);
      expect(unhandled).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('answers an Idempotency-Key raced by two instances once: the loser fails, nothing of it kept', async () => {
    const url = await postgres.createDatabase();
    const first = await PostgresConversationStore.open({ url });
    const second = await PostgresConversationStore.open({ url });
    try {
      const { id } = await first.conversations.create({ kind: 'production' });
      const idempotency = { keyId: 1, key: 'k-1', requestHash: 'h', response: '{"n":1}' };
      // Both instances checked the key before the lock (not found) and now run the turn; neither re-checks.
      const race = await Promise.allSettled(
        [first, second].map((store, n) =>
          store.withConversationLock(id, async () => {
            const loaded = await store.turns.load(id);
            await sleep(50);
            await store.production.saveTurn(id, turn(`from ${n}`, { history: [...(loaded?.history ?? []), { said: `from ${n}` }] }), { procedure: 'Returns', outbox: [{ event: 'handoff', body: `{"n":${n}}` }], idempotency });
            return n;
          }),
        ),
      );
      expect(race.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const lost = race.find((result): result is PromiseRejectedResult => result.status === 'rejected')!;
      expect(String(lost.reason)).toMatch(/Idempotency-Key "k-1" was already used/);
      expect(await messagesSeenElsewhere(url, id)).toHaveLength(1);
      expect(await first.production.pendingOutbox()).toBe(1);
      expect(unhandled).toEqual([]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('PostgreSQL attacks: the API key listener', () => {
  it('retries about once a second while the database refuses it, not in a tight loop, and keeps keys again once back', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    const connects = vi.spyOn(pg.Client.prototype, 'connect');
    try {
      await store.production.createApiKey({ name: 'ops', scope: 'conversations', tokenHash: 'hash-ops', fingerprint: 'key:ops' });
      await sql(url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `ALTER DATABASE "${dbName(url)}" WITH ALLOW_CONNECTIONS false`);
      connects.mockClear();
      await sql(url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN stepwise_api_keys'", [dbName(url)]);
      await sleep(3_000);
      const attempts = connects.mock.calls.length;
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(5);
      await sql(url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `ALTER DATABASE "${dbName(url)}" WITH ALLOW_CONNECTIONS true`);
      await until(async () => (await sql(url, "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN stepwise_api_keys'", [dbName(url)])).length === 1, 'the listener is back', 5_000);
      // Revoked by hand: heard, so refused at once.
      await store.production.apiKeyByHash('hash-ops');
      await sql(url, "UPDATE api_keys SET revoked_at = now() WHERE fingerprint = 'key:ops'");
      await until(async () => (await store.production.apiKeyByHash('hash-ops')) === null, 'the revoked key is refused', 2_000);
    } finally {
      connects.mockRestore();
      await sql(url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `ALTER DATABASE "${dbName(url)}" WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
      await store.close();
    }
  });

  it('leaves no connection and no retry behind when closed while its listener is reconnecting', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    await sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN stepwise_api_keys'", [dbName(url)]);
    await sleep(20);
    await store.close();
    // A retry that fires after close would open a listening connection again.
    await sleep(1_500);
    const left = await sql(url, 'SELECT pid, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [dbName(url)]);
    expect(left).toEqual([]);
  });
});
