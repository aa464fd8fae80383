// Trace events: what happened in a conversation, step by step. Written in batches, each batch
// in one transaction, because a running conversation produces many small events.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { describeZodError } from '../../shared/zod-error';
import { activityTransaction, type Durability } from './durability';
import { StoreError } from './errors';
import { now } from './hash';

export const traceEventSchema = z.strictObject({
  type: z.string().trim().min(1).max(100),
  at: z.iso.datetime().optional(),
  stepId: z.string().max(300).nullish(),
  payload: z.record(z.string(), z.unknown()).default({}),
});

export type TraceEventInput = z.input<typeof traceEventSchema>;

export interface TraceEvent {
  seq: number;
  type: string;
  at: string;
  stepId: string | null;
  payload: Record<string, unknown>;
}

export class SqliteTraceRepository {
  private readonly insert;
  private readonly lastSeq;

  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability,
  ) {
    this.insert = db.prepare('INSERT INTO trace_events (conversation_id, seq, at, type, step_id, payload) VALUES (?, ?, ?, ?, ?, ?)');
    this.lastSeq = db.prepare('SELECT max(seq) FROM trace_events WHERE conversation_id = ?').pluck();
  }

  /** Appends events to a conversation's trace, all or none. Returns the first new sequence number. */
  append(conversationId: number, events: readonly TraceEventInput[]): number {
    const parsed = z.array(traceEventSchema).safeParse(events);
    if (!parsed.success) throw new StoreError(`Trace events are not valid: ${describeZodError(parsed.error)}`, 'invalid');
    return activityTransaction(this.db, this.durability, () => {
      const first = ((this.lastSeq.get(conversationId) as number | null) ?? 0) + 1;
      const at = now();
      parsed.data.forEach((event, index) => {
        this.insert.run(conversationId, first + index, event.at ?? at, event.type, event.stepId ?? null, JSON.stringify(event.payload));
      });
      return first;
    });
  }

  events(conversationId: number, options: { afterSeq?: number; limit?: number } = {}): TraceEvent[] {
    const rows = this.db
      .prepare('SELECT seq, at, type, step_id, payload FROM trace_events WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(conversationId, options.afterSeq ?? 0, options.limit ?? -1) as { seq: number; at: string; type: string; step_id: string | null; payload: string }[];
    return rows.map((row) => ({ seq: row.seq, at: row.at, type: row.type, stepId: row.step_id, payload: JSON.parse(row.payload) as Record<string, unknown> }));
  }

  count(conversationId?: number): number {
    return (
      conversationId === undefined
        ? this.db.prepare('SELECT count(*) FROM trace_events').pluck().get()
        : this.db.prepare('SELECT count(*) FROM trace_events WHERE conversation_id = ?').pluck().get(conversationId)
    ) as number;
  }
}
