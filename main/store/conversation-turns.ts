// A conversation's turns as the runtime saves them: the state (to resume after a restart), the
// model history (append-only rows, never rewritten), the transcript lines, the trace events and the
// status, all in one transaction. The store keeps the state as JSON it does not interpret; the
// runtime validates it when it loads it.
import type Database from 'better-sqlite3';
import type { ConversationStatus } from '../../shared/conversation-status';
import type { SqliteConversationRepository, MessageRole } from './conversations';
import { activityTransaction, type Durability } from './durability';
import { StoreError } from './errors';
import { now } from './hash';
import type { TraceEventInput, SqliteTraceRepository } from './traces';
import { statement } from './statements';

export interface TurnRecord {
  /** The runtime's state without its history. */
  state: Record<string, unknown>;
  /** The whole model history; only the entries not yet stored are written. */
  history: readonly unknown[];
  status: ConversationStatus;
  newMessages: readonly { role: MessageRole; content: string }[];
  trace: readonly TraceEventInput[];
}

export interface StoredTurnState {
  state: unknown;
  history: unknown[];
}

export class SqliteConversationTurnRepository {
  /** How many history entries each conversation has stored; history is append-only. */
  private readonly storedHistory = new Map<number, number>();

  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability,
    private readonly conversations: SqliteConversationRepository,
    private readonly traces: SqliteTraceRepository,
  ) {}

  save(conversationId: number, turn: TurnRecord): void {
    const stored = this.storedHistoryLength(conversationId);
    if (turn.history.length < stored) {
      throw new StoreError(`Conversation ${conversationId} has ${stored} history entries stored; a turn cannot save fewer (${turn.history.length}): history is append-only.`, 'invalid');
    }
    const nested = this.db.inTransaction;
    activityTransaction(this.db, this.durability, () => {
      const current = this.conversations.require(conversationId);
      if (turn.newMessages.length > 0) this.conversations.addMessages(conversationId, turn.newMessages);
      if (turn.trace.length > 0) this.traces.append(conversationId, turn.trace);
      const insert = statement(this.db, 'INSERT INTO conversation_history (conversation_id, seq, message) VALUES (?, ?, ?)');
      for (let index = stored; index < turn.history.length; index++) insert.run(conversationId, index + 1, JSON.stringify(turn.history[index]));
      statement(this.db, 'INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at')
        .run(conversationId, JSON.stringify({ ...turn.state, history: [] }), now());
      if (current.status !== turn.status) this.conversations.setStatus(conversationId, turn.status);
    });
    // An outer transaction may still roll back: count again next time rather than trust the cache.
    if (nested) this.storedHistory.delete(conversationId);
    else this.storedHistory.set(conversationId, turn.history.length);
  }

  load(conversationId: number): StoredTurnState | null {
    const raw = statement(this.db, 'SELECT state FROM conversation_state WHERE conversation_id = ?', { pluck: true }).get(conversationId) as string | undefined;
    if (raw === undefined) return null;
    const rows = statement(this.db, 'SELECT message FROM conversation_history WHERE conversation_id = ? ORDER BY seq', { pluck: true }).all(conversationId) as string[];
    this.storedHistory.set(conversationId, rows.length);
    return { state: JSON.parse(raw) as unknown, history: rows.map((row) => JSON.parse(row) as unknown) };
  }

  private storedHistoryLength(conversationId: number): number {
    const known = this.storedHistory.get(conversationId);
    if (known !== undefined) return known;
    const count = statement(this.db, 'SELECT count(*) FROM conversation_history WHERE conversation_id = ?', { pluck: true }).get(conversationId) as number;
    this.storedHistory.set(conversationId, count);
    return count;
  }
}
