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
 * Positions (by flow id) for a new graph: a node whose flow id already has a place keeps it; a new
 * one sits just after the node its first incoming edge comes from, until ELK answers.
 */
export function placeNewNodes(
  graph: { nodes: GraphNode[]; edges: GraphEdge[] },
  ids: ReadonlyMap<string, string>,
  positions: ReadonlyMap<string, { x: number; y: number }>,
): Map<string, { x: number; y: number }> {
  const result = new Map<string, { x: number; y: number }>();
  const flowId = (graphId: string) => ids.get(graphId) ?? graphId;
  // Nodes inside expanded sub-procedures keep their places (relative to their parent).
  for (const [key, value] of positions) if (key.includes('::')) result.set(key, value);
  for (const node of graph.nodes) {
    const own = positions.get(flowId(node.id));
    if (own) result.set(flowId(node.id), own);
  }
  for (const node of graph.nodes) {
    const id = flowId(node.id);
    if (result.has(id)) continue;
    const from = graph.edges.find((edge) => edge.to === node.id && result.has(flowId(edge.from)));
    const origin = from ? result.get(flowId(from.from))! : { x: 0, y: 0 };
    result.set(id, { x: origin.x + 260, y: origin.y });
  }
  return result;
}
