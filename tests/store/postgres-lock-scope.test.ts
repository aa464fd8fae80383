// What a conversation lock's holder does through the PostgreSQL store runs in the lock's
// transaction (main/store/postgres/lock-scope.ts): a production turn's save commits with the lock,
// the holder reads its own writes, and its first reads come from the lock's own query, fresh
// after the turn before and never stale after the holder writes. On a real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { recordWire } from '../support/pg-statements';
import { usePostgres } from '../support/postgres';
import { messagesSeenElsewhere, otherConnection, turn } from './postgres-fixtures';

const postgres = usePostgres();

async function openStore() {
  const url = await postgres.createDatabase();
  return { url, store: await PostgresConversationStore.open({ url }) };
}

describe('PostgreSQL: a lock holder works in the lock\'s transaction', () => {
  it('commits a production turn saved under the lock with the lock, not before, and keeps nothing if the holder then fails', async () => {
    const { url, store } = await openStore();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.withConversationLock(id, async () => {
        await store.production.saveTurn(id, turn('kept'), { procedure: 'Returns', outbox: [] });
        // The holder sees its turn; nobody else does until the lock commits.
        expect((await store.conversations.messages(id)).map((message) => message.content)).toEqual(['kept']);
        expect(await messagesSeenElsewhere(url, id)).toEqual([]);
      });
      expect(await messagesSeenElsewhere(url, id)).toEqual(['kept']);

      await expect(
        store.withConversationLock(id, async () => {
          await store.production.saveTurn(id, turn('lost', { history: [{ said: 'kept' }, { said: 'lost' }] }), { procedure: 'Other', outbox: [{ event: 'handoff', body: '{}' }] });
          throw new Error('the reply could not be sent');
        }),
      ).rejects.toThrow('the reply could not be sent');
      expect(await messagesSeenElsewhere(url, id)).toEqual(['kept']);
      expect((await store.production.productionInfo(id)).procedure).toBe('Returns');
      expect(await store.production.pendingOutbox()).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('takes a turn in two round trips: the lock with its reads, then the save with the commit', async () => {
    const { store } = await openStore();
    const { id } = await store.conversations.create({ kind: 'production' });
    await store.production.saveTurn(id, turn('first'), { procedure: 'Returns', outbox: [] });
    // What a read on the pool gives: the lock's own read must give the same.
    const loaded = await store.turns.load(id);
    expect(loaded!.history).toEqual([{ said: 'first' }]);
    const wire = recordWire();
    try {
      await store.withConversationLock(id, async () => {
        expect(await store.production.productionInfo(id)).toEqual({ production: true, procedure: 'Returns', closedAt: null, bundleSet: null });
        expect(await store.turns.load(id)).toEqual(loaded);
        await store.production.saveTurn(id, turn('second', { history: [{ said: 'first' }, { said: 'second' }] }), { procedure: 'Returns', outbox: [] });
      });
      expect(wire.events.filter((event) => event.startsWith('sent'))).toEqual(['sent BEGIN;', 'sent SELECT', 'sent WITH', 'sent COMMIT']);
      // The COMMIT went out behind the save, before the save was answered.
      expect(wire.events.indexOf('sent COMMIT')).toBeLessThan(wire.events.indexOf('answered WITH'));
      expect(wire.roundTrips()).toBe(2);
    } finally {
      wire.restore();
      await store.close();
    }
  });

  it('plans the turn\'s statement once per connection: later turns on it run the prepared statement', async () => {
    const { url, store } = await openStore();
    await store.close();
    // One lock connection, so every turn runs on the same one.
    const lockPoolOfOne = await PostgresConversationStore.open({ url, lockPoolSize: 1 });
    try {
      const { id } = await lockPoolOfOne.conversations.create({ kind: 'production' });
      const prepared = () =>
        lockPoolOfOne.withConversationLock(id, async () => {
          // pg_prepared_statements shows this connection's own: asked through the store's session, which runs on the lock's.
          const { rows } = await lockPoolOfOne.production['session'].query<{ name: string; calls: number }>("SELECT name, generic_plans + custom_plans AS calls FROM pg_prepared_statements WHERE name = 'stepwise_production_turn'");
          return rows;
        });
      expect(await prepared()).toEqual([]);
      const history: unknown[] = [];
      for (const said of ['one', 'two', 'three']) {
        history.push({ said });
        await lockPoolOfOne.withConversationLock(id, () => lockPoolOfOne.production.saveTurn(id, turn(said, { history: [...history] }), { procedure: 'Returns', outbox: [] }));
      }
      // One statement prepared on the one lock connection, run by all three turns.
      expect(await prepared()).toEqual([{ name: 'stepwise_production_turn', calls: 3 }]);
    } finally {
      await lockPoolOfOne.close();
    }
  });

  it('reads, once the lock is held, what the turn before committed, however long it waited', async () => {
    const { url, store } = await openStore();
    const second = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const first = store.withConversationLock(id, async () => {
        entered();
        await held;
        await store.production.saveTurn(id, turn('one'), { procedure: 'Returns', outbox: [] });
      });
      await inside;
      // The other instance asks while the first holds the lock: its reads are made after the wait.
      const waiting = second.withConversationLock(id, async () => ({ info: await second.production.productionInfo(id), state: await second.turns.load(id) }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      await first;
      expect(await waiting).toEqual({ info: { production: true, procedure: 'Returns', closedAt: null, bundleSet: null }, state: await store.turns.load(id) });
      expect((await waiting).state!.history).toEqual([{ said: 'one' }]);
    } finally {
      await Promise.all([store.close(), second.close()]);
    }
  });

  it('answers the holder\'s reads from the database once it has written, not from what the lock read', async () => {
    const { store } = await openStore();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.withConversationLock(id, async () => {
        expect(await store.turns.load(id)).toBeNull();
        expect((await store.production.productionInfo(id)).procedure).toBeNull();
        await store.production.saveTurn(id, turn('one'), { procedure: 'Returns', outbox: [] });
        expect((await store.turns.load(id))!.history).toEqual([{ said: 'one' }]);
        expect((await store.production.productionInfo(id)).procedure).toBe('Returns');
        // A write through the plain repositories counts too.
        await store.turns.save(id, turn('two', { history: [{ said: 'one' }, { said: 'two' }], status: 'ended' }));
        expect((await store.turns.load(id))!.history).toHaveLength(2);
      });
      expect((await store.conversations.get(id))!.status).toBe('ended');
    } finally {
      await store.close();
    }
  });

  it('keeps nothing of a turn whose save was refused under the lock, even if the holder goes on', async () => {
    const { url, store } = await openStore();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      const idempotency = { keyId: 1, key: 'retry-1', requestHash: 'h', response: '{}' };
      await store.production.saveTurn(id, turn('answered'), { procedure: 'Returns', outbox: [], idempotency });
      const holding = store.withConversationLock(id, async () => {
        // The same Idempotency-Key again. Under the lock the save is sent, not waited for: its
        // refusal comes with the lock's end.
        await store.production.saveTurn(id, turn('twice', { history: [{ said: 'answered' }, { said: 'twice' }] }), { procedure: 'Other', outbox: [{ event: 'handoff', body: '{}' }], idempotency });
        // A holder that writes on is refused.
        await expect(store.conversations.setStatus(id, 'ended')).rejects.toThrow(/An earlier write of this (conversation's turn|transaction) failed/);
        return 'went on';
      });
      await expect(holding).rejects.toThrow(/The Idempotency-Key "retry-1" was already used for a turn of conversation/);
      expect(await messagesSeenElsewhere(url, id)).toEqual(['answered']);
      expect(await store.production.pendingOutbox()).toBe(0);
      expect((await store.production.productionInfo(id)).procedure).toBe('Returns');
      expect((await store.conversations.get(id))!.status).toBe('waiting');
    } finally {
      await store.close();
    }
  });

  it('fails the holder\'s work when PostgreSQL rolls back at the commit, after a failure the holder swallowed', async () => {
    const { url, store } = await openStore();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      const holding = store.withConversationLock(id, async () => {
        await store.turns.save(id, turn('kept?'));
        // A plain statement fails (PostgreSQL cannot store a NUL): the transaction is lost, though the holder carries on.
        await store.conversations.create({ kind: 'production', externalId: 'a\u0000b' }).catch(() => undefined);
        return 'done';
      });
      await expect(holding).rejects.toThrow(/rolled the transaction back/);
      expect(await messagesSeenElsewhere(url, id)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('saves a second turn under one lock from the database, not from what the lock read before the first', async () => {
    const { url, store } = await openStore();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.withConversationLock(id, async () => {
        await store.production.saveTurn(id, turn('one'), { procedure: 'Returns', outbox: [{ event: 'handoff', body: '{"n":1}' }] });
        await store.production.saveTurn(id, turn('two', { history: [{ said: 'one' }, { said: 'two' }] }), { procedure: 'Returns', outbox: [{ event: 'handoff', body: '{"n":2}' }] });
      });
      expect(await messagesSeenElsewhere(url, id)).toEqual(['one', 'two']);
      expect((await store.turns.load(id))!.history).toEqual([{ said: 'one' }, { said: 'two' }]);
      expect(await store.traces.count(id)).toBe(2);
      expect((await store.production.dueOutbox(new Date(Date.now() + 1000).toISOString(), 10)).map((row) => row.body)).toEqual(['{"n":1}', '{"n":2}']);
    } finally {
      await store.close();
    }
  });

  it('closes a conversation in the lock\'s transaction', async () => {
    const { url, store } = await openStore();
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      await store.withConversationLock(id, async () => {
        expect(await store.production.close(id)).toBe(true);
        expect((await store.production.productionInfo(id)).closedAt).not.toBeNull();
        const elsewhere = await otherConnection(url, async (client) => (await client.query('SELECT closed_at FROM production_conversations WHERE conversation_id = $1', [id])).rows);
        expect(elsewhere).toEqual([]);
      });
      expect((await store.production.productionInfo(id)).closedAt).not.toBeNull();
      expect((await store.conversations.get(id))!.status).toBe('ended');
    } finally {
      await store.close();
    }
  });

  it('sends work the holder leaves running after the lock ends to the pool, and another store\'s statements never to this lock', async () => {
    const { url, store } = await openStore();
    const other = await PostgresConversationStore.open({ url });
    try {
      const { id } = await store.conversations.create({ kind: 'production' });
      let later!: Promise<string[]>;
      await store.withConversationLock(id, async () => {
        await store.production.saveTurn(id, turn('saved'), { procedure: 'Returns', outbox: [] });
        // Another store (another instance in this process) reads on its own pool: not the holder's write.
        expect(await other.conversations.messages(id)).toEqual([]);
        later = new Promise((resolve) => setTimeout(resolve, 100)).then(async () => (await store.conversations.messages(id)).map((message) => message.content));
      });
      // Started inside the lock, run after it: on the pool, where the committed turn is.
      expect(await later).toEqual(['saved']);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });
});
