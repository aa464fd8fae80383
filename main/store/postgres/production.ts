// The production server's records (../production.ts: API keys, idempotency records, the webhook
// outbox, which Procedure each conversation is in) on PostgreSQL, with the SQLite repository's
// meaning. What several instances change:
//  - `saveTurn` saves the turn, its outbox rows and its idempotency record in one transaction;
//  - `dueOutbox` claims the rows it returns (FOR UPDATE SKIP LOCKED, then a lease: leased_until),
//    so two instances never deliver one row at once; a row whose instance died before marking it
//    is due again when the lease runs out.
import type pg from 'pg';
import { isClosedStatus, type ConversationStatus } from '../../../shared/conversation-status';
import type { TurnRecord } from '../conversation-turns';
import type { Conversation } from '../conversations';
import { StoreError } from '../errors';
import { now } from '../hash';
import {
  toApiKeyRecord,
  toOutboxRow,
  toProductionInfo,
  type ApiKeyRecord,
  type ApiKeyScope,
  type IdempotencyRecord,
  type OutboxRow,
  type ProductionConversation,
  type ProductionInfo,
  type ProductionConversationFilter,
  type ProductionRepository,
  type ProductionTurnExtras,
  type SetProcedure,
} from '../production';
import type { ConversationRepository } from '../repositories';
import { positionFrom, positionSql, postgresRepositories, turnWriteParts, type Position } from './repositories';
import type { ApiKeyCache } from './api-key-cache';
import { allOrNothing, lastWrite, LockScopes, routedSession } from './lock-scope';
import { wholeTransactionSession, type Session } from './session';

/** How long a claimed outbox row stays with the instance delivering it. */
export const OUTBOX_LEASE_MS = 60_000;

export class PostgresProductionRepository implements ProductionRepository {
  private readonly conversations: ConversationRepository;

  private readonly session: Session;

  /**
   * `scopes`: the conversation locks held, whose transactions their holders' statements join.
   * `keys`: where checked keys are kept, when the store hears of changes to them.
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly scopes: LockScopes = new LockScopes(),
    private readonly keys: ApiKeyCache | null = null,
  ) {
    this.session = routedSession(pool, scopes);
    this.conversations = postgresRepositories(this.session).conversations;
  }

  private query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.session.query<R>(sql, params);
  }

  async createApiKey(input: { name: string; scope: ApiKeyScope; tokenHash: string; fingerprint: string }): Promise<ApiKeyRecord> {
    const { rows } = await this.query('INSERT INTO api_keys (name, scope, token_hash, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
      input.name,
      input.scope,
      input.tokenHash,
      input.fingerprint,
      now(),
    ]);
    return toApiKeyRecord(rows[0]!);
  }

  async apiKeyByHash(tokenHash: string): Promise<ApiKeyRecord | null> {
    const read = async () => {
      const { rows } = await this.query('SELECT * FROM api_keys WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash]);
      return rows[0] ? toApiKeyRecord(rows[0]) : null;
    };
    return this.keys ? this.keys.get(tokenHash, read) : read();
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.query('SELECT * FROM api_keys ORDER BY id')).rows.map(toApiKeyRecord);
  }

  async revokeApiKey(fingerprint: string): Promise<boolean> {
    return ((await this.query('UPDATE api_keys SET revoked_at = $1 WHERE fingerprint = $2 AND revoked_at IS NULL', [now(), fingerprint])).rowCount ?? 0) > 0;
  }

  async conversationByExternalId(externalId: string): Promise<Conversation | null> {
    const { rows } = await this.query<{ id: number }>("SELECT id FROM conversations WHERE kind = 'production' AND external_id = $1", [externalId]);
    return rows[0] ? this.conversations.get(rows[0].id) : null;
  }

  async listConversations(filter: ProductionConversationFilter): Promise<ProductionConversation[]> {
    const { rows } = await this.query(
      `SELECT c.*, p.procedure, p.closed_at FROM conversations c LEFT JOIN production_conversations p ON p.conversation_id = c.id
       WHERE c.kind = 'production'
         AND ($1::text IS NULL OR c.status = $1)
         AND ($2::text IS NULL OR p.procedure = $2)
         AND ($3::timestamptz IS NULL OR c.started_at >= $3)
         AND ($4::timestamptz IS NULL OR c.started_at < $4)
         AND ($5::bigint IS NULL OR c.id < $5)
       ORDER BY c.id DESC LIMIT $6`,
      [filter.status ?? null, filter.procedure ?? null, filter.startedAfter ?? null, filter.startedBefore ?? null, filter.beforeId ?? null, filter.limit],
    );
    return rows.map((row) => ({
      id: row.id as number,
      kind: row.kind as Conversation['kind'],
      procedureId: (row.procedure_id as number | null) ?? null,
      procedureHash: (row.procedure_hash as string | null) ?? null,
      simulationRunId: (row.simulation_run_id as number | null) ?? null,
      externalId: (row.external_id as string | null) ?? null,
      status: row.status as Conversation['status'],
      startedAt: row.started_at as string,
      endedAt: (row.ended_at as string | null) ?? null,
      procedure: (row.procedure as string | null) ?? null,
      closedAt: (row.closed_at as string | null) ?? null,
    }));
  }

  async productionInfo(conversationId: number): Promise<ProductionInfo> {
    // Under the conversation's lock, the lock read it already.
    const read = this.scopes.reads(conversationId);
    if (read) return { ...read.info };
    const { rows } = await this.query<{ kind: string; procedure: string | null; closed_at: string | null; bundle_set: string | null }>(
      'SELECT c.kind, p.procedure, p.closed_at, p.bundle_set FROM conversations c LEFT JOIN production_conversations p ON p.conversation_id = c.id WHERE c.id = $1',
      [conversationId],
    );
    return toProductionInfo(rows[0]);
  }

  async keepBundleSet(setHash: string, procedures: readonly SetProcedure[]): Promise<void> {
    await allOrNothing(this.pool, this.scopes, [], async (client) => {
      await client.query(
        `INSERT INTO bundled_procedures (name, version, text) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [procedures.map((p) => p.name), procedures.map((p) => p.version), procedures.map((p) => p.text)],
      );
      await client.query(
        `INSERT INTO bundle_set_procedures (set_hash, name, version) SELECT $1, name, version FROM unnest($2::text[], $3::text[]) AS m(name, version) ON CONFLICT DO NOTHING`,
        [setHash, procedures.map((p) => p.name), procedures.map((p) => p.version)],
      );
    });
  }

  async bundleSet(setHash: string): Promise<SetProcedure[]> {
    const { rows } = await this.query<SetProcedure>(
      'SELECT v.name, v.version, v.text FROM bundle_set_procedures s JOIN bundled_procedures v ON v.name = s.name AND v.version = s.version WHERE s.set_hash = $1 ORDER BY v.name',
      [setHash],
    );
    return rows;
  }

  async close(conversationId: number): Promise<boolean> {
    return allOrNothing(this.pool, this.scopes, [], async (client) => {
      const { rows } = await client.query<{ kind: string; status: ConversationStatus }>('SELECT kind, status FROM conversations WHERE id = $1', [conversationId]);
      if (rows[0]?.kind !== 'production') return false;
      const at = now();
      // The status is the outcome and outlives closing; only an open conversation ends (closed_at records the close).
      if (!isClosedStatus(rows[0].status)) await postgresRepositories(wholeTransactionSession(client)).conversations.setStatus(conversationId, 'ended');
      await client.query(
        `INSERT INTO production_conversations (conversation_id, procedure, closed_at, updated_at) VALUES ($1, NULL, $2, $2)
         ON CONFLICT (conversation_id) DO UPDATE SET closed_at = coalesce(production_conversations.closed_at, excluded.closed_at), updated_at = excluded.updated_at`,
        [conversationId, at],
      );
      return true;
    });
  }

  async countOpen(): Promise<number> {
    return (await this.query<{ count: number }>("SELECT count(*) AS count FROM conversations WHERE kind = 'production' AND status IN ('active', 'waiting')")).rows[0]!.count;
  }

  async saveTurn(conversationId: number, turn: TurnRecord, extras: ProductionTurnExtras): Promise<void> {
    const position = positionSql(conversationId);
    if (!position) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
    const at = now();
    // All of the turn in one statement, once where the conversation's rows end is known: under
    // its lock, from the lock's own read (unless the holder wrote since), and the statement goes
    // out with the lock's COMMIT; otherwise read with the BEGIN.
    await lastWrite(this.pool, this.scopes, conversationId, position, async (client, reads, began) => {
      const write = productionTurnWrite(conversationId, turn, reads?.position ?? positionFrom(began[0]!.rows, conversationId), at, extras);
      // Named, so each connection plans this nine-part statement once, not on every turn (0.70 → 0.45 ms here).
      await client.query({ name: 'stepwise_production_turn', text: write.sql, values: write.params }).catch((error: unknown) => {
        // Another turn already answered this key: this one must not be kept (it would run twice).
        if ((error as { constraint?: string }).constraint === 'idempotency_records_pkey') {
          throw new StoreError(`The Idempotency-Key "${extras.idempotency?.key}" was already used for a turn of conversation ${conversationId}.`, 'conflict');
        }
        throw error;
      });
    });
  }

  async idempotency(keyId: number, conversationId: number, key: string): Promise<IdempotencyRecord | null> {
    const { rows } = await this.query<{ request_hash: string; response: string }>(
      'SELECT request_hash, response FROM idempotency_records WHERE key_id = $1 AND conversation_id = $2 AND idempotency_key = $3',
      [keyId, conversationId, key],
    );
    return rows[0] ? { requestHash: rows[0].request_hash, response: rows[0].response } : null;
  }

  async dueOutbox(at: string, limit: number): Promise<OutboxRow[]> {
    const leaseUntil = new Date(Date.parse(at) + OUTBOX_LEASE_MS).toISOString();
    const { rows } = await this.query(
      `WITH due AS (
         SELECT id FROM webhook_outbox
         WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_outbox o SET leased_until = $3 FROM due WHERE o.id = due.id
       RETURNING o.*`,
      [at, limit, leaseUntil],
    );
    return rows.map(toOutboxRow).sort((a, b) => a.id - b.id);
  }

  async markDelivered(id: number): Promise<void> {
    await this.query('UPDATE webhook_outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL, leased_until = NULL WHERE id = $2', [now(), id]);
  }

  /** Due now, unless another instance holds its lease (it is delivering it). */
  async rescheduleUndelivered(maxAttempts: number): Promise<number> {
    return (await this.query('UPDATE webhook_outbox SET next_attempt_at = $1 WHERE delivered_at IS NULL AND attempts < $2', [now(), maxAttempts])).rowCount ?? 0;
  }

  async markAttemptFailed(id: number, nextAttemptAt: string, error: string): Promise<void> {
    await this.query('UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, leased_until = NULL WHERE id = $3', [nextAttemptAt, error.slice(0, 500), id]);
  }

  async pendingOutbox(): Promise<number> {
    return (await this.query<{ count: number }>('SELECT count(*) AS count FROM webhook_outbox WHERE delivered_at IS NULL')).rows[0]!.count;
  }

  async deliveredOutbox(): Promise<(OutboxRow & { deliveredAt: string })[]> {
    return (await this.query('SELECT * FROM webhook_outbox WHERE delivered_at IS NOT NULL ORDER BY id')).rows.map((row) => ({ ...toOutboxRow(row), deliveredAt: row.delivered_at as string }));
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }
}

/**
 * A production turn in one statement: the turn's own writes, which Procedure the conversation is
 * in, its webhook outbox rows (in order), and its idempotency record, whose insert fails the
 * whole statement if another turn answered the key already.
 */
function productionTurnWrite(conversationId: number, turn: TurnRecord, position: Position, at: string, extras: ProductionTurnExtras): { sql: string; params: unknown[] } {
  const { parts, params } = turnWriteParts(conversationId, turn, position, at);
  const next = (value: unknown) => `$${params.push(value)}`;
  const procedure = next(extras.procedure);
  const bundleSet = next(extras.bundleSet ?? null);
  const events = next(extras.outbox.map((row) => row.event));
  const bodies = next(extras.outbox.map((row) => row.body));
  const idempotency = extras.idempotency;
  const [keyId, key, requestHash, response] = [idempotency?.keyId ?? null, idempotency?.key ?? null, idempotency?.requestHash ?? null, idempotency?.response ?? null].map(next);
  parts.push(
    `new_procedure AS (
       INSERT INTO production_conversations (conversation_id, procedure, bundle_set, updated_at) VALUES ($1::bigint, ${procedure}::text, ${bundleSet}::text, $5::timestamptz)
       ON CONFLICT (conversation_id) DO UPDATE SET procedure = excluded.procedure, bundle_set = coalesce(production_conversations.bundle_set, excluded.bundle_set), updated_at = excluded.updated_at
     )`,
    `new_outbox AS (
       INSERT INTO webhook_outbox (conversation_id, event, body, created_at, next_attempt_at)
       SELECT $1::bigint, event, body, $5::timestamptz, $5::timestamptz FROM unnest(${events}::text[], ${bodies}::text[]) WITH ORDINALITY AS o(event, body, n) ORDER BY n
     )`,
    `new_idempotency AS (
       INSERT INTO idempotency_records (key_id, conversation_id, idempotency_key, request_hash, response, created_at)
       SELECT ${keyId}::bigint, $1::bigint, ${key}::text, ${requestHash}::text, ${response}::text, $5::timestamptz WHERE ${keyId}::bigint IS NOT NULL
     )`,
  );
  return { sql: `WITH ${parts.join(', ')} SELECT 1`, params };
}
