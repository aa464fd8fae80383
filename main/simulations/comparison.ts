// A suite's runs against the runs before them: which simulations newly fail, which newly pass, and
// what changed in the Procedures between the two (a unified diff of the texts the runs ran on).
import { createTwoFilesPatch, structuredPatch } from 'diff';
import type { DetailedRun } from '../store/simulations';
import type { Workspace } from '../store/workspace';

export type Change = 'newly_failing' | 'newly_passing' | 'still_passing' | 'still_failing' | 'new';

export interface SimulationComparison {
  simulationId: number;
  procedure: string;
  name: string;
  change: Change;
  current: { runIds: number[]; passed: boolean };
  previous: { runIds: number[]; passed: boolean } | null;
}

export interface ProcedureChange {
  procedure: string;
  fromHash: string;
  toHash: string;
  added: number;
  removed: number;
  patch: string;
}

export interface Comparison {
  simulations: SimulationComparison[];
  newlyFailing: SimulationComparison[];
  newlyPassing: SimulationComparison[];
  procedureChanges: ProcedureChange[];
}

/** Compares the given runs (a suite's) with each simulation's runs just before them. */
export function compareWithPrevious(workspace: Workspace, runIds: readonly number[]): Comparison {
  const runs = runIds.map((id) => workspace.simulations.requireRun(id)).filter((run) => run.status !== 'running');
  const bySimulation = new Map<number, DetailedRun[]>();
  for (const run of runs) bySimulation.set(run.simulationId, [...(bySimulation.get(run.simulationId) ?? []), run]);
  const simulations: SimulationComparison[] = [];
  const changes = new Map<string, ProcedureChange>();
  for (const [simulationId, current] of bySimulation) {
    const simulation = workspace.simulations.byId(simulationId);
    const earliest = Math.min(...current.map((run) => run.id));
    const previous = previousGroup(workspace, simulationId, earliest);
    const nowPassing = current.every((run) => run.status === 'passed');
    const thenPassing = previous ? previous.every((run) => run.status === 'passed') : null;
    const change: Change = thenPassing === null ? 'new' : nowPassing === thenPassing ? (nowPassing ? 'still_passing' : 'still_failing') : nowPassing ? 'newly_passing' : 'newly_failing';
    const name = simulation?.name ?? `simulation ${simulationId}`;
    const procedure = simulation?.procedure ?? '';
    simulations.push({
      simulationId,
      procedure,
      name,
      change,
      current: { runIds: current.map((run) => run.id), passed: nowPassing },
      previous: previous ? { runIds: previous.map((run) => run.id), passed: thenPassing! } : null,
    });
    if (previous) {
      const names = [procedure, ...(current[0]!.definition?.procedures ?? [])];
      for (const procedureName of names) {
        const change = procedureChange(workspace, procedureName, previous[0]!, current[0]!);
        if (change) changes.set(`${procedureName}\u0000${change.fromHash}\u0000${change.toHash}`, change);
      }
    }
  }
  return {
    simulations,
    newlyFailing: simulations.filter((entry) => entry.change === 'newly_failing'),
    newlyPassing: simulations.filter((entry) => entry.change === 'newly_passing'),
    procedureChanges: [...changes.values()],
  };
}

/** The runs of the suite (or the single run) just before `beforeId`. */
function previousGroup(workspace: Workspace, simulationId: number, beforeId: number): DetailedRun[] | null {
  const earlier = workspace.simulations.runs(simulationId, 200).filter((run) => run.id < beforeId);
  const latest = earlier[0];
  if (!latest) return null;
  return latest.suiteId === null ? [latest] : earlier.filter((run) => run.suiteId === latest.suiteId);
}

function procedureChange(workspace: Workspace, procedure: string, previous: DetailedRun, current: DetailedRun): ProcedureChange | null {
  const fromHash = previous.details?.procedures[procedure] ?? (procedure === workspace.simulations.byId(previous.simulationId)?.procedure ? previous.procedureHash : undefined);
  const toHash = current.details?.procedures[procedure] ?? current.procedureHash;
  if (!fromHash || !toHash || fromHash === toHash) return null;
  const recordings = workspace.simulations.recordings;
  const before = recordings.snapshotText(fromHash);
  const after = recordings.snapshotText(toHash);
  if (before === null || after === null) {
    return { procedure, fromHash, toHash, added: 0, removed: 0, patch: `(the text of ${before === null ? 'the earlier' : 'the later'} version was not kept)` };
  }
  let added = 0;
  let removed = 0;
  for (const hunk of structuredPatch('before', 'now', before, after, '', '', { context: 3 }).hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
  }
  const patch = createTwoFilesPatch(`${procedure} (run ${previous.id})`, `${procedure} (run ${current.id})`, before, after, '', '', { context: 3 });
  return { procedure, fromHash, toHash, added, removed, patch };
}
