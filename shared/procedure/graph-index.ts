// A Procedure graph indexed for walking: nodes by id, the edges out of each node, and each
// condition's branches in order with the kind of test that opens them. The runtime's enforcement
// and the conformance checker both walk the graph; each keeps its own rules, and shares this.
import type { GraphEdge, GraphNode, ProcedureGraph } from './graph';

export type BranchTest = 'python' | 'plain' | 'otherwise';

/** The key of a gate's input: an attribute its Python reads, or a connector result (`data[...]`). */
export const attributeInput = (name: string) => `attribute:${name}`;
export const dataInput = (action: string) => `data:${action}`;

export interface GraphIndex {
  nodes: ReadonlyMap<string, GraphNode>;
  /** Node ids in document order. */
  order: readonly string[];
  outgoing: ReadonlyMap<string, readonly GraphEdge[]>;
  /** Each condition's branches, in order. */
  branches: ReadonlyMap<string, readonly { id: string; test: BranchTest }[]>;
}

export function indexGraph(graph: ProcedureGraph): GraphIndex {
  const nodes = new Map(graph.nodes.map((node) => [node.id, node]));
  const outgoing = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) {
    const list = outgoing.get(edge.from);
    if (list) list.push(edge);
    else outgoing.set(edge.from, [edge]);
  }
  const branches = new Map<string, { id: string; test: BranchTest }[]>();
  for (const node of graph.nodes) {
    if (node.kind !== 'condition') continue;
    const list = (outgoing.get(node.id) ?? []).filter((edge) => edge.kind === 'branch').map((edge) => ({ id: edge.to, test: nodes.get(edge.to)?.test ?? 'plain' }));
    branches.set(node.id, list);
  }
  return { nodes, order: graph.nodes.map((node) => node.id), outgoing, branches };
}
