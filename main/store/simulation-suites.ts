// Suites: one `simulate` (or auto re-run) over many simulations, with its options, the cost
// estimate made before it ran and the report made after.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { StoreError } from './errors';
import { now } from './hash';

export const suiteStatusSchema = z.enum(['running', 'finished', 'cancelled', 'error']);
export type SuiteStatus = z.infer<typeof suiteStatusSchema>;

const jsonRecord = z.record(z.string(), z.unknown());

export interface StoredSuite {
  id: number;
  status: SuiteStatus;
  options: Record<string, unknown>;
  estimate: Record<string, unknown>;
  report: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
}

export class SqliteSimulationSuiteRepository {
  constructor(private readonly db: Database.Database) {}

  start(options: Record<string, unknown>, estimate: Record<string, unknown>): number {
    const parsed = z.strictObject({ options: jsonRecord, estimate: jsonRecord }).parse({ options, estimate });
    return Number(
      this.db
        .prepare("INSERT INTO simulation_suites (status, options, estimate, started_at) VALUES ('running', ?, ?, ?)")
        .run(JSON.stringify(parsed.options), JSON.stringify(parsed.estimate), now()).lastInsertRowid,
    );
  }

  finish(id: number, status: Exclude<SuiteStatus, 'running'>, report: Record<string, unknown>): void {
    const parsedStatus = suiteStatusSchema.parse(status);
    const changed = this.db
      .prepare('UPDATE simulation_suites SET status = ?, report = ?, finished_at = ? WHERE id = ?')
      .run(parsedStatus, JSON.stringify(jsonRecord.parse(report)), now(), id).changes;
    if (changed === 0) throw new StoreError(`There is no simulation suite ${id}.`, 'not-found');
  }

  get(id: number): StoredSuite | null {
    const row = this.db.prepare('SELECT * FROM simulation_suites WHERE id = ?').get(id) as
      | { id: number; status: string; options: string; estimate: string; report: string; started_at: string; finished_at: string | null }
      | undefined;
    if (!row) return null;
    return {
      id: row.id,
      status: suiteStatusSchema.parse(row.status),
      options: jsonRecord.parse(JSON.parse(row.options)),
      estimate: jsonRecord.parse(JSON.parse(row.estimate)),
      report: jsonRecord.parse(JSON.parse(row.report)),
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }

  /** Ids of the runs of a suite, in the order they started. */
  runIds(id: number): number[] {
    return this.db.prepare('SELECT id FROM simulation_runs WHERE suite_id = ? ORDER BY id').pluck().all(id) as number[];
  }
}
