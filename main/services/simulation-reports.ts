// What the simulations screen reads about runs already stored: a set of runs compared with the runs
// before them, and the steps and branches they covered; and simulations proposed for chosen
// branches (the API layer reaches main/simulations and main/authoring only through services).
import { proposeImprovement, type Proposal } from '../authoring/improver';
import { generateSimulations, generationTargets, type GeneratedSimulation } from '../authoring/simulation-generator';
import type { CodeSandbox } from '../sandbox/types';
import type { ModelCaller } from '../model/client';
import { compareWithPrevious, type Comparison } from '../simulations/comparison';
import { runsCoverage, type CoverageReport } from '../simulations/coverage';
import { finalWorldOf } from '../simulations/final-world';
import type { SuiteReport } from '../simulations/suite';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';

export type { Comparison, CoverageReport, SuiteReport };
/** The world a run ended with beside the one it started from (the app's run screen, simulations show). */
export { finalWorldOf };

export function compareRuns(workspace: Workspace, runIds: readonly number[]): Comparison {
  return compareWithPrevious(workspace, runIds);
}

export function coverRuns(workspace: Workspace, runIds: readonly number[]): CoverageReport {
  return runsCoverage(workspace, runIds);
}

/**
 * Proposes simulations with the existing generator, aimed at the given branches (graph node ids of
 * the draft; none: every target of the Procedure). Nothing is saved: the caller shows each proposal
 * to accept or reject.
 */
export async function suggestSimulations(workspace: Workspace, model: () => Promise<ModelCaller>, procedure: string, branches: readonly string[]): Promise<GeneratedSimulation[]> {
  const record = workspace.procedures.require(procedure);
  const all = generationTargets(record.draftText);
  const targets = branches.length === 0 ? all : all.filter((target) => target.kind === 'branch' && branches.includes(target.id));
  const unknown = branches.filter((id) => !targets.some((target) => target.id === id));
  if (unknown.length > 0) throw new ServiceError('not-found', `The draft of "${record.name}" has no branch ${unknown.map((id) => `"${id}"`).join(', ')}: it may have changed since the coverage was measured.`);
  return generateSimulations({ workspace, model: await model() }, record.name, { targets });
}

/**
 * "Improve with AI": a revised draft of the Procedure from written feedback (and the run it is
 * about), as a proposal with its diff. Nothing is applied: the caller saves `after` over the draft
 * it was made from (`baseHash`) only when the person accepts.
 */
export async function proposeProcedureImprovement(
  workspace: Workspace,
  deps: { model: () => Promise<ModelCaller>; sandbox: Pick<CodeSandbox, 'check'> },
  procedure: string,
  feedback: string,
  runId?: number,
): Promise<Proposal> {
  const record = workspace.procedures.require(procedure);
  if (runId !== undefined) workspace.simulations.requireRun(runId);
  return proposeImprovement({ workspace, model: await deps.model(), sandbox: deps.sandbox }, { kind: 'procedure', procedure: record.name }, feedback, runId !== undefined ? { runId } : {});
}
