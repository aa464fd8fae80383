// The runtime-facing ports (repositories.ts) on the workspace's SQLite file. better-sqlite3 is
// synchronous, so each call is done by the time its promise exists; the async signatures are the
// contract a PostgreSQL implementation shares.
import type Database from 'better-sqlite3';
import type { SqliteConversationTurnRepository } from './conversation-turns';
import type { SqliteConversationRepository } from './conversations';
import { ConversationQueue } from './conversation-queue';
import { commitAt, type Durability } from './durability';
import { StoreError } from './errors';
import { asOpenUnit } from './unit-guard';
import type { ConversationRepositories, ConversationRepository, ConversationStore, TraceRepository, TurnRepository } from './repositories';
import type { SqliteTraceRepository } from './traces';
import { isLockedError, lockedError } from './write-transaction';

export class SqliteConversationStore implements ConversationStore {
  readonly conversations: ConversationRepository;
  readonly traces: TraceRepository;
  readonly turns: TurnRepository;
  /** The unit of work running now, if any: the next one waits for it. */
  private running: Promise<unknown> = Promise.resolve();
  private readonly conversationQueue = new ConversationQueue();

  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability,
    sync: { conversations: SqliteConversationRepository; traces: SqliteTraceRepository; turns: SqliteConversationTurnRepository },
  ) {
    this.conversations = {
      create: async (input) => sync.conversations.create(input),
      get: async (id) => sync.conversations.get(id),
      list: async (options) => sync.conversations.list(options),
      messages: async (id) => sync.conversations.messages(id),
      setStatus: async (id, status) => sync.conversations.setStatus(id, status),
    };
    this.traces = {
      append: async (id, events) => sync.traces.append(id, events),
      events: async (id, options) => sync.traces.events(id, options),
      count: async (id) => sync.traces.count(id),
    };
    this.turns = {
      save: async (id, turn) => sync.turns.save(id, turn),
      load: async (id) => sync.turns.load(id),
    };
  }

  /**
   * One SQLite transaction around `work`. SQLite has one connection here, so anything else written
   * while the transaction is open would join it: writes from outside the unit are refused meanwhile
   * (unit-guard.ts), and `work` may await only the repositories it is given, whose promises are
   * already settled. Awaiting anything else (a timer, a network call) lets the event loop turn,
   * which is detected, and the unit is rolled back with an error.
   */
  async unitOfWork<T>(work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    const previous = this.running;
    let done!: () => void;
    this.running = new Promise<void>((resolve) => (done = resolve));
    await previous;
    try {
      return await asOpenUnit(this.db, () => this.runUnit(work));
    } finally {
      done();
    }
  }

  /**
   * See ConversationStore.withConversationLock. The lock is this process's: a queue per
   * conversation. A transaction cannot span `work` here (the one connection would be held through
   * a model call), so each write through `repos` commits as it is made.
   */
  async withConversationLock<T>(conversationId: number, work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    return this.conversationQueue.run(conversationId, async () => {
      if (!(await this.conversations.get(conversationId))) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
      return work(this);
    });
  }

  private async runUnit<T>(work: (repos: ConversationRepositories) => Promise<T>): Promise<T> {
    if (this.db.inTransaction) throw new StoreError('A unit of work cannot start inside another transaction.', 'invalid');
    let loopTurned = false;
    const tick = setImmediate(() => (loopTurned = true));
    const restore = commitAt(this.db, this.durability);
    try {
      try {
        this.db.prepare('BEGIN IMMEDIATE').run();
      } catch (error) {
        if (isLockedError(error)) throw lockedError(this.db.name, this.db.pragma('busy_timeout', { simple: true }) as number);
        throw error;
      }
      try {
        const result = await work(this);
        if (loopTurned) {
          throw new StoreError('A unit of work waited for something other than its repositories (I/O or a timer), holding the workspace\'s one connection meanwhile; nothing it wrote was kept.', 'invalid');
        }
        this.db.prepare('COMMIT').run();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
        throw error;
      }
    } finally {
      clearImmediate(tick);
      restore();
    }
  }
}
