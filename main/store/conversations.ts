// Conversations (in the preview, in a simulation, in production) and their messages.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { CONVERSATION_STATUSES, isClosedStatus, type ConversationStatus } from '../../shared/conversation-status';
import { activityTransaction, type Durability } from './durability';
import { StoreError } from './errors';
import { now } from './hash';
import { describeZodError } from '../../shared/zod-error';
import { statement } from './statements';

export const conversationKindSchema = z.enum(['preview', 'simulation', 'production']);
export const conversationStatusSchema = z.enum(CONVERSATION_STATUSES);
export const messageRoleSchema = z.enum(['customer', 'agent', 'system', 'tool']);

export const newConversationSchema = z.strictObject({
  kind: conversationKindSchema,
  procedureId: z.number().int().positive().nullish(),
  procedureHash: z.string().nullish(),
  simulationRunId: z.number().int().positive().nullish(),
  externalId: z.string().max(200).nullish(),
});

export const listOptionsSchema = z.strictObject({
  kind: conversationKindSchema.optional(),
  status: conversationStatusSchema.optional(),
  limit: z.number().int().min(1).max(10_000).default(100),
});

export type ConversationKind = z.infer<typeof conversationKindSchema>;
export type { ConversationStatus };
export type MessageRole = z.infer<typeof messageRoleSchema>;

export interface Conversation {
  id: number;
  kind: ConversationKind;
  procedureId: number | null;
  procedureHash: string | null;
  simulationRunId: number | null;
  externalId: string | null;
  status: ConversationStatus;
  startedAt: string;
  endedAt: string | null;
}

export interface Message {
  seq: number;
  role: MessageRole;
  content: string;
  createdAt: string;
}

export class SqliteConversationRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability,
  ) {}

  create(input: z.input<typeof newConversationSchema>): Conversation {
    const parsed = newConversationSchema.safeParse(input);
    if (!parsed.success) throw new StoreError(`Conversation is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const value = parsed.data;
    const id = activityTransaction(this.db, this.durability, () => Number(
      statement(this.db, 'INSERT INTO conversations (kind, procedure_id, procedure_hash, simulation_run_id, external_id, started_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(value.kind, value.procedureId ?? null, value.procedureHash ?? null, value.simulationRunId ?? null, value.externalId ?? null, now()).lastInsertRowid,
    ));
    return this.require(id);
  }

  get(id: number): Conversation | null {
    const row = statement(this.db, 'SELECT * FROM conversations WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? toConversation(row) : null;
  }

  require(id: number): Conversation {
    const conversation = this.get(id);
    if (!conversation) throw new StoreError(`There is no conversation ${id}.`, 'not-found');
    return conversation;
  }

  /** Newest first, optionally of one kind and in one status. */
  list(options: { kind?: ConversationKind; status?: ConversationStatus; limit?: number } = {}): Conversation[] {
    const parsed = listOptionsSchema.safeParse(options);
    if (!parsed.success) throw new StoreError(`Conversation filter is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const { kind, status, limit } = parsed.data;
    const rows = statement(this.db, 'SELECT * FROM conversations WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?')
      .all(kind ?? null, kind ?? null, status ?? null, status ?? null, limit) as Record<string, unknown>[];
    return rows.map(toConversation);
  }

  /** Appends a message; returns its sequence number within the conversation. */
  addMessage(conversationId: number, role: MessageRole, content: string): number {
    const parsedRole = messageRoleSchema.safeParse(role);
    if (!parsedRole.success) throw new StoreError(`"${role}" is not a message role: use customer, agent, system or tool.`, 'invalid');
    return activityTransaction(this.db, this.durability, () => {
      this.require(conversationId);
      const seq = ((statement(this.db, 'SELECT max(seq) FROM messages WHERE conversation_id = ?', { pluck: true }).get(conversationId) as number | null) ?? 0) + 1;
      statement(this.db, 'INSERT INTO messages (conversation_id, seq, role, content, created_at) VALUES (?, ?, ?, ?, ?)').run(conversationId, seq, parsedRole.data, content, now());
      return seq;
    });
  }

  /** Appends several messages in order, in one transaction; returns the first sequence number. */
  addMessages(conversationId: number, messages: readonly { role: MessageRole; content: string }[]): number {
    for (const message of messages) {
      if (!messageRoleSchema.safeParse(message.role).success) throw new StoreError(`"${message.role}" is not a message role: use customer, agent, system or tool.`, 'invalid');
    }
    return activityTransaction(this.db, this.durability, () => {
      this.require(conversationId);
      const first = ((statement(this.db, 'SELECT max(seq) FROM messages WHERE conversation_id = ?', { pluck: true }).get(conversationId) as number | null) ?? 0) + 1;
      const insert = statement(this.db, 'INSERT INTO messages (conversation_id, seq, role, content, created_at) VALUES (?, ?, ?, ?, ?)');
      const at = now();
      messages.forEach((message, index) => insert.run(conversationId, first + index, message.role, message.content, at));
      return first;
    });
  }

  messages(conversationId: number): Message[] {
    return (statement(this.db, 'SELECT seq, role, content, created_at FROM messages WHERE conversation_id = ? ORDER BY seq').all(conversationId) as {
      seq: number;
      role: MessageRole;
      content: string;
      created_at: string;
    }[]).map((row) => ({ seq: row.seq, role: row.role, content: row.content, createdAt: row.created_at }));
  }

  /**
   * Records where the conversation stands. A closed status (ended, handed off, escalated) stamps
   * the end once; an open one (a new message after the end) clears it.
   */
  setStatus(conversationId: number, status: ConversationStatus): void {
    const parsed = conversationStatusSchema.safeParse(status);
    if (!parsed.success) throw new StoreError(`"${status}" is not a conversation status: use ${CONVERSATION_STATUSES.join(', ')}.`, 'invalid');
    const endedAt = isClosedStatus(parsed.data) ? now() : null;
    const changed = activityTransaction(this.db, this.durability, () =>
      statement(this.db, 'UPDATE conversations SET status = ?, ended_at = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(ended_at, ?) END WHERE id = ?').run(parsed.data, endedAt, endedAt, conversationId).changes,
    );
    if (changed === 0) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
  }
}

/** A `conversations` row as a Conversation: the SQLite and PostgreSQL stores' columns are the same. */
export function toConversation(row: Record<string, unknown>): Conversation {
  return {
    id: row.id as number,
    kind: row.kind as ConversationKind,
    procedureId: (row.procedure_id as number | null) ?? null,
    procedureHash: (row.procedure_hash as string | null) ?? null,
    simulationRunId: (row.simulation_run_id as number | null) ?? null,
    externalId: (row.external_id as string | null) ?? null,
    status: row.status as ConversationStatus,
    startedAt: row.started_at as string,
    endedAt: (row.ended_at as string | null) ?? null,
  };
}
