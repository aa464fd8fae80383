// The enforcement model's map of a Procedure (docs/runtime.md, "The enforcement model"): which
// nodes of its graph are deterministic gates, and which part of the graph one run of it (a frame)
// has legitimately reached, given what its gates have established (`frame.gates`).
//
// The map is built once per compiled Procedure; a reach is a walk over a few dozen nodes, so a
// rule can afford one per tool call.
import { toGraph, TRIGGER_ID, type Block, type GraphEdge, type GraphNode } from '../../shared/procedure';
import { attributeInput, dataInput, indexGraph, type GraphIndex } from '../../shared/procedure/graph-index';
import { analyzePython } from '../../shared/procedure/python-refs';
import { codeSnippet, testSnippet } from '../../shared/procedure/walk';
import { codeId, conditionId, type CompiledProcedure } from './compiled-procedure';
import type { ConversationState, Frame } from './types';

export type { BranchTest } from '../../shared/procedure/graph-index';

/** The invariants a refusal names (the same names the conformance checker reports). */
export type Invariant = 'no-skipped-gate' | 'action-out-of-reach' | 'branch-not-binding' | 'subprocedure-before-action';

export interface GateModel extends GraphIndex {
  /** What the first Python snippet of a code node or condition reads, to tell what is missing before trying it. */
  inputs: ReadonlyMap<string, { attributes: string[]; data: string[] }>;
  /** `connector.action` results some Python snippet reads: calling such an action is a gate. */
  readResults: ReadonlySet<string>;
  /** The code nodes and conditions that read each input (`attribute:x`, `data:c.a`), any of their Python tests. */
  readers: ReadonlyMap<string, readonly string[]>;
}

export { attributeInput, dataInput };

const models = new WeakMap<CompiledProcedure, GateModel>();

export function gateModel(procedure: CompiledProcedure): GateModel {
  let model = models.get(procedure);
  if (!model) {
    model = buildModel(procedure);
    models.set(procedure, model);
  }
  return model;
}

function buildModel(procedure: CompiledProcedure): GateModel {
  const graph = indexGraph(toGraph(procedure.document));
  const inputs = new Map<string, { attributes: string[]; data: string[] }>();
  const readResults = new Set<string>();
  const readers = new Map<string, string[]>();
  const reads = (code: string, nodeId: string) => {
    const refs = analyzePython(code, (line, column) => ({ line, column, offset: 0 }));
    for (const read of refs.dataReads) readResults.add(read.name);
    for (const key of [...refs.attributeReads.map((read) => attributeInput(read.name)), ...refs.dataReads.map((read) => dataInput(read.name))]) {
      const list = readers.get(key) ?? [];
      if (!list.includes(nodeId)) readers.set(key, [...list, nodeId]);
    }
    return { attributes: refs.attributeReads.map((read) => read.name), data: refs.dataReads.map((read) => read.name) };
  };
  const visit = (blocks: Block[]) => {
    for (const block of blocks) {
      if (block.kind === 'paragraph') visit(block.children);
      else if (block.kind === 'code') {
        if (block.language === 'python') inputs.set(codeId(procedure, block), reads(codeSnippet(block).code, codeId(procedure, block)));
      } else {
        let first = true;
        for (const branch of block.branches) {
          if (branch.test?.kind === 'python') {
            const read = reads(testSnippet(branch.test).code, conditionId(procedure, block));
            if (first) inputs.set(conditionId(procedure, block), read);
          }
          first = false;
          visit(branch.body);
        }
      }
    }
  };
  for (const step of procedure.steps) visit(step.body);
  return { ...graph, inputs, readResults, readers };
}

/** A plain-language decision is kept apart so that a new visit of its step can forget it. */
export const PLAIN = 'plain:';

/** The branches of a condition the conversation may take now, or null while its Python test is unevaluated. */
export function openBranches(model: GateModel, conditionId: string, gates: Readonly<Record<string, string>>): { branches: string[]; none: boolean } | null {
  const list = model.branches.get(conditionId) ?? [];
  const outcome = gates[conditionId];
  if (outcome !== undefined && !outcome.startsWith('error')) {
    const chosen = outcome.startsWith(PLAIN) ? outcome.slice(PLAIN.length) : outcome;
    return chosen === 'none' ? { branches: [], none: true } : { branches: [chosen], none: false };
  }
  // Undecided: open when the model decides it (a plain-language test first), closed when Python must.
  if (list[0]?.test === 'plain') return { branches: list.map((branch) => branch.id), none: true };
  return null;
}

export interface Reach {
  reached: Set<string>;
  /** Reached nodes holding some of their edges closed, with those edges. */
  blocking: Map<string, GraphEdge[]>;
}

/** The edges out of a node the run may follow now. */
function passable(model: GateModel, node: GraphNode, frame: Frame, state: ConversationState, openSubprocedures: boolean, openDecided: boolean): readonly GraphEdge[] {
  const edges = model.outgoing.get(node.id) ?? [];
  const gates = frame.gates ?? {};
  switch (node.kind) {
    case 'code':
      return gates[node.id] === 'ran' ? edges : [];
    case 'action':
      return !model.readResults.has(node.label) || node.label in state.data || gates[`@${node.label}`] !== undefined ? edges : [];
    case 'subprocedure':
      return node.mode !== 'call' || openSubprocedures || gates[node.id] === 'done' ? edges : [];
    case 'condition': {
      const open = openBranches(model, node.id, gates);
      if (!open) return [];
      if (openDecided) return edges;
      return edges.filter((edge) => (edge.kind === 'branch' ? open.branches.includes(edge.to) : open.none));
    }
    default:
      return edges;
  }
}

/**
 * Everything one run of a Procedure has legitimately reached: from the trigger, through the gates
 * its frame has passed. `openSubprocedures` and `openDecided` only serve to name the invariant of
 * a refusal (what would have let it through).
 */
export function reach(model: GateModel, frame: Frame, state: ConversationState, options: { openSubprocedures?: boolean; openDecided?: boolean } = {}): Reach {
  const reached = new Set<string>([TRIGGER_ID]);
  const blocking = new Map<string, GraphEdge[]>();
  const queue = [TRIGGER_ID];
  while (queue.length > 0) {
    const node = model.nodes.get(queue.pop()!);
    if (!node) continue;
    const edges = passable(model, node, frame, state, options.openSubprocedures ?? false, options.openDecided ?? false);
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

/** The reached nodes, in document order, whose closed edges lead to one of `targets`: what stands in the way. */
export function blockersOf(model: GateModel, blocking: ReadonlyMap<string, readonly GraphEdge[]>, targets: readonly string[]): string[] {
  const wanted = new Set(targets);
  return model.order.filter((id) => blocking.get(id)?.some((edge) => wanted.has(edge.to) || leadsTo(model, edge.to, wanted)));
}

function leadsTo(model: GateModel, from: string, targets: ReadonlySet<string>): boolean {
  const seen = new Set<string>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const edge of model.outgoing.get(queue.pop()!) ?? []) {
      if (targets.has(edge.to)) return true;
      if (!seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return false;
}

/** Nodes of the model that pass `test`, in document order. */
export function nodesWhere(model: GateModel, test: (node: GraphNode) => boolean): string[] {
  return model.order.filter((id) => test(model.nodes.get(id)!));
}

/** Inputs a gate reads that the conversation does not have yet, in words for the model. */
export function missingInputs(model: GateModel, nodeId: string, state: ConversationState): string[] {
  const inputs = model.inputs.get(nodeId);
  if (!inputs) return [];
  return [
    ...new Set([
      ...inputs.attributes.filter((name) => !(name in state.attributes)).map((name) => `attribute ${name}`),
      ...inputs.data.filter((name) => !(name in state.data)).map((name) => `result of @${name}`),
    ]),
  ];
}

/** Whether a node is a gate the runtime can evaluate itself (code, or a condition Python decides). */
export function evaluable(model: GateModel, nodeId: string): boolean {
  const node = model.nodes.get(nodeId);
  return node?.kind === 'code' || (node?.kind === 'condition' && model.branches.get(nodeId)?.[0]?.test === 'python');
}

/** Which invariant a target out of reach falls under: a sub-procedure still owed, a branch not taken, or a gate not passed. */
export function invariantFor(model: GateModel, frame: Frame, state: ConversationState, targets: readonly string[], fallback: Invariant): Invariant {
  const inReach = (options: { openSubprocedures?: boolean; openDecided?: boolean }) => {
    const { reached } = reach(model, frame, state, options);
    return targets.some((target) => reached.has(target));
  };
  // "Sub-procedures before what follows them" is about actions; a move held by one is a gate not passed.
  if (fallback === 'action-out-of-reach' && inReach({ openSubprocedures: true })) return 'subprocedure-before-action';
  if (inReach({ openDecided: true })) return 'branch-not-binding';
  // An action both behind a branch not taken and a sub-procedure: the branch is what excludes it.
  if (fallback === 'action-out-of-reach' && inReach({ openDecided: true, openSubprocedures: true })) return 'branch-not-binding';
  return fallback;
}

/** A gate in the model's words: what it is and where it stands. */
export function describeGate(model: GateModel, nodeId: string, frame: Frame, state: ConversationState): string {
  const node = model.nodes.get(nodeId);
  const step = node?.stepId ? model.nodes.get(node.stepId)?.label : undefined;
  const where = step ? ` in step "${step}"` : '';
  const gates = frame.gates ?? {};
  switch (node?.kind) {
    case 'code': {
      const missing = missingInputs(model, nodeId, state);
      return gates[nodeId]?.startsWith('error')
        ? `the code step ${nodeId}${where} failed (${gates[nodeId]})`
        : `the code step ${nodeId}${where} has not run${missing.length > 0 ? `: it needs the ${missing.join(' and the ')}` : ''}`;
    }
    case 'condition': {
      const open = openBranches(model, nodeId, gates);
      if (open) return `the condition ${nodeId}${where} chose ${open.none ? 'no branch' : open.branches.join(', ')}, which does not lead there`;
      const missing = missingInputs(model, nodeId, state);
      return `the Python condition ${nodeId}${where} has not been evaluated${missing.length > 0 ? `: it needs the ${missing.join(' and the ')}` : ''}`;
    }
    case 'action':
      return `the result of @${node.label}${where} is needed first: call it`;
    case 'subprocedure':
      return `the sub-procedure [[${node.target}]]${where} must run and end first: call run_subprocedure with "${node.target}"`;
    default:
      return `${nodeId}${where}`;
  }
}

/**
 * A frame without what its gates established on inputs that have just changed (another order
 * looked up, an attribute set to a new value): those gates count as unevaluated again, and the
 * step's deterministic part runs them anew. The same frame when nothing it holds is stale.
 */
export function withoutStale(model: GateModel, frame: Frame, inputs: readonly string[]): Frame {
  const stale = new Set(inputs.flatMap((input) => model.readers.get(input) ?? []));
  const gates = frame.gates ?? {};
  if (![...stale].some((id) => id in gates || id in frame.decided)) return frame;
  const keep = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).filter(([id]) => !stale.has(id)));
  return { ...frame, gates: keep(gates), decided: keep(frame.decided) };
}
