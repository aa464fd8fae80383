// A Procedure as the checker sees it: its graph (toGraph, the ids the trace uses), which nodes are
// deterministic gates, and the part of the graph a conversation has legitimately reached given what
// it has evaluated so far. Written from the graph alone, never from the runtime's rules, so that a
// bug in enforcement is caught rather than mirrored.
import { analyzePython } from '../../shared/procedure/python-refs';
import { walkDocument } from '../../shared/procedure/walk';
import { pythonSnippets, toGraph, TRIGGER_ID, type GraphEdge, type GraphNode, type ProcedureDocument } from '../../shared/procedure';
import { attributeInput, dataInput, indexGraph, type GraphIndex } from '../../shared/procedure/graph-index';

export type { BranchTest } from '../../shared/procedure/graph-index';

export interface ProcedureModel extends GraphIndex {
  name: string;
  /** `connector.action` results some Python snippet of this Procedure reads: such a call is a gate. */
  readResults: ReadonlySet<string>;
  /** What each code node and Python condition reads, as input keys (`attribute:x`, `data:c.a`). */
  inputs: ReadonlyMap<string, readonly string[]>;
}

export { attributeInput, dataInput };

/** What the conversation has evaluated in one run of a Procedure (one frame). */
export interface GateFacts {
  /** Code nodes that ran without error. */
  codeRan: ReadonlySet<string>;
  /** The values (as JSON) of a code node's or Python condition's inputs when it last ran. */
  evaluatedWith: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** The current value (as JSON) of every input the trace has shown: attributes set, connector results. */
  values: ReadonlyMap<string, string>;
  /** Python results of a condition's branches, by branch id, from its latest evaluation. */
  pythonResults: ReadonlyMap<string, ReadonlyMap<string, boolean>>;
  /** The model's decision on a plain-language condition in the current visit: a branch id or `none`. */
  plainDecisions: ReadonlyMap<string, string>;
  /** Call nodes ([[X]]) whose sub-procedure has ended normally. */
  subsDone: ReadonlySet<string>;
  /**
   * Connector actions the conversation has called (`connector.action`), whether or not they
   * succeeded: a failed lookup lets the conversation on to what the Procedure says to do then
   * ("after two failed attempts, @handoff …"), while the tests that read its result still wait.
   */
  called: ReadonlySet<string>;
}

/** For telling violations apart: treat evaluated conditions as open, or sub-procedure calls as done. */
export interface ReachOptions {
  openEvaluatedBranches?: boolean;
  openSubprocedures?: boolean;
}

export interface Reach {
  /** Nodes the conversation may stand on or use. */
  reached: Set<string>;
  /** Reached nodes that hold some of their edges closed (unevaluated gates, branches not taken), with those edges. */
  blocking: Map<string, GraphEdge[]>;
}

const models = new WeakMap<ProcedureDocument, ProcedureModel>();

export function procedureModel(document: ProcedureDocument): ProcedureModel {
  let model = models.get(document);
  if (!model) {
    model = buildModel(document);
    models.set(document, model);
  }
  return model;
}

function buildModel(document: ProcedureDocument): ProcedureModel {
  const graph = toGraph(document);
  const readResults = new Set<string>();
  for (const snippet of pythonSnippets(document)) {
    for (const read of analyzePython(snippet.code, () => ({ line: 1, column: 1, offset: 0 })).dataReads) readResults.add(read.name);
  }
  return { name: document.frontMatter?.header.name ?? 'Untitled procedure', ...indexGraph(graph), readResults, inputs: gateInputs(document, graph.nodes) };
}

/** Code nodes and conditions by where their source starts, with what their Python reads. */
function gateInputs(document: ProcedureDocument, nodes: readonly GraphNode[]): Map<string, string[]> {
  const codeAt = new Map<number, string>();
  const conditionAt = new Map<number, string>();
  for (const node of nodes) {
    if (node.kind === 'code') codeAt.set(node.span.start.offset, node.id);
    if (node.kind === 'condition') conditionAt.set(node.span.start.offset, node.id);
  }
  const inputs = new Map<string, string[]>();
  const reads = (code: string) => {
    const refs = analyzePython(code, () => ({ line: 1, column: 1, offset: 0 }));
    return [...refs.attributeReads.map((ref) => attributeInput(ref.name)), ...refs.dataReads.map((ref) => dataInput(ref.name))];
  };
  for (const event of walkDocument(document)) {
    if (event.kind === 'code' && event.block.language === 'python') {
      const id = codeAt.get(event.block.span.start.offset);
      if (id) inputs.set(id, [...new Set(reads(event.block.code))]);
    } else if (event.kind === 'condition') {
      const first = event.condition.branches[0];
      const id = first ? conditionAt.get(first.headerSpan.start.offset) : undefined;
      const tests = event.condition.branches.flatMap((branch) => (branch.test?.kind === 'python' ? reads(branch.test.expression) : []));
      if (id) inputs.set(id, [...new Set(tests)]);
    }
  }
  return inputs;
}

/**
 * A gate evaluated on other inputs than the conversation now holds (another order looked up, an
 * attribute changed) has not been evaluated for the conversation as it stands.
 */
export function isStale(model: ProcedureModel, nodeId: string, facts: GateFacts): boolean {
  const seen = facts.evaluatedWith.get(nodeId);
  if (!seen) return false;
  return (model.inputs.get(nodeId) ?? []).some((input) => (facts.values.get(input) ?? '') !== (seen.get(input) ?? ''));
}

/** The branch ids a condition lets through given the facts (`none`: the exits after it), or null while it is unevaluated. */
export function openBranches(model: ProcedureModel, conditionId: string, facts: GateFacts): { branches: string[]; none: boolean } | null {
  const list = model.branches.get(conditionId) ?? [];
  const results = isStale(model, conditionId, facts) ? undefined : facts.pythonResults.get(conditionId);
  for (const [index, branch] of list.entries()) {
    if (branch.test === 'otherwise') return { branches: [branch.id], none: false };
    if (branch.test === 'plain') {
      // From the first plain-language test on, the model decides among the rest.
      const decided = facts.plainDecisions.get(conditionId);
      if (decided === 'none') return { branches: [], none: true };
      if (decided !== undefined) return { branches: [decided], none: false };
      return { branches: list.slice(index).map((candidate) => candidate.id), none: true };
    }
    const result = results?.get(branch.id);
    if (result === undefined) return null;
    if (result) return { branches: [branch.id], none: false };
  }
  return { branches: [], none: true };
}

/** Whether a condition is a deterministic gate: its first test is Python. */
export function isPythonCondition(model: ProcedureModel, conditionId: string): boolean {
  return model.branches.get(conditionId)?.[0]?.test === 'python';
}

/** Whether a node is a deterministic gate: code, a Python condition, a call whose result is read, a sub-procedure call. */
export function isGate(model: ProcedureModel, node: GraphNode): boolean {
  switch (node.kind) {
    case 'code':
      return true;
    case 'condition':
      return isPythonCondition(model, node.id);
    case 'action':
      return model.readResults.has(node.label);
    case 'subprocedure':
      return node.mode === 'call';
    default:
      return false;
  }
}

/** The edges out of a node that the conversation may follow now. */
function passable(model: ProcedureModel, node: GraphNode, facts: GateFacts, options: ReachOptions): readonly GraphEdge[] {
  const edges = model.outgoing.get(node.id) ?? [];
  switch (node.kind) {
    case 'code':
      return facts.codeRan.has(node.id) && !isStale(model, node.id, facts) ? edges : [];
    case 'action':
      return !model.readResults.has(node.label) || facts.called.has(node.label) ? edges : [];
    case 'subprocedure':
      return node.mode !== 'call' || options.openSubprocedures || facts.subsDone.has(node.id) ? edges : [];
    case 'condition': {
      const open = openBranches(model, node.id, facts);
      if (!open) return [];
      const evaluated = facts.pythonResults.has(node.id) || facts.plainDecisions.has(node.id);
      if (options.openEvaluatedBranches && evaluated) return edges;
      return edges.filter((edge) => (edge.kind === 'branch' ? open.branches.includes(edge.to) : open.none));
    }
    default:
      return edges;
  }
}

/** Everything reachable from the trigger through gates that let the conversation through. */
export function reach(model: ProcedureModel, facts: GateFacts, options: ReachOptions = {}): Reach {
  const reached = new Set<string>([TRIGGER_ID]);
  const blocking = new Map<string, GraphEdge[]>();
  const queue = [TRIGGER_ID];
  while (queue.length > 0) {
    const node = model.nodes.get(queue.pop()!);
    if (!node) continue;
    const edges = passable(model, node, facts, options);
    const all = model.outgoing.get(node.id) ?? [];
    if (edges.length < all.length) blocking.set(node.id, all.filter((edge) => !edges.includes(edge)));
    for (const edge of edges) {
      if (reached.has(edge.to)) continue;
      reached.add(edge.to);
      queue.push(edge.to);
    }
  }
  return { reached, blocking };
}

/** The reached nodes whose closed edges lead to `target` in the full graph: what stood in the way. */
export function gatesBefore(model: ProcedureModel, blocking: ReadonlyMap<string, readonly GraphEdge[]>, target: string): string[] {
  return model.order.filter((id) => blocking.get(id)?.some((edge) => edge.to === target || leadsTo(model, edge.to, target)));
}

function leadsTo(model: ProcedureModel, from: string, target: string): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const edge of model.outgoing.get(queue.pop()!) ?? []) {
      if (edge.to === target) return true;
      if (!seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return false;
}

/**
 * The handoffs, switches and ends a branch requires: final ones reached from the branch along its
 * own flow (through actions, code and sub-procedure calls of the same step, not nested conditions).
 */
export function requiredTerminals(model: ProcedureModel, branchId: string): GraphNode[] {
  const branch = model.nodes.get(branchId);
  const found: GraphNode[] = [];
  const seen = new Set<string>([branchId]);
  const queue = [branchId];
  while (queue.length > 0) {
    for (const edge of model.outgoing.get(queue.pop()!) ?? []) {
      if (edge.kind !== 'flow' || seen.has(edge.to)) continue;
      seen.add(edge.to);
      const node = model.nodes.get(edge.to);
      if (!node || node.stepId !== branch?.stepId) continue;
      if (node.kind === 'handoff' || node.kind === 'end' || (node.kind === 'subprocedure' && node.mode === 'switch')) found.push(node);
      else if (node.kind === 'action' || node.kind === 'code' || node.kind === 'subprocedure') queue.push(node.id);
    }
  }
  return found;
}
