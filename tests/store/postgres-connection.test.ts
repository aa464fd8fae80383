// Opening the PostgreSQL store: each way it can fail gets an error naming the problem (and never
// the password), and nothing is left open behind it.
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../main/store/errors';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { startPostgresCluster, usePostgres } from '../support/postgres';

const postgres = usePostgres();

async function refusal(url: string, options: { connectTimeoutMs?: number } = {}): Promise<StoreError> {
  try {
    const store = await PostgresConversationStore.open({ url, ...options });
    await store.close();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreError);
    return error as StoreError;
  }
  throw new Error(`opened ${url}`);
}

/** A port on 127.0.0.1 with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('opening the PostgreSQL store', () => {
  it('refuses a URL that is not one, or not PostgreSQL\'s, or names no database', async () => {
    expect((await refusal('localhost:5432/stepwise')).message).toMatch(/must start with postgres:\/\/ or postgresql:\/\//);
    expect((await refusal('not a url at all')).message).toMatch(/The PostgreSQL URL is not a URL: write it as postgres:\/\/user:password@host:5432\/database/);
    expect((await refusal('mysql://me:secret-pw@localhost/stepwise')).message).toMatch(/must start with postgres:\/\/ or postgresql:\/\/, not mysql:\/\//);
    const noDatabase = await refusal('postgres://me:secret-pw@localhost:5432');
    expect(noDatabase.message).toMatch(/names no database/);
    expect(noDatabase.code).toBe('invalid');
    await expect(PostgresConversationStore.open({ url: postgres.url(), poolSize: 0 })).rejects.toThrow(/PostgreSQL options are not valid: poolSize/);
  });

  it('says when no server listens at the address', async () => {
    const port = await closedPort();
    const error = await refusal(`postgres://stepwise:secret-pw@127.0.0.1:${port}/stepwise`);
    expect(error.message).toBe(`PostgreSQL at 127.0.0.1:${port} refused the connection: no server is listening there. Check the host and port, and that the server is running.`);
    expect(error.code).toBe('unavailable');
  });

  it('says when the host cannot be found', async () => {
    const error = await refusal('postgres://stepwise:secret-pw@no-such-host.invalid:5432/stepwise');
    expect(error.message).toMatch(/PostgreSQL host "no-such-host.invalid" cannot be found \(DNS\)/);
  });

  it('says when the server does not answer in time', async () => {
    // A listener that accepts and never speaks: as a firewall that drops the handshake would.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const error = await refusal(`postgres://stepwise:secret-pw@127.0.0.1:${port}/stepwise`, { connectTimeoutMs: 300 });
      expect(error.message).toMatch(new RegExp(`PostgreSQL at 127.0.0.1:${port} did not answer in time`));
    } finally {
      silent.close();
    }
  });

  it('says when the password is wrong, without repeating it', async () => {
    const url = postgres.url('postgres').replace(`:${postgres.password}@`, ':not-the-password@');
    const error = await refusal(url);
    expect(error.message).toBe(`PostgreSQL refused the password of user "${postgres.user}" (${postgres.user}@127.0.0.1:${postgres.port}/postgres). Check the password in the URL.`);
    expect(error.message).not.toContain('not-the-password');
  });

  it('says when the database does not exist', async () => {
    const error = await refusal(postgres.url('no_such_database'));
    expect(error.message).toBe(`PostgreSQL has no database "no_such_database" (${postgres.user}@127.0.0.1:${postgres.port}/no_such_database). Create it first (createdb no_such_database).`);
    expect(error.message).not.toContain(postgres.password);
  });

  it('opens a reachable database and reports it reachable until closed', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase() });
    expect(await store.reachable()).toBe(true);
    await store.close();
    await expect(store.unitOfWork(async () => 1)).rejects.toThrow(/store is closed/);
  });

  it('says the server cannot be reached when it goes away after the start, and reports it unreachable', async () => {
    const own = await startPostgresCluster();
    let store: PostgresConversationStore | undefined;
    try {
      store = await PostgresConversationStore.open({ url: await own.createDatabase(), connectTimeoutMs: 2_000 });
      const { id } = await store.conversations.create({ kind: 'production' });
      await own.stop();
      expect(await store.reachable()).toBe(false);
      const refusal = await store.conversations.get(id).then(() => null, (error: unknown) => error as StoreError);
      expect(refusal).toBeInstanceOf(StoreError);
      expect(refusal!.code).toBe('unavailable');
      expect(refusal!.message).toMatch(/PostgreSQL cannot be reached now \(ECONNREFUSED.*nothing was written/);
      await expect(store.withConversationLock(id, async () => 'ran')).rejects.toThrow(/PostgreSQL cannot be reached now/);
    } finally {
      await store?.close();
      await own.stop();
    }
  });

  it('says when every connection is taken for longer than the connect timeout', async () => {
    const store = await PostgresConversationStore.open({ url: await postgres.createDatabase(), lockPoolSize: 1, connectTimeoutMs: 200 });
    await expectLockTimesOut(store);
  });

  it('keeps idle connections open a minute by default, and closes them after stepwise_idle_timeout_ms', async () => {
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    // The pools' connections: not the one that listens for API key changes, which stays open.
    const connectionsTo = async (url: string) =>
      Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND query NOT LIKE 'LISTEN%'", [new URL(url).pathname.slice(1)])).rows[0].n);
    const lasting = await postgres.createDatabase();
    const brief = await postgres.createDatabase();
    const stores = [await PostgresConversationStore.open({ url: lasting }), await PostgresConversationStore.open({ url: `${brief}?stepwise_idle_timeout_ms=200` })];
    try {
      for (const store of stores) await store.conversations.create({ kind: 'production' });
      await new Promise((resolve) => setTimeout(resolve, 800));
      // A turn after a pause does not wait for a new backend and its password exchange.
      expect(await connectionsTo(lasting)).toBeGreaterThan(0);
      expect(await connectionsTo(brief)).toBe(0);
    } finally {
      for (const store of stores) await store.close();
      await admin.end();
    }
  });

  it('takes its pool sizes and timeouts from the URL too, and refuses a stepwise_ parameter it does not know', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url: `${url}?stepwise_lock_pool_size=1&stepwise_connect_timeout_ms=200` });
    // One lock connection, taken: the second conversation's turn times out after 200 ms.
    await expectLockTimesOut(store);
    // Options in code win over the URL's.
    const roomy = await PostgresConversationStore.open({ url: `${url}?stepwise_lock_pool_size=1`, lockPoolSize: 3, connectTimeoutMs: 200 });
    try {
      const [a, b] = [await roomy.conversations.create({ kind: 'production' }), await roomy.conversations.create({ kind: 'production' })];
      expect(await roomy.withConversationLock(a.id, () => roomy.withConversationLock(b.id, async () => 'both'))).toBe('both');
    } finally {
      await roomy.close();
    }
    expect((await refusal(`${url}?stepwise_pools=3`)).message).toMatch(/unknown parameter stepwise_pools: use stepwise_pool_size, stepwise_lock_pool_size, stepwise_lock_timeout_ms, stepwise_connect_timeout_ms, stepwise_idle_timeout_ms/);
    expect((await refusal(`${url}?stepwise_pool_size=many`)).message).toMatch(/stepwise_pool_size must be a whole number, not "many"/);
    expect((await refusal(`${url}?stepwise_pool_size=0`)).message).toMatch(/PostgreSQL options are not valid: poolSize/);
  });
});

/**
 * With the store's one lock connection held by a first conversation's turn, a second one's turn is
 * refused once the connect timeout passes; then closes the store.
 */
async function expectLockTimesOut(store: PostgresConversationStore): Promise<void> {
  try {
    const first = await store.conversations.create({ kind: 'production' });
    const second = await store.conversations.create({ kind: 'production' });
    let release!: () => void;
    const holding = store.withConversationLock(first.id, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(store.withConversationLock(second.id, async () => 'ran')).rejects.toThrow(/No PostgreSQL connection came free in time/);
    release();
    await holding;
  } finally {
    await store.close();
  }
}
