// What exact replay needs: every model response of a run in call order, the connector results of
// live runs, and the text of each Procedure version and starting world a run ran on, by content
// hash (drafts and worlds have no history of their own).
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { recordedConnectorCallSchema, recordedModelCallSchema, type RecordedConnectorCall, type RecordedModelCall } from '../../shared/simulations/records';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from './errors';
import { contentHash, now } from './hash';
import { writeTransaction } from './write-transaction';

export class SqliteSimulationRecordingRepository {
  constructor(private readonly db: Database.Database) {}

  saveModelCalls(runId: number, calls: RecordedModelCall[]): void {
    const parsed = z.array(recordedModelCallSchema).safeParse(calls);
    if (!parsed.success) throw new StoreError(`Recorded model calls are not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const insert = this.db.prepare('INSERT INTO simulation_model_calls (run_id, seq, role, request_hash, response) VALUES (?, ?, ?, ?, ?)');
    writeTransaction(this.db, () => {
      for (const call of parsed.data) insert.run(runId, call.seq, call.role, call.requestHash, JSON.stringify(call.result));
    });
  }

  modelCalls(runId: number): RecordedModelCall[] {
    const rows = this.db.prepare('SELECT seq, role, request_hash, response FROM simulation_model_calls WHERE run_id = ? ORDER BY seq').all(runId) as {
      seq: number;
      role: string;
      request_hash: string;
      response: string;
    }[];
    return rows.map((row) => {
      const parsed = recordedModelCallSchema.safeParse({ seq: row.seq, role: row.role, requestHash: row.request_hash, result: JSON.parse(row.response) });
      if (!parsed.success) throw new StoreError(`Recorded model call ${row.seq} of run ${runId} is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      return parsed.data;
    });
  }

  saveConnectorCalls(runId: number, calls: RecordedConnectorCall[]): void {
    const parsed = z.array(recordedConnectorCallSchema).safeParse(calls);
    if (!parsed.success) throw new StoreError(`Recorded connector calls are not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const insert = this.db.prepare('INSERT INTO simulation_connector_calls (run_id, seq, action, input_hash, result) VALUES (?, ?, ?, ?, ?)');
    writeTransaction(this.db, () => {
      for (const call of parsed.data) insert.run(runId, call.seq, call.action, call.inputHash, JSON.stringify(call.result));
    });
  }

  connectorCalls(runId: number): RecordedConnectorCall[] {
    const rows = this.db.prepare('SELECT seq, action, input_hash, result FROM simulation_connector_calls WHERE run_id = ? ORDER BY seq').all(runId) as {
      seq: number;
      action: string;
      input_hash: string;
      result: string;
    }[];
    return rows.map((row) => {
      const parsed = recordedConnectorCallSchema.safeParse({ seq: row.seq, action: row.action, inputHash: row.input_hash, result: JSON.parse(row.result) });
      if (!parsed.success) throw new StoreError(`Recorded connector call ${row.seq} of run ${runId} is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      return parsed.data;
    });
  }

  /** Keeps a Procedure text or a world (as JSON text) under its content hash, once; returns the hash. */
  snapshot(kind: 'procedure' | 'world', name: string, text: string): string {
    const hash = contentHash(text);
    this.db
      .prepare('INSERT INTO run_snapshots (content_hash, kind, name, text, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (content_hash) DO NOTHING')
      .run(hash, kind, name, text, now());
    return hash;
  }

  hasSnapshot(hash: string): boolean {
    return this.db.prepare('SELECT 1 FROM run_snapshots WHERE content_hash = ?').get(hash) !== undefined;
  }

  /** The text kept under a content hash, or null. */
  snapshotText(hash: string): string | null {
    return (this.db.prepare('SELECT text FROM run_snapshots WHERE content_hash = ?').pluck().get(hash) as string | undefined) ?? null;
  }
}
