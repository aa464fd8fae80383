// The ConversationStore contract on a real PostgreSQL (a throwaway cluster, tests/support/postgres.ts),
// and what is particular to PostgreSQL: the lock holds across instances (two stores, each with its
// own pools, on one database), its transaction carries the holder's writes, a connection lost
// midway keeps nothing, and a turn waits for a busy conversation only so long.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { TurnRecord } from '../../main/store/repositories';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { OUTBOX_LEASE_MS } from '../../main/store/postgres/production';
import { repoRoot } from '../support/paths';
import { recordStatements } from '../support/pg-statements';
import { usePostgres } from '../support/postgres';
import { describeConversationStore } from './contract/conversation-store';
import { describeProductionRepository } from './contract/production-repository';

const postgres = usePostgres();

describeConversationStore('PostgreSQL', async () => {
  const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
  return { store, close: () => store.close() };
});

describeProductionRepository('PostgreSQL', async () => {
  const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
  return { store, production: store.production, close: () => store.close() };
});

const turn = (content: string, overrides: Partial<TurnRecord> = {}): TurnRecord => ({
  state: { turn: content },
  history: [],
  status: 'waiting',
  newMessages: [{ role: 'agent', content }],
  trace: [{ type: 'reply', payload: { content } }],
  ...overrides,
});

/** Two "instances" on one database: each store has pools of its own, as two processes would. */
async function twoInstances(options: { lockTimeoutMs?: number } = {}) {
  const url = await postgres.createDatabase();
  const first = await PostgresConversationStore.open({ url, ...options });
  const second = await PostgresConversationStore.open({ url, ...options });
  return { url, first, second, close: () => Promise.all([first.close(), second.close()]) };
}

async function adminQuery<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL conversation store', () => {
  it('serializes the turns of one conversation across two instances, and lets other conversations run alongside', async () => {
    const { first, second, close } = await twoInstances();
    try {
      const { id } = await first.conversations.create({ kind: 'production' });
      const other = await second.conversations.create({ kind: 'production' });
      let inside = 0;
      let most = 0;
      const done: string[] = [];
      // Eight turns, alternating between the instances, all sent at once; each reads the
      // transcript, waits as a model call would, and saves what it saw.
      const turns = Array.from({ length: 8 }, (_, index) =>
        (index % 2 === 0 ? first : second).withConversationLock(id, async (repos) => {
          inside++;
          most = Math.max(most, inside);
          const seen = (await repos.conversations.messages(id)).length;
          await new Promise((resolve) => setTimeout(resolve, 15 + ((index * 7) % 20)));
          await repos.turns.save(id, turn(`turn ${index} saw ${seen}`));
          inside--;
          done.push(`turn ${index}`);
        }),
      );
      // Meanwhile another conversation's turn, on the instance that waits for the lock, is not held up.
      await second.withConversationLock(other.id, (repos) => repos.turns.save(other.id, turn('elsewhere')));
      done.push('other');
      await Promise.all(turns);
      expect(most).toBe(1);
      const seen = (await first.conversations.messages(id)).map((message) => Number(/saw (\d+)/.exec(message.content)![1]));
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(await second.traces.count(id)).toBe(8);
      // It ended before most of the eight: it did not wait for their lock.
      expect(done.indexOf('other')).toBeLessThan(4);
    } finally {
      await close();
    }
  });

  it('keeps nothing a lock holder wrote when its work throws', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await expect(
        store.withConversationLock(id, async (repos) => {
          await repos.turns.save(id, turn('half a turn', { status: 'handed_off' }));
          expect((await repos.conversations.messages(id)).map((message) => message.content)).toEqual(['half a turn']);
          throw new Error('the connector failed');
        }),
      ).rejects.toThrow('the connector failed');
      expect(await store.conversations.messages(id)).toEqual([]);
      expect(await store.turns.load(id)).toBeNull();
      expect(await store.traces.count(id)).toBe(0);
      expect((await store.conversations.get(id))!.status).toBe('active');
    } finally {
      await store.close();
    }
  });

  it('rolls back a turn whose connection drops midway, frees its lock, and goes on serving', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.turns.save(id, turn('before'));
      const database = new URL(url).pathname.slice(1);
      const dropped = store.withConversationLock(id, async (repos) => {
        await repos.turns.save(id, turn('during', { status: 'ended' }));
        // The server ends this connection while the turn waits (a restart, a failover, a cut).
        const killed = await adminQuery<{ pid: number }>(
          url,
          "SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'",
          [database],
        );
        expect(killed).toHaveLength(1);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await repos.traces.append(id, [{ type: 'after the drop' }]);
      });
      await expect(dropped).rejects.toThrow(/connection to PostgreSQL was lost.*nothing of it was kept/);
      expect((await store.conversations.messages(id)).map((message) => message.content)).toEqual(['before']);
      expect((await store.turns.load(id))!.state).toEqual({ turn: 'before', history: [] });
      expect((await store.conversations.get(id))!.status).toBe('waiting');
      expect((await store.traces.events(id)).map((event) => event.type)).toEqual(['reply']);
      // The lock went with the connection: the next turn runs at once.
      await store.withConversationLock(id, (repos) => repos.turns.save(id, turn('after')));
      expect((await store.conversations.messages(id)).map((message) => message.content)).toEqual(['before', 'after']);
    } finally {
      await store.close();
    }
  });

  it('gives up on a conversation busy for longer than the lock timeout, naming it', async () => {
    const { first, second, close } = await twoInstances({ lockTimeoutMs: 150 });
    try {
      const { id } = await first.conversations.create({ kind: 'production' });
      let release!: () => void;
      const holding = first.withConversationLock(id, () => new Promise<void>((resolve) => (release = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await expect(second.withConversationLock(id, async () => 'ran')).rejects.toThrow(new RegExp(`Conversation ${id} is busy: another turn held it for over 150 ms`));
      release();
      await holding;
      expect(await second.withConversationLock(id, async () => 'ran')).toBe('ran');
    } finally {
      await close();
    }
  });

  it('writes of a unit of work are not seen outside it before it commits', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
    try {
      let seenOutside: unknown = 'not checked';
      const id = await store.unitOfWork(async (repos) => {
        const conversation = await repos.conversations.create({ kind: 'production' });
        seenOutside = await store.conversations.get(conversation.id);
        return conversation.id;
      });
      expect(seenOutside).toBeNull();
      expect(await store.conversations.get(id)).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  it('saves a production turn in one transaction without savepoints, and keeps nothing of it when its last write fails', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
    const { sent, restore } = recordStatements();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      const idempotency = { keyId: 1, key: 'k1', requestHash: 'h', response: '{}' };
      sent.length = 0;
      await store.production.saveTurn(id, turn('first', { history: [{ n: 1 }] }), { procedure: "Returns (Sam's shop); DROP TABLE messages", outbox: [], idempotency });
      // Three round trips: BEGIN with where the conversation's rows end; the turn's rows, its
      // Procedure and its idempotency record in one statement; COMMIT.
      expect(sent).toEqual(['BEGIN;', 'WITH', 'COMMIT']);
      // The Procedure's name went in as a literal, escaped: kept as given, nothing run from it.
      expect((await store.production.productionInfo(id)).procedure).toBe("Returns (Sam's shop); DROP TABLE messages");
      expect((await store.conversations.messages(id)).map((message) => message.content)).toEqual(['first']);
      await expect(store.production.saveTurn(id + 1000, turn('lost'), { procedure: 'Returns', outbox: [] })).rejects.toThrow(/There is no conversation/);

      // The same key again: the idempotency record is refused, in the statement that wrote the
      // turn's rows; none of them is kept.
      sent.length = 0;
      await expect(store.production.saveTurn(id, turn('second', { history: [{ n: 1 }, { n: 2 }] }), { procedure: 'Other', outbox: [{ event: 'handoff', body: '{}' }], idempotency })).rejects.toThrow(/already used/);
      expect(sent).not.toContain('SAVEPOINT');
      expect(sent.at(-1)).toBe('ROLLBACK');
      expect((await store.conversations.messages(id)).map((message) => message.content)).toEqual(['first']);
      expect((await store.turns.load(id))!.history).toEqual([{ n: 1 }]);
      expect(await store.traces.count(id)).toBe(1);
      expect(await store.production.pendingOutbox()).toBe(0);
      expect((await store.production.productionInfo(id)).procedure).toBe("Returns (Sam's shop); DROP TABLE messages");
    } finally {
      restore();
      await store.close();
    }
  });

  it('refuses text PostgreSQL cannot hold (a NUL character) with a clear error, keeping nothing of the turn', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await expect(store.turns.save(id, turn('nul \u0000 here'))).rejects.toThrow(/NUL character.*nothing was written/);
      expect(await store.turns.load(id)).toBeNull();
      expect(await store.traces.count(id)).toBe(0);
      // In JSON (state, history, trace payloads) the escape is kept as written.
      await store.turns.save(id, turn('fine', { state: { note: 'nul \u0000 in json' }, history: [{ text: 'a\u0000b' }] }));
      expect((await store.turns.load(id))!).toEqual({ state: { note: 'nul \u0000 in json', history: [] }, history: [{ text: 'a\u0000b' }] });
    } finally {
      await store.close();
    }
  });

  it('never hands one outbox row to two instances at once, and hands it out again once its lease runs out', async () => {
    const { first, second, close } = await twoInstances();
    try {
      const { id } = await first.conversations.create({ kind: 'production' });
      const outbox = Array.from({ length: 40 }, (_, index) => ({ event: 'handoff', body: JSON.stringify({ index }) }));
      await first.production.saveTurn(id, turn('hand over', { status: 'handed_off' }), { procedure: null, outbox });
      const at = new Date(Date.now() + 1_000).toISOString();
      // Both instances' deliverers poll at once, several times over.
      const claims = await Promise.all(Array.from({ length: 6 }, (_, index) => (index % 2 ? second : first).production.dueOutbox(at, 10)));
      const claimed = claims.flat().map((row) => row.id);
      expect(claimed).toHaveLength(40);
      expect(new Set(claimed).size).toBe(40);
      expect(await first.production.dueOutbox(at, 10)).toEqual([]);
      // An instance that claimed rows and died before marking them: they are due once the lease ends.
      await Promise.all(claims[0]!.map((row) => first.production.markDelivered(row.id)));
      const afterLease = new Date(Date.parse(at) + OUTBOX_LEASE_MS + 1_000).toISOString();
      const again = await second.production.dueOutbox(afterLease, 100);
      expect(again.map((row) => row.id).sort((a, b) => a - b)).toEqual(claimed.filter((rowId) => !claims[0]!.some((row) => row.id === rowId)).sort((a, b) => a - b));
    } finally {
      await close();
    }
  });

  it('does not let an instance\'s turns waiting for one conversation take the connections other conversations need', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase(), lockPoolSize: 2 });
    try {
      const busy = await store.conversations.create({ kind: 'production' });
      const other = await store.conversations.create({ kind: 'production' });
      const events: string[] = [];
      const turns = Array.from({ length: 8 }, (_, index) =>
        store.withConversationLock(busy.id, async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          events.push(`busy ${index}`);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
      await store.withConversationLock(other.id, async () => events.push('other'));
      await Promise.all(turns);
      // Waiting turns queue in the process, holding no connection: the other conversation gets one
      // while the first busy turns still run (rather than after all eight).
      expect(events.indexOf('other')).toBeLessThanOrEqual(2);
    } finally {
      await store.close();
    }
  });

  it('reschedules undelivered outbox rows without taking one another instance is delivering', async () => {
    const { first, second, close } = await twoInstances();
    try {
      const { id } = await first.conversations.create({ kind: 'production' });
      await first.production.saveTurn(id, turn('hand over', { status: 'handed_off' }), { procedure: null, outbox: [{ event: 'handoff', body: '{"a":1}' }, { event: 'handoff', body: '{"b":2}' }] });
      const [delivering] = await first.production.dueOutbox(new Date().toISOString(), 1);
      // The second instance starts and reschedules what is undelivered: the row the first is
      // delivering stays with it until its lease ends.
      expect(await second.production.rescheduleUndelivered(10)).toBe(2);
      const due = await second.production.dueOutbox(new Date(Date.now() + 1_000).toISOString(), 10);
      expect(due.map((row) => row.body)).toEqual(['{"b":2}']);
      expect(delivering!.body).toBe('{"a":1}');
    } finally {
      await close();
    }
  });

  it('keeps nothing of a turn whose instance is SIGKILLed while it holds the lock, and lets another instance take it', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.turns.save(id, turn('before'));
      // Another instance: a process of its own that saves a turn under the lock, then waits (as
      // for a model call) until it is killed.
      const script = `
        import { PostgresConversationStore } from ${JSON.stringify(join(repoRoot, 'main/store/postgres/conversation-store.ts'))};
        const store = await PostgresConversationStore.open({ url: process.env.DATABASE_URL });
        await store.withConversationLock(${id}, async (repos) => {
          await repos.turns.save(${id}, { state: { turn: 'doomed' }, history: [], status: 'ended', newMessages: [{ role: 'agent', content: 'doomed' }], trace: [{ type: 'doomed' }] });
          process.stdout.write('saved\\n');
          await new Promise(() => undefined);
        });
      `;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk) => (err += chunk));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk) => String(chunk).includes('saved') && resolve());
        child.once('exit', (code) => reject(new Error(`the other instance exited (${code}) before saving: ${err}`)));
      });
      // While it holds the lock, this instance waits for it.
      let tookLock = false;
      const next = store.withConversationLock(id, async (repos) => {
        tookLock = true;
        return (await repos.conversations.messages(id)).map((message) => message.content);
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(tookLock).toBe(false);
      child.kill('SIGKILL');
      // The server sees the connection close, rolls its transaction back and frees the lock.
      expect(await next).toEqual(['before']);
      expect((await store.turns.load(id))!.state).toEqual({ turn: 'before', history: [] });
      expect((await store.conversations.get(id))!.status).toBe('waiting');
      expect((await store.traces.events(id)).map((event) => event.type)).toEqual(['reply']);
    } finally {
      await store.close();
    }
  });

  it('does not claim a turn was dropped when its connection went at the commit, since the commit may have landed', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      const database = new URL(url).pathname.slice(1);
      const outcome = store.withConversationLock(id, async (repos) => {
        await repos.turns.save(id, turn('at the commit'));
        await adminQuery(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND state = 'idle in transaction'", [database]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      });
      await expect(outcome).rejects.toThrow(/lost while committing .*may or may not have been kept/);
      // Here it was not (the server ended the connection first); a retry would find that out.
      expect(await store.conversations.messages(id)).toEqual([]);
      expect(await store.withConversationLock(id, async () => 'free')).toBe('free');
    } finally {
      await store.close();
    }
  });

  it('refuses a time filter PostgreSQL cannot read as a time, with a clear error', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
    try {
      await expect(store.production.listConversations({ limit: 10, startedAfter: 'yesterday-ish' })).rejects.toThrow(/A time given is not valid .*use an ISO 8601 time/);
      expect(await store.production.listConversations({ limit: 10, startedAfter: '2020-01-01T00:00:00Z' })).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('serializes every conversation\'s turns when three instances with small pools take 72 turns of 12 conversations at once', async () => {
    const url = await postgres.createDatabase();
    const instances = await Promise.all([0, 1, 2].map(() => PostgresConversationStore.open({ url, poolSize: 3, lockPoolSize: 4 })));
    try {
      const ids = await Promise.all(Array.from({ length: 12 }, async () => (await instances[0]!.conversations.create({ kind: 'production' })).id));
      const inside = new Map<number, number>();
      let overlapped = false;
      const turns = ids.flatMap((id, c) =>
        Array.from({ length: 6 }, (_, t) =>
          instances[(c + t) % 3]!.withConversationLock(id, async (repos) => {
            inside.set(id, (inside.get(id) ?? 0) + 1);
            if (inside.get(id)! > 1) overlapped = true;
            const seen = (await repos.conversations.messages(id)).length;
            await new Promise((resolve) => setTimeout(resolve, (c * 7 + t * 3) % 11));
            await repos.turns.save(id, turn(`saw ${seen}`));
            inside.set(id, inside.get(id)! - 1);
          }),
        ),
      );
      await Promise.all(turns);
      expect(overlapped).toBe(false);
      for (const id of ids) {
        expect((await instances[1]!.conversations.messages(id)).map((message) => message.content)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `saw ${n}`));
      }
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it('refuses, keeping nothing, a turn written beside another one of the same conversation outside its lock', async () => {
    const { first, second, close } = await twoInstances();
    try {
      const { id } = await first.conversations.create({ kind: 'production' });
      let commit!: () => void;
      let saved!: () => void;
      const hasSaved = new Promise<void>((resolve) => (saved = resolve));
      // One instance has written its turn and not committed yet; the other writes its own meanwhile.
      const pending = first.unitOfWork(async (repos) => {
        await repos.turns.save(id, turn('first'));
        saved();
        await new Promise<void>((resolve) => (commit = resolve));
      });
      await hasSaved;
      const clash = second.turns.save(id, turn('second'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      commit();
      await pending;
      await expect(clash).rejects.toThrow(/Another write to the same conversation landed first .*nothing of this one was kept/);
      expect((await second.conversations.messages(id)).map((message) => message.content)).toEqual(['first']);
      expect(await second.traces.count(id)).toBe(1);
      // A production external id taken already says so.
      await first.conversations.create({ kind: 'production', externalId: 'ticket-9' });
      await expect(second.conversations.create({ kind: 'production', externalId: 'ticket-9' })).rejects.toThrow(/A production conversation with this external id exists already \(Key \(external_id\)=\(ticket-9\) already exists/);
    } finally {
      await close();
    }
  });
});
