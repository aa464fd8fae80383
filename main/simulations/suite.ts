// A suite: many simulations, each repeated k times, at most `concurrency` runs at a time, on the
// Procedures as they were when it started. It reports progress as runs start and finish, can be
// cancelled (no new run starts; runs in flight stop at their next model call), and ends with
// pass^k, the pass rate, the actual cost next to the estimate, and each run's outcome.
import type { ModelCaller } from '../model/client';
import type { StoredSimulation } from '../store/simulations';
import type { CostEstimate } from './cost';
import { totalTokens } from './model-recording';
import { PinnedCatalog, pinProcedures } from './pinned-procedures';
import { runPool } from './pool';
import { SimulationSetupError, type RunOutcome, type SimulationServices } from './runner';
import { passHatK } from './scoring';
import { runSimulation } from './simulate';

export interface SuiteOptions {
  model: ModelCaller;
  /** Tries of each simulation (k of pass^k). */
  repeat: number;
  concurrency: number;
  /** Run on drafts (default) or live versions. */
  draft?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: SuiteProgress) => void;
  /** The estimate made before the suite, kept with it. */
  estimate?: CostEstimate;
  /** What started it ("cli", "auto re-run"…), kept with it. */
  trigger?: string;
}

export type SuiteProgress =
  | { type: 'suite_started'; suiteId: number; total: number }
  | { type: 'run_started'; simulation: string; procedure: string; attempt: number; started: number; total: number }
  | { type: 'run_finished'; run: RunOutcome; finished: number; total: number }
  | { type: 'suite_finished'; report: SuiteReport };

export interface SimulationScore {
  simulationId: number;
  procedure: string;
  name: string;
  tries: number;
  passes: number;
}

export interface SuiteReport {
  suiteId: number;
  status: 'finished' | 'cancelled';
  k: number;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  /** Runs that never started because the suite was cancelled. */
  skipped: number;
  /** Share of simulations whose every try passed (null when a simulation has fewer than k finished tries). */
  passHatK: number | null;
  /** Share of finished runs that passed. */
  passRate: number | null;
  simulations: SimulationScore[];
  runs: RunOutcome[];
  costUsd: number;
  tokens: number;
  estimatedUsd: number | null;
  wallMs: number;
}

export async function runSuite(services: SimulationServices, simulations: readonly StoredSimulation[], options: SuiteOptions): Promise<SuiteReport> {
  const started = performance.now();
  const k = options.repeat;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`--repeat must be a whole number ≥ 1 (got ${k}).`);
  const draft = options.draft ?? true;
  const pinned = pinProcedures(services.workspace, draft);
  const missing = [...new Set(simulations.map((simulation) => simulation.procedure).filter((name) => !pinned.hashes[name]))];
  if (missing.length > 0) {
    throw new SimulationSetupError(
      draft ? `These Procedures are not in the workspace: ${missing.join(', ')}.` : `These Procedures have no live version: ${missing.join(', ')}. Publish them, or run the simulations on drafts.`,
    );
  }
  const catalog = new PinnedCatalog(services.workspace, pinned);
  const jobs = simulations.flatMap((simulation) => Array.from({ length: k }, (_, index) => ({ simulation, attempt: index + 1 })));
  const suiteId = services.workspace.simulations.suites.start(
    { repeat: k, concurrency: options.concurrency, draft, simulations: simulations.map((simulation) => simulation.id), trigger: options.trigger ?? null },
    options.estimate ? { ...options.estimate } : {},
  );
  const progress = (event: SuiteProgress) => {
    try {
      options.onProgress?.(event);
    } catch {
      // A failing listener must not stop the suite.
    }
  };
  progress({ type: 'suite_started', suiteId, total: jobs.length });
  let startedRuns = 0;
  let finishedRuns = 0;
  let outcomes: (RunOutcome | undefined)[];
  try {
    outcomes = await runPool(
      jobs,
      options.concurrency,
      async ({ simulation, attempt }) => {
        startedRuns += 1;
        progress({ type: 'run_started', simulation: simulation.name, procedure: simulation.procedure, attempt, started: startedRuns, total: jobs.length });
        const outcome = await runSimulation(services, simulation, { model: options.model, pinned, catalog, attempt, suiteId, ...(options.signal ? { signal: options.signal } : {}) });
        finishedRuns += 1;
        progress({ type: 'run_finished', run: outcome, finished: finishedRuns, total: jobs.length });
        return outcome;
      },
      options.signal,
    );
  } catch (error) {
    services.workspace.simulations.suites.finish(suiteId, 'error', { error: (error as Error).message });
    throw error;
  }
  const runs = outcomes.filter((outcome): outcome is RunOutcome => outcome !== undefined);
  const report = summarize(suiteId, simulations, runs, jobs.length, k, options, performance.now() - started);
  services.workspace.simulations.suites.finish(suiteId, report.status, { ...report, runs: runs.map((run) => ({ runId: run.runId, simulation: run.simulation, attempt: run.attempt, status: run.status })) });
  progress({ type: 'suite_finished', report });
  return report;
}

function summarize(suiteId: number, simulations: readonly StoredSimulation[], runs: RunOutcome[], total: number, k: number, options: SuiteOptions, wallMs: number): SuiteReport {
  const cancelled = options.signal?.aborted === true;
  const scores = simulations.map((simulation): SimulationScore => {
    const mine = runs.filter((run) => run.simulationId === simulation.id && run.details.endedBy !== 'cancelled');
    return { simulationId: simulation.id, procedure: simulation.procedure, name: simulation.name, tries: mine.length, passes: mine.filter((run) => run.status === 'passed').length };
  });
  const complete = scores.every((score) => score.tries >= k);
  const tries = scores.map((score) => Array.from({ length: score.tries }, (_, index) => index < score.passes));
  const finished = runs.filter((run) => run.details.endedBy !== 'cancelled');
  return {
    suiteId,
    status: cancelled ? 'cancelled' : 'finished',
    k,
    total,
    passed: runs.filter((run) => run.status === 'passed').length,
    failed: runs.filter((run) => run.status === 'failed').length,
    errors: runs.filter((run) => run.status === 'error').length,
    skipped: total - runs.length,
    passHatK: complete ? passHatK(tries, k) : null,
    passRate: finished.length === 0 ? null : finished.filter((run) => run.status === 'passed').length / finished.length,
    simulations: scores,
    runs,
    costUsd: runs.reduce((sum, run) => sum + run.details.costUsd, 0),
    tokens: runs.reduce((sum, run) => sum + totalTokens(run.details.usage), 0),
    estimatedUsd: options.estimate?.usd ?? null,
    wallMs: Math.round(wallMs),
  };
}
