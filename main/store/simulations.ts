// Simulations of a Procedure, their runs and each run's results.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { resultSchema, runStatusSchema, simulationDefinitionSchema, type RunStatus, type SimulationDefinition, type SimulationResult } from '../simulations/definition';
import { describeZodError } from '../validation/zod-error';
import { StoreError } from './errors';
import { now } from './hash';
import type { ProcedureRepository } from './procedures';

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

const simulationName = z.string().trim().min(1, 'a simulation needs a name').max(200);

export class SimulationRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly procedures: ProcedureRepository,
  ) {}

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
    return this.list(procedure).find((simulation) => simulation.name === name) ?? null;
  }

  list(procedure?: string): StoredSimulation[] {
    const rows = (
      procedure === undefined
        ? this.db.prepare('SELECT s.*, p.name AS procedure FROM simulations s JOIN procedures p ON p.id = s.procedure_id ORDER BY p.name, s.name').all()
        : this.db
            .prepare('SELECT s.*, p.name AS procedure FROM simulations s JOIN procedures p ON p.id = s.procedure_id WHERE p.id = ? ORDER BY s.name')
            .all(this.procedures.require(procedure).id)
    ) as { id: number; procedure: string; name: string; definition: string; updated_at: string }[];
    return rows.map((row) => {
      const parsed = simulationDefinitionSchema.safeParse(JSON.parse(row.definition));
      if (!parsed.success) throw new StoreError(`The stored simulation "${row.name}" is not valid: ${describeZodError(parsed.error)}`, 'invalid');
      return { id: row.id, procedure: row.procedure, name: row.name, definition: parsed.data, updatedAt: row.updated_at };
    });
  }

  delete(procedure: string, name: string): boolean {
    const simulation = this.get(procedure, name);
    return simulation ? this.db.prepare('DELETE FROM simulations WHERE id = ?').run(simulation.id).changes > 0 : false;
  }

  startRun(simulationId: number, against: { procedureHash: string; version?: number | null }): number {
    const result = this.db
      .prepare("INSERT INTO simulation_runs (simulation_id, procedure_hash, version, status, started_at) VALUES (?, ?, ?, 'running', ?)")
      .run(simulationId, against.procedureHash, against.version ?? null, now());
    return Number(result.lastInsertRowid);
  }

  finishRun(runId: number, status: RunStatus, results: unknown[], summary = ''): void {
    const parsedStatus = runStatusSchema.parse(status);
    const parsed = z.array(resultSchema).safeParse(results);
    if (!parsed.success) throw new StoreError(`Simulation results are not valid: ${describeZodError(parsed.error)}`, 'invalid');
    this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE simulation_runs SET status = ?, summary = ?, finished_at = ? WHERE id = ?').run(parsedStatus, summary, now(), runId).changes;
      if (changed === 0) throw new StoreError(`There is no simulation run ${runId}.`, 'not-found');
      const insert = this.db.prepare('INSERT INTO simulation_results (run_id, expectation, passed, detail) VALUES (?, ?, ?, ?)');
      for (const result of parsed.data) insert.run(runId, result.expectation, result.passed ? 1 : 0, result.detail);
    })();
  }

  /** Records a finished run made elsewhere (a bundle's last results). */
  recordRun(simulationId: number, run: Omit<SimulationRun, 'id' | 'simulationId'>): number {
    return this.db.transaction(() => {
      const id = Number(
        this.db
          .prepare('INSERT INTO simulation_runs (simulation_id, procedure_hash, version, status, summary, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(simulationId, run.procedureHash, run.version, runStatusSchema.parse(run.status), run.summary, run.startedAt, run.finishedAt).lastInsertRowid,
      );
      const insert = this.db.prepare('INSERT INTO simulation_results (run_id, expectation, passed, detail) VALUES (?, ?, ?, ?)');
      for (const result of run.results) insert.run(id, result.expectation, result.passed ? 1 : 0, result.detail);
      return id;
    })();
  }

  /** The latest finished run of a simulation with its results, or null. */
  lastRun(simulationId: number): SimulationRun | null {
    const row = this.db
      .prepare("SELECT * FROM simulation_runs WHERE simulation_id = ? AND status != 'running' ORDER BY id DESC LIMIT 1")
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
      id: row.id,
      simulationId: row.simulation_id,
      procedureHash: row.procedure_hash,
      version: row.version,
      status: row.status,
      summary: row.summary,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      results,
    };
  }
}
