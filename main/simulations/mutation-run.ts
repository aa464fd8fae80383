// Mutation testing of a suite: "would my simulations notice if this branch broke?". The plan makes
// the Procedure's mutants (main/simulations/mutation.ts), sets aside those that no longer validate,
// and estimates the cost before anything runs. The run works on a throwaway copy of the workspace,
// so a mutant's draft and its runs never reach the user's workspace (nor its lists, comparisons or
// publish gate): first the suite on the Procedure as it is (the baseline: only simulations that
// pass there can tell a mutant apart), then the suite on each mutant in turn. A mutant is killed
// when some simulation fails on it, and survives when all pass. Recorded runs are never replayed
// for mutants: the recordings were made on another text, so each mutant run calls the model afresh.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import type { ValidationContext } from '../../shared/procedure';
import type { StoredSimulation } from '../store/simulations';
import type { Workspace } from '../store/workspace';
import { estimateSuiteCost } from './cost';
import { mutantErrors, mutants, type Mutant } from './mutation';
import type { SimulationServices } from './runner';
import { runSuite, type SuiteReport } from './suite';

export const REPLAY_NOTE = 'Recorded runs are not reused for mutants: each mutant changes the text the recordings were made on, so every mutant run calls the models afresh.';

export interface MutationPlan {
  procedure: string;
  /** The Procedure text the mutants are made from (its draft). */
  text: string;
  mutants: Mutant[];
  /** Mutants that do not validate (e.g. a dropped action whose data a later step reads): not run. */
  invalid: { mutant: Mutant; errors: string[] }[];
  simulations: StoredSimulation[];
  /** The suite once on the Procedure, then once per mutant. */
  estimate: { suites: number; runs: number; usd: number; tokens: number; usdPerSuite: number; unpricedModels: string[] };
}

export type MutantStatus = 'killed' | 'survived' | 'error' | 'cancelled';

export interface MutantOutcome {
  mutant: Omit<Mutant, 'text' | 'edits'>;
  status: MutantStatus;
  /** The simulations that failed on the mutant. */
  killedBy: string[];
  /** Why runs errored (an unreachable model…): such a mutant is neither killed nor survived. */
  errors: string[];
  suiteId: number | null;
  costUsd: number;
  wallMs: number;
}

export interface MutationReport {
  procedure: string;
  status: 'finished' | 'cancelled' | 'baseline_failed';
  baseline: { passed: string[]; failed: string[]; wallMs: number; costUsd: number };
  mutants: MutantOutcome[];
  invalid: MutationPlan['invalid'];
  killed: number;
  survived: number;
  /** killed ÷ (killed + survived); null when no mutant was decided. */
  score: number | null;
  costUsd: number;
  /** The whole run, and the share of it spent outside the suites themselves (copy, set-up, bookkeeping). */
  wallMs: number;
  suitesWallMs: number;
  overheadMs: number;
  replayNote: string;
}

export type MutationProgress =
  | { type: 'baseline_started'; simulations: number }
  | { type: 'mutant_started'; mutant: string; index: number; total: number }
  | { type: 'mutant_finished'; outcome: MutantOutcome; index: number; total: number };

/**
 * The mutants of a Procedure's draft, which of them validate (against `context`, the workspace's
 * Procedures, actions and teams), and the cost of running the suite on each.
 */
export function planMutations(workspace: Workspace, procedure: string, simulations: readonly StoredSimulation[], settings: ModelSettings, context: ValidationContext): MutationPlan {
  const record = workspace.procedures.require(procedure);
  const valid: Mutant[] = [];
  const invalid: MutationPlan['invalid'] = [];
  for (const mutant of mutants(record.draftText)) {
    const errors = mutantErrors(record.draftText, mutant.text, context);
    if (errors.length === 0) valid.push(mutant);
    else invalid.push({ mutant, errors: errors.map((error) => `line ${error.span.start.line}: ${error.message}`) });
  }
  const suite = estimateSuiteCost(workspace, simulations, { repeat: 1, settings });
  const suites = valid.length + 1;
  return {
    procedure: record.name,
    text: record.draftText,
    mutants: valid,
    invalid,
    simulations: [...simulations],
    estimate: { suites, runs: suite.runs * suites, usd: suite.usd * suites, tokens: suite.tokens * suites, usdPerSuite: suite.usd, unpricedModels: suite.unpricedModels },
  };
}

export interface MutationRunOptions {
  model: ModelCaller;
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (event: MutationProgress) => void;
}

/** Runs a plan (only after the caller has the user's consent to its estimate). */
export async function runMutations(services: SimulationServices, plan: MutationPlan, options: MutationRunOptions): Promise<MutationReport> {
  const started = performance.now();
  const folder = mkdtempSync(join(tmpdir(), 'stepwise-mutants-'));
  const scratch = services.workspace.copyTo(join(folder, 'mutants.stepwise'));
  const progress = (event: MutationProgress) => {
    try {
      options.onProgress?.(event);
    } catch {
      // A failing listener must not stop the run.
    }
  };
  try {
    const on = { ...services, workspace: scratch };
    const ids = new Set(plan.simulations.map((simulation) => simulation.id));
    // The copy holds the draft the plan was made from, whatever was saved since.
    scratch.procedures.saveDraft(plan.procedure, plan.text);
    const selected = scratch.simulations.list(plan.procedure).filter((simulation) => ids.has(simulation.id));
    const suite = (simulations: StoredSimulation[], trigger: string) =>
      runSuite(on, simulations, { model: options.model, repeat: 1, concurrency: options.concurrency, draft: true, trigger, ...(options.signal ? { signal: options.signal } : {}) });
    progress({ type: 'baseline_started', simulations: selected.length });
    const baseline = await suite(selected, 'mutation baseline');
    const passedIds = new Set(baseline.runs.filter((run) => run.status === 'passed').map((run) => run.simulationId));
    const passing = selected.filter((simulation) => passedIds.has(simulation.id));
    const baselineSummary = {
      passed: passing.map((simulation) => simulation.name),
      failed: selected.filter((simulation) => !passedIds.has(simulation.id)).map((simulation) => simulation.name),
      wallMs: baseline.wallMs,
      costUsd: baseline.costUsd,
    };
    const outcomes: MutantOutcome[] = [];
    let suitesWallMs = baseline.wallMs;
    if (passing.length > 0) {
      for (const [index, mutant] of plan.mutants.entries()) {
        const { text: _text, edits: _edits, ...described } = mutant;
        if (options.signal?.aborted) {
          outcomes.push({ mutant: described, status: 'cancelled', killedBy: [], errors: [], suiteId: null, costUsd: 0, wallMs: 0 });
          continue;
        }
        progress({ type: 'mutant_started', mutant: mutant.id, index: index + 1, total: plan.mutants.length });
        scratch.procedures.saveDraft(plan.procedure, mutant.text);
        const report = await suite(passing, `mutant ${mutant.id}`);
        suitesWallMs += report.wallMs;
        const outcome = judgeMutant(described, report);
        outcomes.push(outcome);
        progress({ type: 'mutant_finished', outcome, index: index + 1, total: plan.mutants.length });
      }
    }
    const killed = outcomes.filter((outcome) => outcome.status === 'killed').length;
    const survived = outcomes.filter((outcome) => outcome.status === 'survived').length;
    const wallMs = Math.round(performance.now() - started);
    return {
      procedure: plan.procedure,
      status: passing.length === 0 ? 'baseline_failed' : options.signal?.aborted ? 'cancelled' : 'finished',
      baseline: baselineSummary,
      mutants: outcomes,
      invalid: plan.invalid,
      killed,
      survived,
      score: killed + survived === 0 ? null : killed / (killed + survived),
      costUsd: baseline.costUsd + outcomes.reduce((sum, outcome) => sum + outcome.costUsd, 0),
      wallMs,
      suitesWallMs,
      overheadMs: Math.max(0, wallMs - suitesWallMs),
      replayNote: REPLAY_NOTE,
    };
  } finally {
    scratch.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Killed when a simulation failed on the mutant; errored runs (no verdict) decide nothing. */
export function judgeMutant(mutant: MutantOutcome['mutant'], report: SuiteReport): MutantOutcome {
  const killedBy = report.runs.filter((run) => run.status === 'failed').map((run) => run.simulation);
  const errors = report.runs.filter((run) => run.status === 'error').map((run) => `${run.simulation}: ${run.summary}`);
  const status: MutantStatus = killedBy.length > 0 ? 'killed' : report.status === 'cancelled' ? 'cancelled' : errors.length > 0 ? 'error' : 'survived';
  return { mutant, status, killedBy, errors, suiteId: report.suiteId, costUsd: report.costUsd, wallMs: report.wallMs };
}

/** What a surviving mutant asks of the simulation generator: a simulation that passes on the Procedure and fails on the mutant. */
export function survivorTarget(mutant: MutantOutcome['mutant']): { id: string; kind: 'mutant'; label: string; description: string; min: number } {
  // In the Procedure's words: the model names its simulation after what it reads here.
  const where = mutant.place ? (mutant.branchId ? `the branch ${mutant.place}` : `the step ${mutant.place}`) : `line ${mutant.line}`;
  return {
    id: `mutant-${mutant.id}`,
    kind: 'mutant',
    label: `the change at line ${mutant.line}${mutant.place ? `, in ${mutant.place}` : ''}: ${mutant.description}`,
    description: `No simulation notices this change at line ${mutant.line}, in ${where}: ${mutant.description}. Write a simulation whose customer leads the conversation into ${where}, with checks (actions, final status, attributes) that pass on the Procedure as written and would fail with that change.`,
    min: 1,
  };
}
