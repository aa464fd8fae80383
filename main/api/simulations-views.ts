// The shapes the simulations screen reads, made from what the store and the simulations engine
// keep: a simulation with its last result, a suite with its comparison and coverage, one run as
// reviewed, and the judge–human agreement over one Procedure's runs.
import type { AgreementView, CoverageView, RunFinalWorld, RunResult, SimulationSummary, SuiteCounts, SuiteView } from '../../shared/api';
import type { RunView } from '../services/simulations';
import { ServiceError } from '../services/errors';
import { compareRuns, coverRuns, finalWorldOf, type CoverageReport, type SuiteReport } from '../services/simulation-reports';
import type { DetailedRun, StoredSimulation } from '../store/simulations';
import type { Workspace } from '../store/workspace';

/** The most tries of one simulation a suite from the app makes (RunOptionsSchema's repeat). */
const MAX_TRIES = 20;

const isCancelled = (run: DetailedRun) => run.details?.endedBy === 'cancelled';

export function summaryOf(workspace: Workspace, simulation: StoredSimulation, draftHash: string): SimulationSummary {
  // Its latest runs (a suite tries a simulation at most MAX_TRIES times): the last one, and its suite's tries.
  const recent = workspace.simulations.runs(simulation.id, MAX_TRIES);
  const last = recent[0] ?? null;
  const siblings = last?.suiteId ? recent.filter((run) => run.suiteId === last.suiteId && !isCancelled(run)) : last ? [last] : [];
  return {
    id: simulation.id,
    procedure: simulation.procedure,
    name: simulation.name,
    description: simulation.definition.description,
    tags: simulation.definition.tags,
    updatedAt: simulation.updatedAt,
    lastRun: last
      ? {
          runId: last.id,
          status: last.status,
          startedAt: last.startedAt,
          finishedAt: last.finishedAt,
          procedureHash: last.procedureHash,
          version: last.version,
          stale: last.procedureHash !== draftHash,
          tries: siblings.length,
          passes: siblings.filter((run) => run.status === 'passed').length,
          cancelled: isCancelled(last),
        }
      : null,
  };
}

/** Judge–human agreement over the reviewed runs of one Procedure's simulations. */
export function agreementOf(workspace: Workspace, procedure: string): AgreementView {
  return workspace.simulations.reviews.agreementFor(workspace.simulations.list(procedure).map((simulation) => simulation.id));
}

export function suiteCountsOf(report: SuiteReport): SuiteCounts {
  return { done: report.runs.length, total: report.total, passed: report.passed, failed: report.failed, errors: report.errors };
}

function countsOf(runs: readonly DetailedRun[], total: number): SuiteCounts {
  const done = runs.filter((run) => run.status !== 'running');
  return {
    done: done.length,
    total,
    passed: done.filter((run) => run.status === 'passed').length,
    failed: done.filter((run) => run.status === 'failed').length,
    errors: done.filter((run) => run.status === 'error').length,
  };
}

const numberOr = <T>(value: unknown, fallback: T): number | T => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

export function suiteViewOf(workspace: Workspace, suiteId: number): SuiteView {
  const suite = workspace.simulations.suites.get(suiteId);
  if (!suite) throw new ServiceError('not-found', `There is no simulation suite ${suiteId}.`);
  const runs = workspace.simulations.suites.runIds(suiteId).map((id) => workspace.simulations.requireRun(id));
  const simulationIds = Array.isArray(suite.options.simulations) ? (suite.options.simulations as unknown[]).filter((id): id is number => typeof id === 'number') : [];
  const first = simulationIds.map((id) => workspace.simulations.byId(id)).find((simulation) => simulation !== null) ?? null;
  const procedure = first?.procedure ?? '';
  const k = numberOr(suite.options.repeat, 1);
  const total = numberOr(suite.report.total, simulationIds.length * k);
  const finished = runs.filter((run) => run.status !== 'running' && !isCancelled(run)).map((run) => run.id);
  const comparison = finished.length > 0 ? compareRuns(workspace, finished) : null;
  const statuses = (ids: readonly number[]) => ids.map((id) => runs.find((run) => run.id === id)?.status);
  const coverage = finished.length > 0 ? coverageView(coverRuns(workspace, finished), procedure) : null;
  return {
    suiteId,
    procedure,
    status: suite.status,
    trigger: typeof suite.options.trigger === 'string' ? suite.options.trigger : null,
    live: suite.options.draft === false,
    k,
    counts: countsOf(runs, total),
    passHatK: numberOr(suite.report.passHatK, null),
    costUsd: runs.reduce((sum, run) => sum + (run.details?.costUsd ?? 0), 0),
    estimatedUsd: numberOr(suite.estimate.usd, null),
    startedAt: suite.startedAt,
    finishedAt: suite.finishedAt,
    error: typeof suite.report.error === 'string' ? suite.report.error : null,
    comparison: (comparison?.simulations ?? []).map((entry) => ({
      name: entry.name,
      change: entry.change,
      flaky: new Set(statuses(entry.current.runIds)).size > 1,
      runIds: entry.current.runIds,
      previousRunIds: entry.previous?.runIds ?? [],
    })),
    procedureChanges: (comparison?.procedureChanges ?? []).map((change) => ({ procedure: change.procedure, added: change.added, removed: change.removed, patch: change.patch })),
    coverage,
  };
}

function coverageView(report: CoverageReport, procedure: string): CoverageView | null {
  const mine = report.procedures.find((entry) => entry.procedure === procedure);
  if (!mine) return null;
  return {
    procedure,
    runs: report.runs,
    nodes: [...mine.steps.map((node) => ({ id: node.id, label: node.label, visits: node.visits, kind: 'step' as const })), ...mine.branches.map((node) => ({ id: node.id, label: node.label, visits: node.visits, kind: 'branch' as const }))],
    unreached: mine.unreached,
  };
}

// Read by the simulations engine, which `stepwise simulations show` shares.
export { finalWorldOf };

export function resultOf(view: RunView, finalWorld: RunFinalWorld): RunResult {
  const { run } = view;
  return {
    runId: run.id,
    procedure: view.simulation?.procedure ?? '',
    simulation: view.simulation?.name ?? `simulation ${run.simulationId}`,
    status: run.status,
    reviewedStatus: view.reviewedStatus,
    cancelled: isCancelled(run),
    summary: run.summary,
    attempt: run.attempt,
    suiteId: run.suiteId,
    replayOf: run.replayOf,
    procedureHash: run.procedureHash,
    version: run.version,
    startedAt: run.startedAt,
    attribution: run.details?.attribution ?? null,
    endedBy: run.details?.endedBy ?? null,
    error: run.details?.error ?? null,
    costUsd: run.details?.costUsd ?? 0,
    turns: run.details?.turns ?? 0,
    checks: view.checks.map((check) => ({
      name: check.name,
      kind: check.kind,
      passed: check.passed,
      effectivePassed: check.effectivePassed,
      reason: check.reason,
      party: check.effectiveParty,
      review: check.review ? { decision: check.review.decision, note: check.review.note, createdAt: check.review.createdAt } : null,
      ...(check.evidence !== undefined ? { evidence: check.evidence } : {}),
    })),
    transcript: view.transcript,
    trace: view.trace.map((event, index) => ({ index, type: event.type, stepId: event.stepId, payload: event.payload })),
    world: run.details?.world?.name ?? null,
    finalWorld,
  };
}
