// Simulations of a Procedure, their runs and each run's results. Suites, reviews and recordings
// have repositories of their own, reached from here.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  checkOutcomeSchema,
  runStatusSchema,
  simulationDefinitionSchema,
  type CheckOutcome,
  type RunStatus,
  type SimulationDefinition,
  type SimulationResult,
} from '../../shared/simulations/definition';
import { runDetailsSchema, type RunDetails } from '../../shared/simulations/records';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from './errors';
import { now } from './hash';
import type { ProcedureRepository } from './repositories';
import { SqliteSimulationRecordingRepository } from './simulation-recordings';
import { SqliteSimulationReviewRepository } from './simulation-reviews';
import { SqliteSimulationSuiteRepository } from './simulation-suites';
import { writeTransaction } from './write-transaction';

export interface StoredSimulation {
  id: number;
  procedure: string;
  name: string;
  definition: SimulationDefinition;
  updatedAt: string;
}

export interface SimulationRun {
  id: number;
  simulationId: number;
  procedureHash: string;
  version: number | null;
  status: RunStatus;
  summary: string;
  startedAt: string;
  finishedAt: string | null;
  results: SimulationResult[];
}

/** A check of a finished run as stored, with its id (for reviews). */
export interface StoredCheck extends CheckOutcome {
  id: number;
}

/** A run with everything the runner kept: its checks, details and the definition it ran with. */
export interface DetailedRun extends SimulationRun {
  suiteId: number | null;
  attempt: number;
  replayOf: number | null;
  definition: SimulationDefinition | null;
  details: RunDetails | null;
  checks: StoredCheck[];
}

export interface RunTarget {
  procedureHash: string;
  version?: number | null;
  suiteId?: number | null;
  attempt?: number;
  /** For a replay: the run it reproduces. Replays are left out of history and comparisons. */
  replayOf?: number | null;
  /** The definition as it ran. */
  definition?: SimulationDefinition;
}

interface RunRow {
  id: number;
  simulation_id: number;
  procedure_hash: string;
  version: number | null;
  status: RunStatus;
  summary: string;
  started_at: string;
  finished_at: string | null;
  suite_id: number | null;
  attempt: number;
  replay_of: number | null;
  definition: string | null;
  details: string;
}

const simulationName = z.string().trim().min(1, 'a simulation needs a name').max(200);

interface SimulationRow {
  id: number;
  procedure: string;
  name: string;
  definition: string;
  updated_at: string;
}

function toStored(row: SimulationRow): StoredSimulation {
  const parsed = simulationDefinitionSchema.safeParse(JSON.parse(row.definition));
  if (!parsed.success) throw new StoreError(`The stored simulation "${row.name}" is not valid: ${describeZodError(parsed.error)}`, 'invalid');
  return { id: row.id, procedure: row.procedure, name: row.name, definition: parsed.data, updatedAt: row.updated_at };
}

export class SqliteSimulationRepository {
  readonly suites: SqliteSimulationSuiteRepository;
  readonly reviews: SqliteSimulationReviewRepository;
  readonly recordings: SqliteSimulationRecordingRepository;

  constructor(
    private readonly db: Database.Database,
    private readonly procedures: ProcedureRepository,
  ) {
    this.suites = new SqliteSimulationSuiteRepository(db);
    this.reviews = new SqliteSimulationReviewRepository(db);
    this.recordings = new SqliteSimulationRecordingRepository(db);
  }

  save(procedure: string, name: string, definition: unknown): StoredSimulation {
    const record = this.procedures.require(procedure);
    const parsedName = simulationName.safeParse(name);
    if (!parsedName.success) throw new StoreError(`Simulation name is not valid: ${describeZodError(parsedName.error)}`, 'invalid');
    const parsed = simulationDefinitionSchema.safeParse(definition);
    if (!parsed.success) throw new StoreError(`Simulation "${name}" is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const at = now();
    this.db
      .prepare(
        `INSERT INTO simulations (procedure_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (procedure_id, name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
      )
      .run(record.id, parsedName.data, JSON.stringify(parsed.data), at, at);
    return this.get(record.name, parsedName.data)!;
  }

  get(procedure: string, name: string): StoredSimulation | null {
    const row = this.db
      .prepare('SELECT s.*, p.name AS procedure FROM simulations s JOIN procedures p ON p.id = s.procedure_id WHERE p.id = ? AND s.name = ?')
      .get(this.procedures.require(procedure).id, name) as SimulationRow | undefined;
    return row ? toStored(row) : null;
  }

  list(procedure?: string): StoredSimulation[] {
    const rows = (
      procedure === undefined
        ? this.db.prepare('SELECT s.*, p.name AS procedure FROM simulations s JOIN procedures p ON p.id = s.procedure_id ORDER BY p.name, s.name').all()
        : this.db
            .prepare('SELECT s.*, p.name AS procedure FROM simulations s JOIN procedures p ON p.id = s.procedure_id WHERE p.id = ? ORDER BY s.name')
            .all(this.procedures.require(procedure).id)
    ) as SimulationRow[];
    return rows.map(toStored);
  }

  delete(procedure: string, name: string): boolean {
    const simulation = this.get(procedure, name);
    return simulation ? this.db.prepare('DELETE FROM simulations WHERE id = ?').run(simulation.id).changes > 0 : false;
  }

  /** A stored simulation by id, or null. */
  byId(id: number): StoredSimulation | null {
    const row = this.db.prepare('SELECT s.*, p.name AS procedure FROM simulations s JOIN procedures p ON p.id = s.procedure_id WHERE s.id = ?').get(id) as SimulationRow | undefined;
    return row ? toStored(row) : null;
  }

  startRun(simulationId: number, against: RunTarget): number {
    const definition = against.definition === undefined ? null : JSON.stringify(simulationDefinitionSchema.parse(against.definition));
    const result = this.db
      .prepare(
        "INSERT INTO simulation_runs (simulation_id, procedure_hash, version, status, started_at, suite_id, attempt, replay_of, definition) VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?)",
      )
      .run(simulationId, against.procedureHash, against.version ?? null, now(), against.suiteId ?? null, against.attempt ?? 1, against.replayOf ?? null, definition);
    return Number(result.lastInsertRowid);
  }

  /** Finishes a run with its checks (one result row each, with kind, party and evidence) and details. */
  completeRun(runId: number, outcome: { status: RunStatus; summary: string; checks: CheckOutcome[]; details: RunDetails }): void {
    const status = runStatusSchema.parse(outcome.status);
    if (status === 'running') throw new StoreError('A run is completed as passed, failed or error, not running.', 'invalid');
    const checks = z.array(checkOutcomeSchema).safeParse(outcome.checks);
    if (!checks.success) throw new StoreError(`Simulation checks are not valid: ${describeZodError(checks.error)}`, 'invalid');
    const details = runDetailsSchema.safeParse(outcome.details);
    if (!details.success) throw new StoreError(`Simulation run details are not valid: ${describeZodError(details.error)}`, 'invalid');
    writeTransaction(this.db, () => {
      const changed = this.db
        .prepare('UPDATE simulation_runs SET status = ?, summary = ?, finished_at = ?, details = ? WHERE id = ?')
        .run(status, outcome.summary, now(), JSON.stringify(details.data), runId).changes;
      if (changed === 0) throw new StoreError(`There is no simulation run ${runId}.`, 'not-found');
      const insert = this.db.prepare('INSERT INTO simulation_results (run_id, expectation, passed, detail, kind, party, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const check of checks.data) {
        insert.run(runId, check.name, check.passed ? 1 : 0, check.reason, check.kind, check.party, check.evidence === undefined ? null : JSON.stringify(check.evidence));
      }
    });
  }

  /** A run with its checks and details, or null. */
  run(runId: number): DetailedRun | null {
    const row = this.db.prepare('SELECT * FROM simulation_runs WHERE id = ?').get(runId) as RunRow | undefined;
    return row ? this.toDetailed(row) : null;
  }

  requireRun(runId: number): DetailedRun {
    const run = this.run(runId);
    if (!run) throw new StoreError(`There is no simulation run ${runId}.`, 'not-found');
    return run;
  }

  /** Finished runs of a simulation, newest first (replays left out). */
  runs(simulationId: number, limit = 50): DetailedRun[] {
    const rows = this.db
      .prepare("SELECT * FROM simulation_runs WHERE simulation_id = ? AND status != 'running' AND replay_of IS NULL ORDER BY id DESC LIMIT ?")
      .all(simulationId, limit) as RunRow[];
    return rows.map((row) => this.toDetailed(row));
  }

  /** The finished run of the same simulation before this one (replays left out), or null. */
  previousRun(runId: number): DetailedRun | null {
    const run = this.requireRun(runId);
    const row = this.db
      .prepare("SELECT * FROM simulation_runs WHERE simulation_id = ? AND id < ? AND status != 'running' AND replay_of IS NULL ORDER BY id DESC LIMIT 1")
      .get(run.simulationId, runId) as RunRow | undefined;
    return row ? this.toDetailed(row) : null;
  }

  /** The conversation a run played, or null. */
  conversationOf(runId: number): number | null {
    return (this.db.prepare('SELECT id FROM conversations WHERE simulation_run_id = ? ORDER BY id LIMIT 1').pluck().get(runId) as number | undefined) ?? null;
  }

  /** The stored checks of a run, in order. */
  checks(runId: number): StoredCheck[] {
    const rows = this.db.prepare('SELECT id, expectation, passed, detail, kind, party, evidence FROM simulation_results WHERE run_id = ? ORDER BY id').all(runId) as {
      id: number;
      expectation: string;
      passed: number;
      detail: string;
      kind: string;
      party: string | null;
      evidence: string | null;
    }[];
    return rows.map((row) => {
      const parsed = checkOutcomeSchema.safeParse({
        name: row.expectation,
        kind: row.kind,
        passed: row.passed === 1,
        reason: row.detail,
        party: row.party,
        ...(row.evidence === null ? {} : { evidence: JSON.parse(row.evidence) }),
      });
      if (!parsed.success) throw new StoreError(`A stored check of run ${runId} is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      return { id: row.id, ...parsed.data };
    });
  }

  private toDetailed(row: RunRow): DetailedRun {
    let definition: SimulationDefinition | null = null;
    if (row.definition !== null) {
      const parsed = simulationDefinitionSchema.safeParse(JSON.parse(row.definition));
      if (!parsed.success) throw new StoreError(`The definition stored with run ${row.id} is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      definition = parsed.data;
    }
    const rawDetails = JSON.parse(row.details) as Record<string, unknown>;
    let details: RunDetails | null = null;
    if (Object.keys(rawDetails).length > 0) {
      const parsed = runDetailsSchema.safeParse(rawDetails);
      if (!parsed.success) throw new StoreError(`The details of run ${row.id} are not valid: ${describeZodError(parsed.error)}`, 'invalid');
      details = parsed.data;
    }
    const checks = this.checks(row.id);
    return {
      ...runFields(row),
      results: checks.map((check) => ({ expectation: check.name, passed: check.passed, detail: check.reason })),
      suiteId: row.suite_id,
      attempt: row.attempt,
      replayOf: row.replay_of,
      definition,
      details,
      checks,
    };
  }

  /** Records a finished run made elsewhere (a bundle's last results). */
  recordRun(simulationId: number, run: Omit<SimulationRun, 'id' | 'simulationId'>): number {
    return writeTransaction(this.db, () => {
      const id = Number(
        this.db
          .prepare('INSERT INTO simulation_runs (simulation_id, procedure_hash, version, status, summary, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(simulationId, run.procedureHash, run.version, runStatusSchema.parse(run.status), run.summary, run.startedAt, run.finishedAt).lastInsertRowid,
      );
      const insert = this.db.prepare('INSERT INTO simulation_results (run_id, expectation, passed, detail) VALUES (?, ?, ?, ?)');
      for (const result of run.results) insert.run(id, result.expectation, result.passed ? 1 : 0, result.detail);
      return id;
    });
  }

  /** The latest finished run of a simulation with its results, or null. */
  lastRun(simulationId: number): SimulationRun | null {
    const row = this.db
      .prepare("SELECT * FROM simulation_runs WHERE simulation_id = ? AND status != 'running' AND replay_of IS NULL ORDER BY id DESC LIMIT 1")
      .get(simulationId) as
      | { id: number; simulation_id: number; procedure_hash: string; version: number | null; status: RunStatus; summary: string; started_at: string; finished_at: string | null }
      | undefined;
    if (!row) return null;
    const results = (this.db.prepare('SELECT expectation, passed, detail FROM simulation_results WHERE run_id = ? ORDER BY id').all(row.id) as {
      expectation: string;
      passed: number;
      detail: string;
    }[]).map((result) => ({ expectation: result.expectation, passed: result.passed === 1, detail: result.detail }));
    return {
      ...runFields(row),
      results,
    };
  }
}

type RunFieldsRow = Pick<RunRow, 'id' | 'simulation_id' | 'procedure_hash' | 'version' | 'status' | 'summary' | 'started_at' | 'finished_at'>;

/** The columns every kind of run record shares. */
function runFields(row: RunFieldsRow) {
  return {
    id: row.id,
    simulationId: row.simulation_id,
    procedureHash: row.procedure_hash,
    version: row.version,
    status: row.status,
    summary: row.summary,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
