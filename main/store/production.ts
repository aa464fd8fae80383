// The production server's own records (migration 11): client API keys (hashed), idempotency
// records, the webhook outbox and which Procedure each production conversation is in. The port is
// async, like the conversation store's, so a PostgreSQL implementation can stand beside this one.
// `saveTurn` writes the turn, its outbox rows and its idempotency record in one transaction: a turn
// is kept with its webhook and its answer to a retry, or none of them is.
import type Database from 'better-sqlite3';
import { isClosedStatus, type ConversationStatus } from '../../shared/conversation-status';
import type { SqliteConversationTurnRepository, TurnRecord } from './conversation-turns';
import type { Conversation, SqliteConversationRepository } from './conversations';
import { activityTransaction, type Durability } from './durability';
import { StoreError } from './errors';
import { now } from './hash';
import { statement } from './statements';

export type ApiKeyScope = 'conversations' | 'admin';

export interface ApiKeyRecord {
  id: number;
  name: string;
  scope: ApiKeyScope;
  fingerprint: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface OutboxInput {
  event: string;
  /** The exact JSON text to deliver (it is what the signature covers). */
  body: string;
}

export interface OutboxRow {
  id: number;
  conversationId: number;
  event: string;
  body: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  /** The JSON text answered the first time. */
  response: string;
}

export interface ProductionTurnExtras {
  /** The main Procedure the conversation is in after the turn (null: none yet). */
  procedure: string | null;
  /** The bundle set the turn ran on: recorded with the conversation's first save, never changed after. */
  bundleSet?: string | null;
  outbox: readonly OutboxInput[];
  idempotency?: { keyId: number; key: string; requestHash: string; response: string };
}

export interface ProductionConversationFilter {
  status?: ConversationStatus;
  procedure?: string;
  /** ISO times bounding the start. */
  startedAfter?: string;
  startedBefore?: string;
  /** Conversations with an id below this (paging, newest first). */
  beforeId?: number;
  limit: number;
}

export interface ProductionConversation extends Conversation {
  procedure: string | null;
  closedAt: string | null;
}

/** A conversation as the server sees it: whether it is one of production's (it exists, of that kind), its Procedure, when it was closed. */
export interface ProductionInfo {
  production: boolean;
  procedure: string | null;
  closedAt: string | null;
  /** The bundle set it started on (null: not recorded yet). */
  bundleSet: string | null;
}

export function toProductionInfo(row: { kind: string; procedure: string | null; closed_at: string | null; bundle_set: string | null } | undefined): ProductionInfo {
  return { production: row?.kind === 'production', procedure: row?.procedure ?? null, closedAt: row?.closed_at ?? null, bundleSet: row?.bundle_set ?? null };
}

/** A Procedure version of a bundle set: its text, whose content hash is `version`. */
export interface SetProcedure {
  name: string;
  version: string;
  text: string;
}

export interface ProductionRepository {
  createApiKey(input: { name: string; scope: ApiKeyScope; tokenHash: string; fingerprint: string }): Promise<ApiKeyRecord>;
  /** The live (not revoked) key with this token hash. */
  apiKeyByHash(tokenHash: string): Promise<ApiKeyRecord | null>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(fingerprint: string): Promise<boolean>;

  conversationByExternalId(externalId: string): Promise<Conversation | null>;
  listConversations(filter: ProductionConversationFilter): Promise<ProductionConversation[]>;
  /** The Procedure it is in, when the API closed it (null: never), the bundle set it started on. */
  productionInfo(conversationId: number): Promise<ProductionInfo>;
  /** Keeps a bundle set's Procedure versions (idempotent: a set is its content). */
  keepBundleSet(setHash: string, procedures: readonly SetProcedure[]): Promise<void>;
  /** A kept bundle set's Procedures (empty: not kept here). */
  bundleSet(setHash: string): Promise<SetProcedure[]>;
  /** Closes it for good: status ended, closed now (a message after that is refused). False: no such production conversation. */
  close(conversationId: number): Promise<boolean>;
  /** Production conversations not closed. */
  countOpen(): Promise<number>;

  /** The turn, its outbox rows, its idempotency record and the conversation's Procedure: all or nothing. */
  saveTurn(conversationId: number, turn: TurnRecord, extras: ProductionTurnExtras): Promise<void>;
  idempotency(keyId: number, conversationId: number, key: string): Promise<IdempotencyRecord | null>;

  /** Undelivered rows due at `at`, oldest first. */
  dueOutbox(at: string, limit: number): Promise<OutboxRow[]>;
  markDelivered(id: number): Promise<void>;
  /** Makes every undelivered row not given up on (fewer than `maxAttempts` attempts) due now. */
  rescheduleUndelivered(maxAttempts: number): Promise<number>;
  markAttemptFailed(id: number, nextAttemptAt: string, error: string): Promise<void>;
  pendingOutbox(): Promise<number>;
  /** Delivered rows, for tests and the admin view. */
  deliveredOutbox(): Promise<(OutboxRow & { deliveredAt: string })[]>;
  /** Cheap round trip: the database answers. */
  ping(): Promise<void>;
}

export class SqliteProductionRepository implements ProductionRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability,
    private readonly conversations: SqliteConversationRepository,
    private readonly turns: SqliteConversationTurnRepository,
  ) {}

  async createApiKey(input: { name: string; scope: ApiKeyScope; tokenHash: string; fingerprint: string }): Promise<ApiKeyRecord> {
    const id = Number(
      statement(this.db, 'INSERT INTO api_keys (name, scope, token_hash, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)').run(input.name, input.scope, input.tokenHash, input.fingerprint, now()).lastInsertRowid,
    );
    return toApiKeyRecord(statement(this.db, 'SELECT * FROM api_keys WHERE id = ?').get(id) as Record<string, unknown>);
  }

  async apiKeyByHash(tokenHash: string): Promise<ApiKeyRecord | null> {
    const row = statement(this.db, 'SELECT * FROM api_keys WHERE token_hash = ? AND revoked_at IS NULL').get(tokenHash) as Record<string, unknown> | undefined;
    return row ? toApiKeyRecord(row) : null;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (statement(this.db, 'SELECT * FROM api_keys ORDER BY id').all() as Record<string, unknown>[]).map(toApiKeyRecord);
  }

  async revokeApiKey(fingerprint: string): Promise<boolean> {
    return statement(this.db, 'UPDATE api_keys SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL').run(now(), fingerprint).changes > 0;
  }

  async conversationByExternalId(externalId: string): Promise<Conversation | null> {
    const id = statement(this.db, "SELECT id FROM conversations WHERE kind = 'production' AND external_id = ?", { pluck: true }).get(externalId) as number | undefined;
    return id === undefined ? null : this.conversations.get(id);
  }

  async listConversations(filter: ProductionConversationFilter): Promise<ProductionConversation[]> {
    const rows = statement(this.db, `SELECT c.id, p.procedure, p.closed_at FROM conversations c LEFT JOIN production_conversations p ON p.conversation_id = c.id
         WHERE c.kind = 'production'
           AND (@status IS NULL OR c.status = @status)
           AND (@procedure IS NULL OR p.procedure = @procedure)
           AND (@after IS NULL OR c.started_at >= @after)
           AND (@before IS NULL OR c.started_at < @before)
           AND (@beforeId IS NULL OR c.id < @beforeId)
         ORDER BY c.id DESC LIMIT @limit`)
      .all({
        status: filter.status ?? null,
        procedure: filter.procedure ?? null,
        after: filter.startedAfter ?? null,
        before: filter.startedBefore ?? null,
        beforeId: filter.beforeId ?? null,
        limit: filter.limit,
      }) as { id: number; procedure: string | null; closed_at: string | null }[];
    return rows.map((row) => ({ ...this.conversations.require(row.id), procedure: row.procedure, closedAt: row.closed_at }));
  }

  async productionInfo(conversationId: number): Promise<ProductionInfo> {
    const row = statement(this.db, 'SELECT c.kind, p.procedure, p.closed_at, p.bundle_set FROM conversations c LEFT JOIN production_conversations p ON p.conversation_id = c.id WHERE c.id = ?').get(conversationId) as
      | { kind: string; procedure: string | null; closed_at: string | null; bundle_set: string | null }
      | undefined;
    return toProductionInfo(row);
  }

  async keepBundleSet(setHash: string, procedures: readonly SetProcedure[]): Promise<void> {
    activityTransaction(this.db, this.durability, () => {
      const version = statement(this.db, 'INSERT INTO bundled_procedures (name, version, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      const member = statement(this.db, 'INSERT INTO bundle_set_procedures (set_hash, name, version) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      for (const procedure of procedures) {
        version.run(procedure.name, procedure.version, procedure.text);
        member.run(setHash, procedure.name, procedure.version);
      }
    });
  }

  async bundleSet(setHash: string): Promise<SetProcedure[]> {
    return statement(this.db, 'SELECT v.name, v.version, v.text FROM bundle_set_procedures s JOIN bundled_procedures v ON v.name = s.name AND v.version = s.version WHERE s.set_hash = ? ORDER BY v.name').all(setHash) as SetProcedure[];
  }

  async close(conversationId: number): Promise<boolean> {
    return activityTransaction(this.db, this.durability, () => {
      const row = statement(this.db, 'SELECT kind, status FROM conversations WHERE id = ?').get(conversationId) as { kind: string; status: ConversationStatus } | undefined;
      if (row?.kind !== 'production') return false;
      const at = now();
      // The status is the outcome and outlives closing (an escalated conversation stays escalated,
      // so ?status=escalated still lists it); only an open one ends. closed_at records the close.
      if (!isClosedStatus(row.status)) this.conversations.setStatus(conversationId, 'ended');
      statement(this.db, 'INSERT INTO production_conversations (conversation_id, procedure, closed_at, updated_at) VALUES (?, NULL, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET closed_at = coalesce(closed_at, excluded.closed_at), updated_at = excluded.updated_at')
        .run(conversationId, at, at);
      return true;
    });
  }

  async countOpen(): Promise<number> {
    return statement(this.db, "SELECT count(*) FROM conversations WHERE kind = 'production' AND status IN ('active', 'waiting')", { pluck: true }).get() as number;
  }

  async saveTurn(conversationId: number, turn: TurnRecord, extras: ProductionTurnExtras): Promise<void> {
    activityTransaction(this.db, this.durability, () => {
      this.turns.save(conversationId, turn);
      const at = now();
      statement(
        this.db,
        'INSERT INTO production_conversations (conversation_id, procedure, bundle_set, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (conversation_id) DO UPDATE SET procedure = excluded.procedure, bundle_set = coalesce(production_conversations.bundle_set, excluded.bundle_set), updated_at = excluded.updated_at',
      ).run(conversationId, extras.procedure, extras.bundleSet ?? null, at);
      const insert = statement(this.db, 'INSERT INTO webhook_outbox (conversation_id, event, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)');
      for (const row of extras.outbox) insert.run(conversationId, row.event, row.body, at, at);
      if (extras.idempotency) {
        const { keyId, key, requestHash, response } = extras.idempotency;
        const inserted = statement(this.db, 'INSERT INTO idempotency_records (key_id, conversation_id, idempotency_key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
          .run(keyId, conversationId, key, requestHash, response, at).changes;
        // Another turn already answered this key: this one must not be kept (it would run twice).
        if (inserted === 0) throw new StoreError(`The Idempotency-Key "${key}" was already used for a turn of conversation ${conversationId}.`, 'conflict');
      }
    });
  }

  async idempotency(keyId: number, conversationId: number, key: string): Promise<IdempotencyRecord | null> {
    const row = statement(this.db, 'SELECT request_hash, response FROM idempotency_records WHERE key_id = ? AND conversation_id = ? AND idempotency_key = ?').get(keyId, conversationId, key) as
      | { request_hash: string; response: string }
      | undefined;
    return row ? { requestHash: row.request_hash, response: row.response } : null;
  }

  async dueOutbox(at: string, limit: number): Promise<OutboxRow[]> {
    return (statement(this.db, 'SELECT * FROM webhook_outbox WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?').all(at, limit) as Record<string, unknown>[]).map(toOutboxRow);
  }

  async markDelivered(id: number): Promise<void> {
    activityTransaction(this.db, this.durability, () => statement(this.db, 'UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?').run(now(), id));
  }

  async rescheduleUndelivered(maxAttempts: number): Promise<number> {
    return activityTransaction(this.db, this.durability, () =>
      statement(this.db, 'UPDATE webhook_outbox SET next_attempt_at = ? WHERE delivered_at IS NULL AND attempts < ?').run(now(), maxAttempts).changes,
    );
  }

  async markAttemptFailed(id: number, nextAttemptAt: string, error: string): Promise<void> {
    activityTransaction(this.db, this.durability, () =>
      statement(this.db, 'UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(nextAttemptAt, error.slice(0, 500), id),
    );
  }

  async pendingOutbox(): Promise<number> {
    return statement(this.db, 'SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL', { pluck: true }).get() as number;
  }

  async deliveredOutbox(): Promise<(OutboxRow & { deliveredAt: string })[]> {
    return (statement(this.db, 'SELECT * FROM webhook_outbox WHERE delivered_at IS NOT NULL ORDER BY id').all() as Record<string, unknown>[]).map((row) => ({
      ...toOutboxRow(row),
      deliveredAt: row.delivered_at as string,
    }));
  }

  async ping(): Promise<void> {
    statement(this.db, 'SELECT 1').get();
  }
}

/** An `api_keys` row as a record (its hash stays in the table); the SQLite and PostgreSQL columns are the same. */
export function toApiKeyRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: row.id as number,
    name: row.name as string,
    scope: row.scope as ApiKeyScope,
    fingerprint: row.fingerprint as string,
    createdAt: row.created_at as string,
    revokedAt: (row.revoked_at as string | null) ?? null,
  };
}

/** A `webhook_outbox` row, as the SQLite and PostgreSQL stores both hold it. */
export function toOutboxRow(row: Record<string, unknown>): OutboxRow {
  return {
    id: row.id as number,
    conversationId: row.conversation_id as number,
    event: row.event as string,
    body: row.body as string,
    attempts: row.attempts as number,
    createdAt: row.created_at as string,
    nextAttemptAt: row.next_attempt_at as string,
  };
}
