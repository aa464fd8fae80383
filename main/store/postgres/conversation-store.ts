// The ConversationStore on PostgreSQL, for production servers that scale out: several instances
// on one database, any of them serving any message.
//  - Plain repository calls go to a pool; a unit of work holds one connection in a transaction.
//    Units run concurrently (each isolated, read committed); what must not interleave takes the
//    conversation's lock.
//  - withConversationLock queues in the process first (turns waiting in one instance hold no
//    connection), then holds a transaction-scoped advisory lock on the conversation id, on a
//    connection of a second pool: a turn holds it while it waits for the model, and if the turns
//    in progress took the pool the plain calls they make would wait for ever. The lock's
//    transaction carries the work's writes; a crash of the instance rolls them back and the
//    server frees the lock.
import type pg from 'pg';
import { z } from 'zod';
import { ConversationQueue } from '../conversation-queue';
import { StoreError } from '../errors';
import type { ConversationRepositories, ConversationRepository, ConversationStore, TraceRepository, TurnRepository } from '../repositories';
import { connectionError, createPool, parsePostgresUrl, resolvePostgresOptions, type ParsedPostgresOptions, type PostgresOptions, type PostgresTarget } from './connection';
import { migratePostgres } from './migrations';
import { PostgresProductionRepository } from './production';
import { postgresRepositories } from './repositories';
import { inTransaction, poolSession, transactionSession } from './session';

const conversationIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export class PostgresConversationStore implements ConversationStore {
  readonly conversations: ConversationRepository;
  readonly traces: TraceRepository;
  readonly turns: TurnRepository;
  /** The production server's records (API keys, idempotency, webhook outbox) on the same pool. */
  readonly production: PostgresProductionRepository;
  private closed = false;
  /** Turns of one conversation in this instance wait here, holding no connection, for the one before. */
  private readonly queue = new ConversationQueue();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly lockPool: pg.Pool,
    private readonly options: ParsedPostgresOptions,
    readonly target: PostgresTarget,
  ) {
    const repos = postgresRepositories(poolSession(pool));
    this.conversations = repos.conversations;
    this.traces = repos.traces;
    this.turns = repos.turns;
    this.production = new PostgresProductionRepository(pool);
  }

  /**
   * Connects (checking the URL, the server, the credentials and the database, each with its own
   * error) and brings the schema up to date; safe when several instances start together.
   */
  static async open(input: PostgresOptions): Promise<PostgresConversationStore> {
    const options = resolvePostgresOptions(input);
    const target = parsePostgresUrl(options.url);
    const pool = createPool(options, options.poolSize);
    const lockPool = createPool(options, options.lockPoolSize);
    const store = new PostgresConversationStore(pool, lockPool, options, target);
    try {
      await pool.query('SELECT 1').catch((error: unknown) => {
        throw connectionError(error, target);
      });
      await migratePostgres(pool);
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  async unitOfWork<T>(work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    this.refuseIfClosed();
    return inTransaction(this.pool, 'BEGIN', (client) => work(postgresRepositories(transactionSession(client))));
  }

  async withConversationLock<T>(conversationId: number, work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    this.refuseIfClosed();
    if (!conversationIdSchema.safeParse(conversationId).success) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
    return this.queue.run(conversationId, () => this.lockedTransaction(conversationId, work));
  }

  private lockedTransaction<T>(conversationId: number, work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    // One round trip before the work: the transaction with its lock wait bounded, the lock, and
    // whether the conversation exists (conversations are never deleted, so the statement's
    // snapshot, taken before the wait, answers that truly). Several statements in one query take
    // no parameters: the id is inlined, a safe integer checked above.
    const begin = `BEGIN; SET LOCAL lock_timeout = ${this.options.lockTimeoutMs}; SELECT pg_advisory_xact_lock(${conversationId}), EXISTS (SELECT 1 FROM conversations WHERE id = ${conversationId}) AS found`;
    const busy = (error: unknown) =>
      (error as { code?: string }).code === '55P03' ? new StoreError(`Conversation ${conversationId} is busy: another turn held it for over ${this.options.lockTimeoutMs} ms. Try again.`, 'conflict') : null;
    return inTransaction(
      this.lockPool,
      begin,
      async (client, began) => {
        const found = (began.at(-1)!.rows[0] as { found: boolean }).found;
        if (!found) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
        return work(postgresRepositories(transactionSession(client)));
      },
      busy,
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
    await Promise.all([this.pool.end(), this.lockPool.end()]);
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new StoreError('This PostgreSQL store is closed.', 'invalid');
  }
}
