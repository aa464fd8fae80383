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
  // One pass over the edges: how many lead into each node, and each node's one plain next node
  // (the target of its only unlabelled flow edge; null when it has several). Runs on every keystroke.
  const byId = new Map<string, GraphNode>();
  for (const node of graph.nodes) byId.set(node.id, node);
  const incoming = new Map<string, number>();
  const plainNext = new Map<string, string | null>();
  for (const edge of graph.edges) {
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
    if (edge.kind === 'flow' && !edge.label) plainNext.set(edge.from, plainNext.has(edge.from) ? null : edge.to);
  }
  const rowLike = (node: GraphNode | undefined): node is GraphNode =>
    !!node && (node.kind === 'action' || node.kind === 'code' || (node.kind === 'subprocedure' && node.mode !== 'switch' && !expanded.has(node.id)));

  const owner = new Map<string, string>();
  const nodes: ViewNode[] = [];
  for (const node of graph.nodes) {
    if (owner.has(node.id)) continue;
    const rows: string[] = [];
    if (CARDS.has(node.kind)) {
      // Follow the plain chain: one unlabelled flow edge to a row-like node nothing else leads to.
      for (let tail = node.id; ; ) {
        const next = byId.get(plainNext.get(tail) ?? '');
        if (!rowLike(next) || incoming.get(next.id) !== 1 || owner.has(next.id) || next.stepId !== node.stepId) break;
        owner.set(next.id, node.id);
        rows.push(next.id);
        tail = next.id;
      }
    }
    nodes.push({ node, rows, collects: node.kind === 'step' ? (collects.get(node.id) ?? NONE) : NONE });
  }

  const edges: ViewEdge[] = [];
  const moved = new Set<string>();
  for (const edge of graph.edges) {
    if (owner.has(edge.to)) continue; // the edge into a row: the row is in its card
    const card = owner.get(edge.from);
    if (card === undefined) {
      // A branch card says its test: the edge into it needs no label of its own.
      edges.push(edge.kind === 'branch' && edge.label ? { from: edge.from, to: edge.to, kind: edge.kind } : edge);
      continue;
    }
    // An edge from a row now leaves its card: once, however many rows it left from.
    const key = `${card}\u0000${edge.to}\u0000${edge.label ?? ''}\u0000${edge.kind}`;
    if (moved.has(key)) continue;
    moved.add(key);
    edges.push({ from: card, to: edge.to, ...(edge.label ? { label: edge.label } : {}), kind: edge.kind });
  }
  return { nodes, edges, owner };
}

const NONE: string[] = [];

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
