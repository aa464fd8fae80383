// The Procedure's own words for the ids a trace names: step titles, branch labels (a Python test in
// plain words where conditionWords can say it), sub-procedure and team names. Derived from the text
// a conversation ran on, one map per Procedure, so the timeline reads "Entered “Look it up”" and
// not "step:look-it-up". Pure: the hook that fetches texts lives in useTraceLabels.ts.
import { conditionWords, parse, toGraph, type GraphNode, type NodeKind } from '../../../shared/procedure';
import { procedurePlaces, type ProcedureEvent } from '../../../shared/trace';

export interface NodeWords {
  kind: NodeKind;
  /** The words a person reads: a step title, a branch's test in words, "Otherwise", a team. */
  label: string;
  /** The step it belongs to (its title), for conditions and code. */
  step?: string;
  /** Branches: the condition they belong to, and the branch tried after this one when its test is false (null: none). */
  condition?: string;
  next?: string | null;
  /** Branches: the Python test as written (for details). */
  code?: string;
}

export interface ProcedureLabels {
  name: string;
  nodes: ReadonlyMap<string, NodeWords>;
}

/** Labels by Procedure name: the conversation's own Procedure and any it called or switched to. */
export type TraceLabels = ReadonlyMap<string, ProcedureLabels>;

export const NO_LABELS: TraceLabels = new Map();

/** The labels of one Procedure text; a text that does not parse gives no labels (ids then show as unknown), never an error. */
export function procedureLabels(name: string, text: string): ProcedureLabels {
  const nodes = new Map<string, NodeWords>();
  let graph: ReturnType<typeof toGraph>;
  try {
    graph = toGraph(parse(text).document);
  } catch {
    return { name, nodes };
  }
  const steps = new Map(graph.nodes.filter((node) => node.kind === 'step').map((node) => [node.id, node.label]));
  const conditionsInStep = new Map<string, number>();
  for (const node of graph.nodes) {
    const step = node.stepId ? steps.get(node.stepId) : undefined;
    switch (node.kind) {
      case 'condition': {
        // A step with several conditions names them by their place: "Decide (condition 2)".
        const nth = (conditionsInStep.get(node.stepId ?? '') ?? 0) + 1;
        conditionsInStep.set(node.stepId ?? '', nth);
        nodes.set(node.id, { kind: 'condition', label: `${step ?? node.label}${nth > 1 ? ` (condition ${nth})` : ''}`, ...(step ? { step } : {}) });
        break;
      }
      case 'branch':
        nodes.set(node.id, branchWords(node, graph.nodes));
        break;
      default:
        nodes.set(node.id, { kind: node.kind, label: node.label, ...(step ? { step } : {}) });
    }
  }
  return { name, nodes };
}

function branchWords(node: GraphNode, all: readonly GraphNode[]): NodeWords {
  const condition = node.id.replace(/\/b\d+$/, '');
  const siblings = all.filter((other) => other.kind === 'branch' && other.id.replace(/\/b\d+$/, '') === condition);
  const next = siblings[siblings.indexOf(node) + 1]?.id ?? null;
  if (node.test === 'otherwise') return { kind: 'branch', label: 'Otherwise', condition, next };
  if (node.test === 'python') {
    const code = node.label.replace(/^`+|`+$/g, '');
    return { kind: 'branch', label: conditionWords(code) ?? code, condition, next, code };
  }
  return { kind: 'branch', label: node.label, condition, next };
}

/** Labels for several Procedure texts (name → text); a missing text is simply left out. */
export function traceLabels(texts: Iterable<[name: string, text: string]>): TraceLabels {
  const labels = new Map<string, ProcedureLabels>();
  for (const [name, text] of texts) labels.set(name, procedureLabels(name, text));
  return labels;
}

/**
 * The Procedure each event happened in, by trace position (a sub-procedure's step ids are its own):
 * the walk over starts, ends, pauses and resumes that the preview's path and coverage share.
 */
export function proceduresOf(trace: readonly ProcedureEvent[]): (string | null)[] {
  return procedurePlaces(trace).map((place) => place.procedure);
}

/** The Procedures a trace enters, in order of first appearance (to fetch their texts). */
export function proceduresNamed(trace: readonly { type: string; payload: Record<string, unknown> }[]): string[] {
  const names: string[] = [];
  for (const event of trace) {
    const name = event.payload.procedure;
    if ((event.type === 'procedure_start' || event.type === 'step_enter') && typeof name === 'string' && name && !names.includes(name)) names.push(name);
  }
  return names;
}
