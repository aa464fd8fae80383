// What the layout depends on: node kinds in order, edges by position and the expanded
// sub-procedures. Typing in a step title changes ids and labels but not the structure, so it
// needs no new layout. Pure.
import type { GraphEdge, GraphNode, NodeKind, ProcedureGraph } from '../../../shared/procedure';

export const NODE_SIZE: Record<NodeKind, { width: number; height: number }> = {
  trigger: { width: 220, height: 56 },
  step: { width: 210, height: 48 },
  condition: { width: 200, height: 48 },
  branch: { width: 190, height: 40 },
  code: { width: 170, height: 38 },
  action: { width: 190, height: 38 },
  subprocedure: { width: 210, height: 46 },
  handoff: { width: 190, height: 38 },
  end: { width: 120, height: 38 },
};

/** A sub-procedure shown expanded: the called Procedure's graph, drawn inside its node. */
export interface Expansion {
  graph: ProcedureGraph;
}

export const childId = (parent: string, id: string) => `${parent}::${id}`;

export function structureKey(graph: ProcedureGraph, expanded: ReadonlyMap<string, Expansion>): string {
  const index = new Map(graph.nodes.map((node, i) => [node.id, i]));
  const nodes = graph.nodes.map((node) => node.kind[0]).join('');
  const edges = graph.edges.map((edge) => `${index.get(edge.from)}>${index.get(edge.to)}`).join(',');
  const children = [...expanded.entries()]
    .filter(([id]) => index.has(id))
    .map(([id, expansion]) => `${index.get(id)}{${structureKey(expansion.graph, new Map())}}`)
    .join('');
  return `${nodes}|${edges}|${children}`;
}

/**
 * Positions for a new graph from the old one's: a node keeps its place by id, or else takes the
 * place of the node at the same index when that one is gone (a renamed step), or else sits just
 * after the node its first incoming edge comes from.
 */
export function carryPositions(
  previous: { nodes: GraphNode[] } | null,
  positions: ReadonlyMap<string, { x: number; y: number }>,
  next: { nodes: GraphNode[]; edges: GraphEdge[] },
): Map<string, { x: number; y: number }> {
  const result = new Map<string, { x: number; y: number }>();
  const nextIds = new Set(next.nodes.map((node) => node.id));
  next.nodes.forEach((node, index) => {
    const own = positions.get(node.id);
    if (own) return result.set(node.id, own);
    const old = previous?.nodes[index];
    if (old && old.kind === node.kind && !nextIds.has(old.id)) {
      const inherited = positions.get(old.id);
      if (inherited) result.set(node.id, inherited);
    }
  });
  for (const node of next.nodes) {
    if (result.has(node.id)) continue;
    const from = next.edges.find((edge) => edge.to === node.id && result.has(edge.from));
    const origin = from ? result.get(from.from)! : { x: 0, y: 0 };
    result.set(node.id, { x: origin.x + 260, y: origin.y });
  }
  return result;
}
