// API keys on PostgreSQL are checked from memory between changes, and every instance forgets them
// the moment any change to api_keys commits (a trigger's NOTIFY, heard on a connection of each
// store's own). While that connection is down, every check reads the table. On a real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { recordStatements } from '../support/pg-statements';
import { usePostgres } from '../support/postgres';
import { sql, until } from './postgres-fixtures';

const postgres = usePostgres();

/** Statements a check of `hash` sends (0: answered from memory). */
async function statementsFor(store: PostgresConversationStore, hash: string) {
  const { sent, restore } = recordStatements();
  try {
    const key = await store.production.apiKeyByHash(hash);
    return { key, statements: sent.length };
  } finally {
    restore();
  }
}

const listenerPid = async (url: string) =>
  (await sql(url, "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN stepwise_api_keys'", [new URL(url).pathname.slice(1)])).map((row) => row.pid as number);

describe('PostgreSQL: API keys checked from memory', () => {
  it('answers a key checked before without a round trip, and every instance refuses it as soon as one revokes it', async () => {
    const url = await postgres.createDatabase();
    const first = await PostgresConversationStore.open({ url });
    const second = await PostgresConversationStore.open({ url });
    try {
      await first.production.createApiKey({ name: 'ops', scope: 'conversations', tokenHash: 'hash-ops', fingerprint: 'key:ops' });
      expect((await statementsFor(first, 'hash-ops')).statements).toBe(1);
      const again = await statementsFor(first, 'hash-ops');
      expect(again).toMatchObject({ key: { name: 'ops' }, statements: 0 });

      expect(await second.production.revokeApiKey('key:ops')).toBe(true);
      // Heard within moments; from then on the first instance reads the table and finds no key.
      await until(async () => (await first.production.apiKeyByHash('hash-ops')) === null, 'the first instance refuses the revoked key', 2_000);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('forgets keys changed by hand in SQL (revoked, deleted, or the table emptied)', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      for (const name of ['a', 'b', 'c']) await store.production.createApiKey({ name, scope: 'admin', tokenHash: `hash-${name}`, fingerprint: `key:${name}` });
      for (const name of ['a', 'b', 'c']) expect(await store.production.apiKeyByHash(`hash-${name}`)).not.toBeNull();
      await sql(url, "UPDATE api_keys SET revoked_at = now() WHERE name = 'a'");
      await until(async () => (await store.production.apiKeyByHash('hash-a')) === null, 'a revoked by hand is refused');
      await sql(url, "DELETE FROM api_keys WHERE name = 'b'");
      await until(async () => (await store.production.apiKeyByHash('hash-b')) === null, 'b deleted by hand is refused');
      await sql(url, 'TRUNCATE api_keys');
      await until(async () => (await store.production.apiKeyByHash('hash-c')) === null, 'c, the table emptied, is refused');
    } finally {
      await store.close();
    }
  });

  it('is answered from memory only thanks to what it hears: with the trigger off a change by hand goes unseen', async () => {
    // The converse of the test above, so that it cannot pass by never keeping anything.
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      await store.production.createApiKey({ name: 'ops', scope: 'admin', tokenHash: 'hash-ops', fingerprint: 'key:ops' });
      await store.production.apiKeyByHash('hash-ops');
      await sql(url, 'ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed');
      await sql(url, "UPDATE api_keys SET revoked_at = now() WHERE name = 'ops'");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await store.production.apiKeyByHash('hash-ops')).not.toBeNull();
    } finally {
      await store.close();
    }
  });

  it('reads the table for every check while its listening connection is down, and keeps keys again once it listens', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    try {
      await store.production.createApiKey({ name: 'ops', scope: 'admin', tokenHash: 'hash-ops', fingerprint: 'key:ops' });
      await store.production.apiKeyByHash('hash-ops');
      expect((await statementsFor(store, 'hash-ops')).statements).toBe(0);
      const [pid] = await listenerPid(url);
      expect(pid).toBeGreaterThan(0);
      // The server ends the listening connection (a restart, a failover, a cut); the trigger is
      // off too, so only not keeping anything while deaf makes the revocation seen.
      await sql(url, 'ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed');
      await sql(url, 'SELECT pg_terminate_backend($1)', [pid]);
      await until(async () => (await statementsFor(store, 'hash-ops')).statements === 1, 'checks read the table');
      await sql(url, "UPDATE api_keys SET revoked_at = now() WHERE name = 'ops'");
      expect(await store.production.apiKeyByHash('hash-ops')).toBeNull();
      await sql(url, 'ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed');
      await sql(url, "UPDATE api_keys SET revoked_at = NULL WHERE name = 'ops'");

      // It reconnects by itself (within a second or so) and keeps keys again.
      await until(async () => (await listenerPid(url)).some((next) => next !== pid), 'a new listening connection');
      await until(async () => (await store.production.apiKeyByHash('hash-ops')) !== null && (await statementsFor(store, 'hash-ops')).statements === 0, 'keys are kept again');
    } finally {
      await store.close();
    }
  });

  it('leaves no listening connection behind when the store closes', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    expect(await listenerPid(url)).toHaveLength(1);
    await store.close();
    await until(async () => (await listenerPid(url)).length === 0, 'the listening connection is gone', 2_000);
  });
});
