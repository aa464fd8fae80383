// A conversation lock's transaction as the home of everything its holder does. While a caller
// holds a conversation's lock, every statement it makes through the store (the production
// repository's too) runs on the lock's connection, inside the lock's transaction:
//  - a turn's save commits with the lock, in one commit, not in a transaction of its own (two
//    round trips fewer, and an instance that dies mid-turn leaves nothing half-kept);
//  - no statement of the holder waits on a row the holder's own transaction wrote (on another
//    connection it would wait for the lock's commit, which waits for it: a deadlock PostgreSQL
//    cannot see, since one side is this process);
//  - what the lock read as it was taken (whether the conversation is production's, its state)
//    answers the holder's first reads, until the holder writes.
// The scope is per store (two stores in one process never route to each other) and ends with the
// transaction: work the holder left running afterwards goes to the pool again.
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { StoreError } from '../errors';
import type { ProductionInfo } from '../production';
import type { StoredTurnState } from '../repositories';
import type { Position } from './repositories';
import { inTransaction, rethrow, type Queryable, type Session } from './session';

/** What the lock's own query read once the lock was held. */
export interface LockReads {
  info: ProductionInfo;
  turn: StoredTurnState | null;
  /** Where the conversation's rows end, for the turn's save. */
  position: Position;
}

export interface HeldLock {
  readonly conversationId: number;
  readonly client: pg.PoolClient;
  /** Until the holder writes (then null: the next read goes to the database). */
  reads: LockReads | null;
  /** False once the holder's work has ended (the transaction is committing or gone). */
  open: boolean;
  /** All-or-nothing work runs one at a time: savepoints nest, they do not interleave. */
  queue: Promise<unknown>;
  /** Why the transaction can only roll back now (a last write failed): the holder's work fails with it. */
  failed: Error | null;
  /** Last writes sent and not yet answered: the lock's COMMIT goes out behind them. */
  readonly inFlight: Promise<unknown>[];
}

export class LockScopes {
  private readonly current = new AsyncLocalStorage<HeldLock>();

  /** The lock on `conversationId`, whose transaction is on `client`, as its holder will hold it. */
  hold(conversationId: number, client: pg.PoolClient, reads: LockReads): HeldLock {
    return { conversationId, client, reads, open: true, queue: Promise.resolve(), failed: null, inFlight: [] };
  }

  /** Runs `work` as the holder of `held`. */
  async run<T>(held: HeldLock, work: () => Promise<T>): Promise<T> {
    try {
      const result = await this.current.run(held, work);
      // The holder went on after its last write failed: nothing of it may be kept.
      if (held.failed) throw held.failed;
      return result;
    } finally {
      held.open = false;
    }
  }

  /** The lock the caller holds now, if any (and its transaction still open). */
  held(): HeldLock | undefined {
    const held = this.current.getStore();
    return held?.open ? held : undefined;
  }

  /** What the lock read of `conversationId`, while the caller holds that lock and has written nothing since. */
  reads(conversationId: number): LockReads | null {
    const held = this.held();
    return held?.conversationId === conversationId ? held.reads : null;
  }
}

// A statement that only reads leaves the lock's reads valid; anything else may change them.
const READ_ONLY = /^\s*SELECT\b/i;

/**
 * The lock's connection for the holder's statements, as long as the holder's work runs: once it
 * has ended, the connection is committing, rolled back or another holder's, and a statement the
 * holder left queued is refused rather than run there. Errors come back as PostgreSQL gave them.
 */
function lockConnection(held: HeldLock): Queryable {
  return {
    query<R extends pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: unknown[]) {
      if (!held.open) return Promise.reject(released(held));
      return held.client.query<R>(sql, params);
    },
  };
}

function released(held: HeldLock): StoreError {
  return new StoreError(`Conversation ${held.conversationId}'s lock was let go before this write ran (its holder's work had ended); it was not run.`, 'conflict');
}

/** The store's statements: on the held lock's transaction when the caller holds one, else on the pool. */
export function routedSession(pool: pg.Pool, scopes: LockScopes): Session {
  return {
    query<R extends pg.QueryResultRow>(sql: string | pg.QueryConfig, params?: unknown[]) {
      const held = scopes.held();
      if (!held) return pool.query<R>(sql, params).catch((error: unknown) => rethrow(error));
      if (held.failed) return Promise.reject(afterFailure(held.failed));
      if (!READ_ONLY.test(typeof sql === 'string' ? sql : sql.text)) held.reads = null;
      return lockConnection(held).query<R>(sql, params).catch((error: unknown) => rethrow(error));
    },
    atomic: (work) => allOrNothing(pool, scopes, [], (q) => work(q)),
  };
}

/**
 * Runs `work` all or nothing, with `statements` (no parameters) sent with its opening and their
 * results handed to it: in a transaction of its own on the pool, or inside the held lock's
 * transaction under a savepoint (rolled back to if `work` fails, so the holder can go on; left
 * unreleased if it succeeds, which costs nothing and saves a round trip).
 */
export async function allOrNothing<T>(pool: pg.Pool, scopes: LockScopes, statements: readonly string[], work: (q: Queryable, results: pg.QueryResult[]) => Promise<T>): Promise<T> {
  const held = scopes.held();
  if (!held) return inTransaction(pool, ['BEGIN', ...statements].join('; '), (client, began) => work(client, began.slice(1)));
  if (held.failed) throw afterFailure(held.failed);
  held.reads = null;
  const connection = lockConnection(held);
  const run = async (): Promise<T> => {
    const savepoint = `whole_${++savepoints}`;
    const results = await connection.query([`SAVEPOINT ${savepoint}`, ...statements].join('; ')).catch((error: unknown) => rethrow(error));
    try {
      return await work(connection, toResults(results).slice(1));
    } catch (error) {
      // If the connection is gone, so is the transaction (and if the work ended, the savepoint): report the first error.
      await connection.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
      return rethrow(error);
    }
  };
  const result = held.queue.then(run, run);
  held.queue = result.catch(() => undefined);
  return result;
}

let savepoints = 0;

/**
 * A write that ends the holder's work, such as a turn's save: in a transaction of its own on the
 * pool, or in the held lock's transaction. There it is sent and not waited for: it resolves once
 * sent, and the lock's COMMIT goes out right behind it (one round trip for both on the lock's
 * pipelining connection); if the write fails, the COMMIT rolls back and the holder's work fails
 * with the write's error, so nothing of it is kept (the holder's later statements are refused).
 * It takes no savepoint: a round trip less, and nothing to go on with after a failed last write.
 * `work` must send its one statement before it first awaits; it gets what the lock read of the
 * conversation, if nothing was written since, or else the results of `begin`.
 */
export async function lastWrite(
  pool: pg.Pool,
  scopes: LockScopes,
  conversationId: number,
  begin: string,
  work: (q: Queryable, reads: LockReads | null, began: pg.QueryResult[]) => Promise<void>,
): Promise<void> {
  const held = scopes.held();
  if (!held) return inTransaction(pool, `BEGIN; ${begin}`, (client, began) => work(client, null, began.slice(1)));
  if (held.failed) throw afterFailure(held.failed);
  const reads = scopes.reads(conversationId);
  held.reads = null;
  await held.queue;
  const connection = lockConnection(held);
  const began = reads ? [] : toResults(await connection.query(begin).catch((error: unknown) => rethrow(error)));
  const answered = work(connection, reads, began).catch((error: unknown) => {
    held.failed ??= error instanceof Error ? error : new Error(String(error));
    return rethrow(error);
  });
  held.inFlight.push(answered);
  held.queue = answered.catch(() => undefined);
}

const toResults = (answer: pg.QueryResult | pg.QueryResult[]) => (Array.isArray(answer) ? answer : [answer]);

function afterFailure(failed: Error): StoreError {
  return new StoreError(`An earlier write of this conversation's turn failed (${failed.message}); nothing of the turn is kept.`, 'conflict');
}
