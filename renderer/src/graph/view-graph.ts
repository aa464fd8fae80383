// The graph as a person reads it: step and branch cards that hold their contents (actions, code,
// sub-procedure calls) as rows, instead of one node per thing in a long chain. Conditions, branches,
// handoffs and ends stay nodes of their own; edges into and out of a card's rows become the card's.
// Pure: the same Procedure graph always gives the same view graph.
import type { GraphEdge, GraphNode, NodeKind, ProcedureDocument, ProcedureGraph } from '../../../shared/procedure';

export type RowKind = 'action' | 'code' | 'subprocedure';

export interface ViewNode {
  node: GraphNode;
  /** Graph ids of the nodes drawn as rows of this card, in document order. */
  rows: string[];
  /** Attributes the step collects (steps only). */
  collects: string[];
}

export interface ViewEdge {
  from: string;
  to: string;
  label?: string;
  kind: GraphEdge['kind'];
}

export interface ViewGraph {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Graph id of every row → graph id of the card that holds it. */
  owner: ReadonlyMap<string, string>;
}

const CARDS: ReadonlySet<NodeKind> = new Set(['step', 'branch']);

/**
 * @param expanded graph ids of sub-procedure calls shown expanded: they stay nodes (compound ones).
 * @param collects attributes each step collects, by step graph id.
 */
export function viewGraph(graph: ProcedureGraph, expanded: ReadonlySet<string> = new Set(), collects: ReadonlyMap<string, string[]> = new Map()): ViewGraph {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const outgoing = new Map<string, ProcedureGraph['edges']>();
  const incoming = new Map<string, number>();
  for (const edge of graph.edges) {
    const list = outgoing.get(edge.from);
    if (list) list.push(edge);
    else outgoing.set(edge.from, [edge]);
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  }
  const rowLike = (node: GraphNode | undefined): node is GraphNode =>
    !!node && (node.kind === 'action' || node.kind === 'code' || (node.kind === 'subprocedure' && node.mode !== 'switch' && !expanded.has(node.id)));

  const owner = new Map<string, string>();
  const rowsOf = new Map<string, string[]>();
  for (const node of graph.nodes) {
    if (!CARDS.has(node.kind)) continue;
    const rows: string[] = [];
    let tail = node.id;
    // Follow the plain chain: one unlabelled flow edge to a row-like node nothing else leads to.
    for (;;) {
      const flows = (outgoing.get(tail) ?? []).filter((edge) => edge.kind === 'flow' && !edge.label);
      if (flows.length !== 1) break;
      const next = byId.get(flows[0]!.to);
      if (!rowLike(next) || incoming.get(next.id) !== 1 || owner.has(next.id) || next.stepId !== node.stepId) break;
      owner.set(next.id, node.id);
      rows.push(next.id);
      tail = next.id;
    }
    rowsOf.set(node.id, rows);
  }

  const nodes: ViewNode[] = graph.nodes
    .filter((node) => !owner.has(node.id))
    .map((node) => ({ node, rows: rowsOf.get(node.id) ?? [], collects: node.kind === 'step' ? (collects.get(node.id) ?? []) : [] }));

  const edges: ViewEdge[] = [];
  const seen = new Set<string>();
  for (const edge of graph.edges) {
    if (owner.has(edge.to)) continue; // the edge into a row: the row is in its card
    const from = owner.get(edge.from) ?? edge.from;
    // A branch card says its test: the edge into it needs no label of its own.
    const label = edge.kind === 'branch' ? undefined : edge.label;
    const key = `${from}\u0000${edge.to}\u0000${label ?? ''}\u0000${edge.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to: edge.to, ...(label ? { label } : {}), kind: edge.kind });
  }
  return { nodes, edges, owner };
}

/** What each step collects (`collect {x}`), in order, outside its conditions: rows of its card. */
export function collectsByStep(document: ProcedureDocument | undefined): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (!document) return result;
  for (const step of document.steps) {
    const names: string[] = [];
    const visit = (blocks: ProcedureDocument['steps'][number]['body']) => {
      for (const block of blocks) {
        if (block.kind !== 'paragraph') continue;
        for (const line of block.lines) for (const ref of line.refs) if (ref.kind === 'attribute' && ref.collects && !names.includes(ref.name)) names.push(ref.name);
        visit(block.children);
      }
    };
    visit(step.body);
    if (names.length > 0) result.set(step.id, names);
  }
  return result;
}
