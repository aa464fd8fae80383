// The runtime-facing repositories (../repositories.ts) on PostgreSQL, with the SQLite store's
// rules and messages: the same zod schemas check every input, a turn is saved whole or not at all,
// history is append-only, a closed status stamps the end once.
import { z } from 'zod';
import { CONVERSATION_STATUSES, isClosedStatus, type ConversationStatus } from '../../../shared/conversation-status';
import { describeZodError } from '../../../shared/zod-error';
import type { TurnRecord } from '../conversation-turns';
import { conversationStatusSchema, listOptionsSchema, messageRoleSchema, newConversationSchema, toConversation, type MessageRole } from '../conversations';
import { StoreError } from '../errors';
import { now } from '../hash';
import type { ConversationRepositories, ConversationRepository, TraceRepository, TurnRepository } from '../repositories';
import { traceEventSchema, type TraceEventInput } from '../traces';
import type { Queryable, Session } from './session';

export function postgresRepositories(session: Session): ConversationRepositories {
  return { conversations: conversationRepository(session), traces: traceRepository(session), turns: turnRepository(session) };
}

function conversationRepository(session: Session): ConversationRepository {
  return {
    async create(input) {
      const parsed = newConversationSchema.safeParse(input);
      if (!parsed.success) throw new StoreError(`Conversation is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      const value = parsed.data;
      const { rows } = await session.query(
        'INSERT INTO conversations (kind, procedure_id, procedure_hash, simulation_run_id, external_id, started_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [value.kind, value.procedureId ?? null, value.procedureHash ?? null, value.simulationRunId ?? null, value.externalId ?? null, now()],
      );
      return toConversation(rows[0]!);
    },

    async get(id) {
      if (!isRowId(id)) return null;
      const { rows } = await session.query('SELECT * FROM conversations WHERE id = $1', [id]);
      return rows[0] ? toConversation(rows[0]) : null;
    },

    async list(options = {}) {
      const parsed = listOptionsSchema.safeParse(options);
      if (!parsed.success) throw new StoreError(`Conversation filter is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      const { kind, status, limit } = parsed.data;
      const { rows } = await session.query(
        'SELECT * FROM conversations WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR status = $2) ORDER BY id DESC LIMIT $3',
        [kind ?? null, status ?? null, limit],
      );
      return rows.map(toConversation);
    },

    async messages(conversationId) {
      if (!isRowId(conversationId)) return [];
      const { rows } = await session.query<{ seq: number; role: MessageRole; content: string; created_at: string }>(
        'SELECT seq, role, content, created_at FROM messages WHERE conversation_id = $1 ORDER BY seq',
        [conversationId],
      );
      return rows.map((row) => ({ seq: row.seq, role: row.role, content: row.content, createdAt: row.created_at }));
    },

    async setStatus(conversationId, status) {
      const parsed = conversationStatusSchema.safeParse(status);
      if (!parsed.success) throw new StoreError(`"${status}" is not a conversation status: use ${CONVERSATION_STATUSES.join(', ')}.`, 'invalid');
      if (!(await setStatus(session, conversationId, parsed.data))) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
    },
  };
}

/** Updates the status (stamping or clearing the end); false when there is no such conversation. */
async function setStatus(q: Queryable, conversationId: number, status: ConversationStatus): Promise<boolean> {
  const endedAt = isClosedStatus(status) ? now() : null;
  const { rowCount } = await q.query(
    'UPDATE conversations SET status = $1, ended_at = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE coalesce(ended_at, $2::timestamptz) END WHERE id = $3',
    [status, endedAt, conversationId],
  );
  return (rowCount ?? 0) > 0;
}

function parseTrace(events: readonly TraceEventInput[]) {
  const parsed = z.array(traceEventSchema).safeParse(events);
  if (!parsed.success) throw new StoreError(`Trace events are not valid: ${describeZodError(parsed.error)}`, 'invalid');
  return parsed.data;
}

/** Appends parsed events after `lastSeq`; returns the first new sequence number. */
async function insertTrace(q: Queryable, conversationId: number, lastSeq: number, events: ReturnType<typeof parseTrace>): Promise<number> {
  const first = lastSeq + 1;
  if (events.length === 0) return first;
  const at = now();
  await q.query(
    `INSERT INTO trace_events (conversation_id, seq, at, type, step_id, payload)
     SELECT $1::bigint, seq, at, type, step_id, payload::json FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS e(seq, at, type, step_id, payload)`,
    [
      conversationId,
      events.map((_, index) => first + index),
      events.map((event) => event.at ?? at),
      events.map((event) => event.type),
      events.map((event) => event.stepId ?? null),
      events.map((event) => JSON.stringify(event.payload)),
    ],
  );
  return first;
}

function traceRepository(session: Session): TraceRepository {
  return {
    async append(conversationId, events) {
      const parsed = parseTrace(events);
      return session.atomic(async (q) => {
        const position = await positionOf(q, conversationId);
        return insertTrace(q, conversationId, position.trace, parsed);
      });
    },

    async events(conversationId, options = {}) {
      if (!isRowId(conversationId)) return [];
      const limit = options.limit === undefined || options.limit < 0 ? null : options.limit;
      const { rows } = await session.query<{ seq: number; at: string; type: string; step_id: string | null; payload: Record<string, unknown> }>(
        'SELECT seq, at, type, step_id, payload FROM trace_events WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [conversationId, options.afterSeq ?? 0, limit],
      );
      return rows.map((row) => ({ seq: row.seq, at: row.at, type: row.type, stepId: row.step_id, payload: row.payload }));
    },

    async count(conversationId) {
      if (conversationId !== undefined && !isRowId(conversationId)) return 0;
      const { rows } =
        conversationId === undefined
          ? await session.query<{ count: number }>('SELECT count(*) AS count FROM trace_events')
          : await session.query<{ count: number }>('SELECT count(*) AS count FROM trace_events WHERE conversation_id = $1', [conversationId]);
      return rows[0]!.count;
    },
  };
}

export interface Position {
  status: ConversationStatus;
  history: number;
  messages: number;
  trace: number;
}

/**
 * Where a conversation stands: one statement, its id inlined (a checked safe integer), so it can
 * share a round trip with the BEGIN before it. Null for an id no row can have.
 */
export function positionSql(conversationId: number): string | null {
  if (!isRowId(conversationId)) return null;
  return `SELECT c.status,
           (SELECT count(*) FROM conversation_history h WHERE h.conversation_id = c.id) AS history,
           (SELECT coalesce(max(seq), 0) FROM messages m WHERE m.conversation_id = c.id) AS messages,
           (SELECT coalesce(max(seq), 0) FROM trace_events t WHERE t.conversation_id = c.id) AS trace
         FROM conversations c WHERE c.id = ${conversationId}`;
}

/** The position a `positionSql` read found; refuses an unknown conversation. */
export function positionFrom(rows: readonly unknown[], conversationId: number): Position {
  if (!rows[0]) throw new StoreError(`There is no conversation ${conversationId}.`, 'not-found');
  return rows[0] as Position;
}

/** Where a conversation stands, in one round trip; refuses an unknown conversation. */
async function positionOf(q: Queryable, conversationId: number): Promise<Position> {
  const sql = positionSql(conversationId);
  return positionFrom(sql ? (await q.query<Position>(sql)).rows : [], conversationId);
}

/** A turn's writes as the parts of one WITH statement: more parts (with more parameters) may join them. */
export interface TurnWriteParts {
  /** Data-modifying `name AS (…)` parts; $1 is the conversation's id, $5 the time of the turn. */
  parts: string[];
  params: unknown[];
}

/**
 * Every write of a turn in one statement (one round trip): the transcript lines, the trace, the
 * new history entries, the state, and the status if it changed.
 */
export function turnWrite(conversationId: number, turn: TurnRecord, position: Position, at: string): { sql: string; params: unknown[] } {
  const { parts, params } = turnWriteParts(conversationId, turn, position, at);
  return { sql: `WITH ${parts.join(', ')} SELECT 1`, params };
}

/** turnWrite's parts. Checks the turn first: history is append-only, roles and the status are known ones. */
export function turnWriteParts(conversationId: number, turn: TurnRecord, position: Position, at: string): TurnWriteParts {
  if (turn.history.length < position.history) {
    throw new StoreError(`Conversation ${conversationId} has ${position.history} history entries stored; a turn cannot save fewer (${turn.history.length}): history is append-only.`, 'invalid');
  }
  for (const message of turn.newMessages) {
    if (!messageRoleSchema.safeParse(message.role).success) throw new StoreError(`"${message.role}" is not a message role: use customer, agent, system or tool.`, 'invalid');
  }
  const status = conversationStatusSchema.safeParse(turn.status);
  if (!status.success) throw new StoreError(`"${turn.status}" is not a conversation status: use ${CONVERSATION_STATUSES.join(', ')}.`, 'invalid');
  const trace = parseTrace(turn.trace);
  const added = turn.history.slice(position.history);
  const endedAt = isClosedStatus(status.data) ? at : null;
  return {
    parts: [
      `new_messages AS (
             INSERT INTO messages (conversation_id, seq, role, content, created_at)
             SELECT $1::bigint, seq, role, content, $5::timestamptz FROM unnest($2::int[], $3::text[], $4::text[]) AS m(seq, role, content)
           )`,
      `new_trace AS (
             INSERT INTO trace_events (conversation_id, seq, at, type, step_id, payload)
             SELECT $1::bigint, seq, at, type, step_id, payload::json FROM unnest($6::int[], $7::text[], $8::text[], $9::text[], $10::text[]) AS e(seq, at, type, step_id, payload)
           )`,
      `new_history AS (
             INSERT INTO conversation_history (conversation_id, seq, message)
             SELECT $1::bigint, seq, message::json FROM unnest($11::int[], $12::text[]) AS h(seq, message)
           )`,
      `new_state AS (
             INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES ($1::bigint, $13::json, $5::timestamptz)
             ON CONFLICT (conversation_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
           )`,
      `new_status AS (
             UPDATE conversations SET status = $14::text, ended_at = CASE WHEN $15::timestamptz IS NULL THEN NULL ELSE coalesce(ended_at, $15::timestamptz) END
             WHERE id = $1::bigint AND status <> $14::text
           )`,
    ],
    params: [
      conversationId,
      turn.newMessages.map((_, index) => position.messages + 1 + index),
      turn.newMessages.map((message) => message.role),
      turn.newMessages.map((message) => message.content),
      at,
      trace.map((_, index) => position.trace + 1 + index),
      trace.map((event) => event.at ?? at),
      trace.map((event) => event.type),
      trace.map((event) => event.stepId ?? null),
      trace.map((event) => JSON.stringify(event.payload)),
      added.map((_, index) => position.history + 1 + index),
      added.map((entry) => JSON.stringify(entry)),
      JSON.stringify({ ...turn.state, history: [] }),
      status.data,
      endedAt,
    ],
  };
}

function turnRepository(session: Session): TurnRepository {
  return {
    async save(conversationId: number, turn: TurnRecord) {
      return session.atomic(async (q) => {
        const position = await positionOf(q, conversationId);
        const write = turnWrite(conversationId, turn, position, now());
        await q.query(write.sql, write.params);
      });
    },

    async load(conversationId) {
      if (!isRowId(conversationId)) return null;
      const { rows } = await session.query<{ state: unknown; history: unknown[] }>(
        `SELECT s.state, (SELECT coalesce(json_agg(h.message ORDER BY h.seq), '[]'::json) FROM conversation_history h WHERE h.conversation_id = s.conversation_id) AS history
         FROM conversation_state s WHERE s.conversation_id = $1`,
        [conversationId],
      );
      return rows[0] ? { state: rows[0].state, history: rows[0].history } : null;
    },
  };
}

/** A bigint column holds only integers in range: anything else names no row (rather than a type error). */
function isRowId(id: number): boolean {
  return Number.isSafeInteger(id) && id > 0;
}
