// Where a repository's statements go: the pool (each atomic write in a transaction of its own) or
// one connection inside an open transaction (a unit of work, a conversation lock), where each
// atomic write is a savepoint, so a write that fails midway leaves nothing while the rest of the
// transaction goes on, as SQLite's nested transactions do.
import type pg from 'pg';
import { StoreError } from '../errors';

export interface Queryable {
  /** `sql` as text, or a query config (a named, prepared statement). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Session extends Queryable {
  /** Runs `work` all or nothing. */
  atomic<T>(work: (q: Queryable) => Promise<T>): Promise<T>;
}

/** Statements on the pool; atomic work takes a connection and a transaction of its own. */
export function poolSession(pool: pg.Pool): Session {
  return {
    query: (sql, params) => pool.query(sql, params).catch((error: unknown) => rethrow(error)),
    atomic: (work) => inTransaction(pool, 'BEGIN', work),
  };
}

/**
 * Statements on `client`, which is inside an open transaction. Atomic work runs one at a time
 * (savepoints nest, they do not interleave), each in a savepoint.
 */
export function transactionSession(client: pg.PoolClient): Session {
  let queue: Promise<unknown> = Promise.resolve();
  let savepoints = 0;
  return {
    query: (sql, params) => client.query(sql, params).catch((error: unknown) => rethrow(error)),
    atomic<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        const name = `write_${++savepoints}`;
        await client.query(`SAVEPOINT ${name}`).catch((error: unknown) => rethrow(error));
        try {
          const result = await work(client);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          // If the connection is gone, so is the transaction: report the first error.
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined);
          return rethrow(error);
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

/**
 * Statements on `client`, inside a transaction that is itself the atomic unit: whoever opened it
 * rolls all of it back if anything fails, so a write needs no savepoint of its own (two round trips
 * fewer per write). Atomic work still runs one at a time.
 */
export function wholeTransactionSession(client: Queryable): Session {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    query: <R extends pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: unknown[]) => client.query<R>(sql, params).catch((error: unknown) => rethrow(error)),
    atomic<T>(work: (q: Queryable) => Promise<T>): Promise<T> {
      const run = () => work(client).catch((error: unknown) => rethrow(error));
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

/**
 * Runs `work` in a transaction on a connection of `pool`: committed if it returns, rolled back if
 * it throws. A connection that failed is closed, never handed to the next caller. `begin` opens
 * the transaction and may carry more statements in the same round trip (no parameters then):
 * `work` gets their results, and `beginFailed` may say in the store's words why they failed.
 * `inFlight`: writes `work` sent and left unanswered when it returned; the COMMIT goes out behind
 * them (on a pipelining connection, without waiting for them), and if one failed its error is
 * thrown: PostgreSQL answers a COMMIT after a failed statement with a rollback.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string | readonly (string | pg.QueryConfig)[],
  work: (client: pg.PoolClient, began: pg.QueryResult[]) => Promise<T>,
  beginFailed?: (error: unknown) => StoreError | null,
  inFlight: () => readonly Promise<unknown>[] = () => [],
): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => rethrow(error));
  // A checked-out connection the server drops emits 'error': the query in flight fails with it,
  // and the process must not crash on the event.
  const ignore = () => undefined;
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    let began: pg.QueryResult[];
    try {
      began = await opening(client, typeof begin === 'string' ? [begin] : begin);
    } catch (error) {
      throw beginFailed?.(error) ?? error;
    }
    const result = await work(client, began);
    const committing = client.query('COMMIT');
    const failed = (await Promise.allSettled(inFlight())).find((write): write is PromiseRejectedResult => write.status === 'rejected');
    let committed: pg.QueryResult;
    try {
      committed = await committing;
    } catch (error) {
      if (!isConnectionLost(error)) throw error;
      broken = error as Error;
      // The commit may have reached the server before the connection went: say so, not "nothing kept".
      throw new StoreError(`The connection to PostgreSQL was lost while committing (${(error as Error).message}); the transaction may or may not have been kept.`, 'unavailable');
    }
    if (failed) throw failed.reason;
    if (committed.command !== 'COMMIT') throw new StoreError('PostgreSQL rolled the transaction back when asked to commit it (a statement of it had failed); nothing of it was kept.', 'conflict');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackFailed: unknown) => (broken = rollbackFailed as Error));
    if (isConnectionLost(error)) broken ??= error as Error;
    return rethrow(error);
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}

/**
 * The opening queries' results, in order: sent together on a pipelining connection (one round
 * trip), else one after another. The first failure is thrown (the ones after it fail with it).
 */
async function opening(client: pg.PoolClient, queries: readonly (string | pg.QueryConfig)[]): Promise<pg.QueryResult[]> {
  const send = (query: string | pg.QueryConfig) => (typeof query === 'string' ? client.query(query) : client.query(query)) as Promise<pg.QueryResult | pg.QueryResult[]>;
  const answers: (pg.QueryResult | pg.QueryResult[])[] = [];
  if (client.pipeline) {
    const settled = await Promise.allSettled(queries.map(send));
    const failed = settled.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
    if (failed) throw failed.reason;
    for (const answer of settled) answers.push((answer as PromiseFulfilledResult<pg.QueryResult | pg.QueryResult[]>).value);
  } else {
    for (const query of queries) answers.push(await send(query));
  }
  return answers.flatMap((answer) => (Array.isArray(answer) ? answer : [answer]));
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P03', '53300']);
const CONNECTION_LOST = new Set(['57P01', '57P02', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE']);

export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code && CONNECTION_LOST.has(code)) return true;
  return error instanceof Error && /Connection terminated|connection is closed|Client has encountered a connection error/i.test(error.message);
}

/** PostgreSQL's errors in the store's words; anything else unchanged. */
export function rethrow(error: unknown): never {
  if (error instanceof StoreError) throw error;
  const code = (error as { code?: string } | null)?.code;
  if (isConnectionLost(error)) {
    throw new StoreError(`The connection to PostgreSQL was lost (${(error as Error).message}); the transaction in progress was rolled back, nothing of it was kept.`, 'unavailable');
  }
  if (error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message)) {
    throw new StoreError('No PostgreSQL connection came free in time (every one in use, or the server slow to answer); nothing was written. Raise the pool size or the connect timeout.', 'unavailable');
  }
  // 55000 is also other states; with this message it is a database an operator closed to connections.
  if ((code && UNREACHABLE.has(code)) || (code === '55000' && /not currently accepting connections/i.test((error as Error).message))) {
    throw new StoreError(`PostgreSQL cannot be reached now (${code}: ${(error as Error).message}); nothing was written. Check that the server is running and reachable.`, 'unavailable');
  }
  if (code === '25P02') throw new StoreError('An earlier write of this transaction failed, so PostgreSQL refuses the rest of it; nothing of it is kept.', 'conflict');
  if (code === '55P03') throw new StoreError(`PostgreSQL could not take a lock in time (${(error as Error).message}).`, 'conflict');
  if (code === '40P01' || code === '40001') throw new StoreError(`PostgreSQL stopped this transaction to let another go on (${(error as Error).message}); nothing of it was kept. Try again.`, 'conflict');
  if (code === '23505' && (error as { constraint?: string }).constraint === 'conversations_production_external_id') {
    // Production external ids are unique (the server's create is idempotent on them).
    throw new StoreError(`A production conversation with this external id exists already (${(error as { detail?: string }).detail ?? ''}).`, 'conflict');
  }
  if (code === '23505') {
    throw new StoreError(
      `Another write to the same conversation landed first (${(error as { detail?: string }).detail ?? (error as Error).message}); nothing of this one was kept. Run a conversation's turns under its lock (withConversationLock).`,
      'conflict',
    );
  }
  if (code === '22007' || code === '22008') throw new StoreError(`A time given is not valid (${(error as Error).message}); use an ISO 8601 time such as 2026-01-31T09:00:00Z.`, 'invalid');
  if (code === '22021' || code === '22P05') {
    throw new StoreError('The text holds a NUL character (\\u0000), which PostgreSQL cannot store; nothing was written.', 'invalid');
  }
  throw error;
}
