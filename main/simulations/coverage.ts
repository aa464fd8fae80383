// Step coverage: which steps and branches of each Procedure a set of runs visited, and which they
// never reached, by graph node id (the ids the editor's graph draws), for the graph overlay.
// Steps come from step_enter events; branches from condition events (a Python branch counts when
// its test was true; "Otherwise" when every test before it was false; a plain-language branch when
// the agent chose it).
import { otherwiseAfterFalseTest, parse, toGraph, type GraphNode } from '../../shared/procedure';
import { procedurePlaces } from '../../shared/trace';
import type { TraceEvent } from '../runtime/types';
import type { Workspace } from '../store/workspace';

export interface NodeCoverage {
  id: string;
  label: string;
  visits: number;
}

export interface ProcedureCoverage {
  procedure: string;
  steps: NodeCoverage[];
  branches: (NodeCoverage & { conditionId: string; test: 'python' | 'plain' | 'otherwise' })[];
  visitedSteps: number;
  visitedBranches: number;
  /** Ids of steps and branches no run reached. */
  unreached: string[];
}

export interface CoverageReport {
  procedures: ProcedureCoverage[];
  runs: number;
}

/** What each run's trace visited: procedure → node id → visits. */
export function visitsOf(trace: readonly TraceEvent[], graphs: (procedure: string) => GraphNode[] | null): Map<string, Map<string, number>> {
  const visits = new Map<string, Map<string, number>>();
  const count = (procedure: string | undefined, id: string) => {
    if (!procedure) return;
    const nodes = visits.get(procedure) ?? new Map<string, number>();
    nodes.set(id, (nodes.get(id) ?? 0) + 1);
    visits.set(procedure, nodes);
  };
  const places = procedurePlaces(trace);
  trace.forEach((event, position) => {
    const current = places[position]!.procedure ?? undefined;
    switch (event.type) {
      case 'step_enter':
        if (event.stepId) count(current, event.stepId);
        break;
      case 'condition': {
        const branch = typeof event.payload.branchId === 'string' ? event.payload.branchId : null;
        if (!current || !branch) break;
        if (event.payload.kind === 'plain') count(current, branch);
        else if (event.payload.result === true) count(current, branch);
        else if (event.payload.ok !== false) {
          // A Python test was false: when it was its condition's last, the "Otherwise" ran.
          const otherwise = otherwiseAfterFalseTest(graphs(current) ?? [], branch);
          if (otherwise) count(current, otherwise);
        }
        break;
      }
    }
  });
  return visits;
}

/** Coverage of `procedures` (name → text) over the traces of a set of runs. */
export function coverage(procedures: Record<string, string>, traces: readonly (readonly TraceEvent[])[]): CoverageReport {
  const graphs = new Map<string, GraphNode[]>();
  for (const [name, text] of Object.entries(procedures)) graphs.set(name, toGraph(parse(text).document).nodes);
  const total = new Map<string, Map<string, number>>();
  for (const trace of traces) {
    for (const [procedure, nodes] of visitsOf(trace, (name) => graphs.get(name) ?? null)) {
      const into = total.get(procedure) ?? new Map<string, number>();
      for (const [id, visits] of nodes) into.set(id, (into.get(id) ?? 0) + visits);
      total.set(procedure, into);
    }
  }
  const report: ProcedureCoverage[] = [...graphs].map(([procedure, nodes]) => {
    const seen = total.get(procedure) ?? new Map<string, number>();
    const steps = nodes.filter((node) => node.kind === 'step').map((node) => ({ id: node.id, label: node.label, visits: seen.get(node.id) ?? 0 }));
    const branches = nodes
      .filter((node) => node.kind === 'branch')
      .map((node) => ({ id: node.id, label: node.label, visits: seen.get(node.id) ?? 0, conditionId: node.id.replace(/\/b\d+$/, ''), test: node.test ?? 'otherwise' }));
    return {
      procedure,
      steps,
      branches,
      visitedSteps: steps.filter((step) => step.visits > 0).length,
      visitedBranches: branches.filter((branch) => branch.visits > 0).length,
      unreached: [...steps, ...branches].filter((node) => node.visits === 0).map((node) => node.id),
    };
  });
  return { procedures: report, runs: traces.length };
}

/**
 * Coverage of a set of stored runs (a suite's): the Procedures under test and every Procedure the
 * runs entered, on the texts the runs ran on.
 */
export function runsCoverage(workspace: Workspace, runIds: readonly number[]): CoverageReport {
  const { texts, traces } = runsTexts(workspace, runIds);
  return coverage(texts, traces);
}

/** The traces of stored runs, and the texts (name → text) of the Procedures they ran and entered. */
export function runsTexts(workspace: Workspace, runIds: readonly number[]): { texts: Record<string, string>; traces: TraceEvent[][] } {
  const texts: Record<string, string> = {};
  const traces: TraceEvent[][] = [];
  for (const id of runIds) {
    const run = workspace.simulations.requireRun(id);
    const conversationId = run.details?.conversationId;
    const trace = conversationId ? workspace.traces.events(conversationId).map((event) => ({ type: event.type, stepId: event.stepId, payload: event.payload })) : [];
    traces.push(trace);
    const simulation = workspace.simulations.byId(run.simulationId);
    const entered = trace.flatMap((event) => (event.type === 'procedure_start' && typeof event.payload.procedure === 'string' ? [event.payload.procedure] : []));
    for (const name of [simulation?.procedure, ...(run.definition?.procedures ?? []), ...entered]) {
      if (!name || texts[name] !== undefined) continue;
      const hash = run.details?.procedures[name] ?? (name === simulation?.procedure ? run.procedureHash : undefined);
      const text = hash ? workspace.simulations.recordings.snapshotText(hash) : null;
      if (text !== null) texts[name] = text;
    }
  }
  return { texts, traces };
}
