// The ConversationStore on PostgreSQL, for production servers that scale out: several instances
// on one database, any of them serving any message.
//  - Plain repository calls go to a pool; a unit of work holds one connection in a transaction.
//    Units run concurrently (each isolated, read committed); what must not interleave takes the
//    conversation's lock.
//  - withConversationLock queues in the process first (turns waiting in one instance hold no
//    connection), then holds a transaction-scoped advisory lock on the conversation id, on a
//    connection of a second pool: a turn holds it while it waits for the model, and if the turns
//    in progress took the pool the plain calls they make would wait for ever. Everything the
//    holder does through the store runs in the lock's transaction (lock-scope.ts): its writes
//    commit with the lock, a crash of the instance rolls them back and the server frees the lock.
import type pg from 'pg';
import type { ConversationStatus } from '../../../shared/conversation-status';
import { z } from 'zod';
import { ConversationQueue } from '../conversation-queue';
import { StoreError } from '../errors';
import type { ConversationRepositories, ConversationRepository, ConversationStore, TraceRepository, TurnRepository } from '../repositories';
import { connectionError, createPool, parsePostgresUrl, resolvePostgresOptions, type ParsedPostgresOptions, type PostgresOptions, type PostgresTarget } from './connection';
import { migratePostgres } from './migrations';
import { API_KEYS_CHANNEL, ApiKeyCache } from './api-key-cache';
import { allOrNothing, LockScopes, routedSession, type HeldLock, type LockReads } from './lock-scope';
import { NotificationListener } from './notification-listener';
import { PostgresProductionRepository } from './production';
import { toProductionInfo } from '../production';
import { postgresRepositories } from './repositories';
import { inTransaction, transactionSession, wholeTransactionSession } from './session';

/** How long a checked key is kept at most, should a change go unheard on a connection that looks alive. */
export const API_KEY_TTL_MS = 30_000;

const conversationIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export class PostgresConversationStore implements ConversationStore {
  readonly conversations: ConversationRepository;
  readonly traces: TraceRepository;
  readonly turns: TurnRepository;
  /** The production server's records (API keys, idempotency, webhook outbox) on the same pool. */
  readonly production: PostgresProductionRepository;
  private readonly repositories: ConversationRepositories;
  private closed = false;
  /** Turns of one conversation in this instance wait here, holding no connection, for the one before. */
  private readonly queue = new ConversationQueue();
  /** Who holds which lock, so that their statements run in its transaction. */
  private readonly scopes = new LockScopes();
  /** API keys checked, kept while a connection of their own hears of every change to them. */
  private readonly keys = new ApiKeyCache({ ttlMs: API_KEY_TTL_MS, maxEntries: 10_000 });
  private readonly keyChanges: NotificationListener;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly lockPool: pg.Pool,
    private readonly options: ParsedPostgresOptions,
    readonly target: PostgresTarget,
  ) {
    const repos = postgresRepositories(routedSession(pool, this.scopes));
    this.conversations = repos.conversations;
    this.traces = repos.traces;
    // A turn's first read of its state is the one its lock made (a copy: as a read would, each load gives its own).
    this.turns = {
      ...repos.turns,
      load: async (id) => {
        const read = this.scopes.reads(id);
        return read ? structuredClone(read.turn) : repos.turns.load(id);
      },
    };
    this.production = new PostgresProductionRepository(pool, this.scopes, this.keys);
    this.keyChanges = new NotificationListener(options, API_KEYS_CHANNEL, {
      notified: () => this.keys.invalidate(),
      listening: (listening) => this.keys.setListening(listening),
    });
    this.repositories = { conversations: this.conversations, traces: this.traces, turns: this.turns };
  }

  /**
   * Connects (checking the URL, the server, the credentials and the database, each with its own
   * error) and brings the schema up to date; safe when several instances start together.
   */
  static async open(input: PostgresOptions): Promise<PostgresConversationStore> {
    const options = resolvePostgresOptions(input);
    const target = parsePostgresUrl(options.url);
    const pool = createPool(options, options.poolSize);
    // Lock connections pipeline (the lock and the turn's first reads go out together, and so do
    // the turn's save and the COMMIT), and bound every wait for a lock on them.
    const lockPool = createPool(options, options.lockPoolSize, { pipeline: true, lockTimeoutMs: options.lockTimeoutMs });
    const store = new PostgresConversationStore(pool, lockPool, options, target);
    try {
      await pool.query('SELECT 1').catch((error: unknown) => {
        throw connectionError(error, target);
      });
      await migratePostgres(pool);
      // After the migration that makes key changes heard; if listening fails, keys are read each time until it works.
      await store.keyChanges.start();
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  async unitOfWork<T>(work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    this.refuseIfClosed();
    // Under a conversation's lock, in the lock's transaction (a savepoint): on a connection of its
    // own it could wait for ever on a row the lock's transaction wrote.
    if (this.scopes.held()) return allOrNothing(this.pool, this.scopes, [], (q) => work(postgresRepositories(wholeTransactionSession(q))));
    return inTransaction(this.pool, 'BEGIN', (client) => work(postgresRepositories(transactionSession(client))));
  }

  async withConversationLock<T>(conversationId: number, work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    this.refuseIfClosed();
    if (!conversationIdSchema.safeParse(conversationId).success) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
    return this.queue.run(conversationId, () => this.lockedTransaction(conversationId, work));
  }

  private lockedTransaction<T>(conversationId: number, work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    // One round trip before the work, on the lock's pipelining connection: the transaction and
    // the lock (its wait bounded by the connection's lock_timeout), then what a turn reads first
    // (whether the conversation exists and is production's, its state) and where its rows end
    // (for the turn's save). The read is a statement of its own after the lock's: each statement
    // reads the database as it is when the statement starts, so this one sees the commit of the
    // turn the lock waited for. The lock's statement inlines the id, a safe integer checked
    // above; the read is prepared once per connection.
    const begin = [`BEGIN; SELECT pg_advisory_xact_lock(${conversationId})`, { name: 'stepwise_lock_reads', text: LOCK_READS_SQL, values: [conversationId] }];
    const busy = (error: unknown) =>
      (error as { code?: string }).code === '55P03' ? new StoreError(`Conversation ${conversationId} is busy: another turn held it for over ${this.options.lockTimeoutMs} ms. Try again.`, 'conflict') : null;
    let held: HeldLock | undefined;
    return inTransaction(
      this.lockPool,
      begin,
      async (client, began) => {
        const row = began.at(-1)!.rows[0] as LockRow | undefined;
        if (!row) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
        held = this.scopes.hold(conversationId, client, lockReads(row));
        return this.scopes.run(held, () => work(this.repositories));
      },
      busy,
      // The turn's save, still on its way: the COMMIT follows it without waiting for it.
      () => held?.inFlight ?? [],
    );
  }

  /** Whether the database answers now (for readiness checks). */
  async reachable(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** Closes both pools, after the work in progress. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.lockPool.end(), this.keyChanges.stop()]);
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new StoreError('This PostgreSQL store is closed.', 'invalid');
  }
}

const LOCK_READS_SQL = `SELECT c.kind, p.procedure, p.closed_at, p.bundle_set, s.state, c.status,
    (SELECT coalesce(json_agg(h.message ORDER BY h.seq), '[]'::json) FROM conversation_history h WHERE h.conversation_id = c.id) AS history,
    (SELECT coalesce(max(seq), 0) FROM messages m WHERE m.conversation_id = c.id) AS messages,
    (SELECT coalesce(max(seq), 0) FROM trace_events t WHERE t.conversation_id = c.id) AS trace
  FROM conversations c
  LEFT JOIN production_conversations p ON p.conversation_id = c.id
  LEFT JOIN conversation_state s ON s.conversation_id = c.id
  WHERE c.id = $1`;

interface LockRow {
  kind: string;
  procedure: string | null;
  closed_at: string | null;
  bundle_set: string | null;
  /** Null before the first turn is saved. */
  state: unknown;
  status: ConversationStatus;
  history: unknown[];
  messages: number;
  trace: number;
}

function lockReads(row: LockRow): LockReads {
  return {
    info: toProductionInfo(row),
    turn: row.state === null ? null : { state: row.state, history: row.history },
    position: { status: row.status, history: row.history.length, messages: row.messages, trace: row.trace },
  };
}
