// The ELK graph for a Procedure graph (left to right, expanded sub-procedures as compound nodes),
// and the positions ELK returns. Pure; the work runs in layout.worker.ts.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { ProcedureGraph } from '../../../shared/procedure';
import { childId, NODE_SIZE, type Expansion } from './structure';

export interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Set for nodes inside an expanded sub-procedure: positions are relative to it. */
  parent?: string;
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.layered.spacing.nodeNodeBetweenLayers': '60',
  'elk.spacing.nodeNode': '28',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeRouting': 'POLYLINE',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
};

const PADDING = '[top=36,left=16,bottom=16,right=16]';

function edgesOf(graph: ProcedureGraph, prefix: (id: string) => string): ElkExtendedEdge[] {
  return graph.edges.map((edge, index) => ({ id: `${prefix('e')}${index}`, sources: [prefix(edge.from)], targets: [prefix(edge.to)] }));
}

export function toElk(graph: ProcedureGraph, expanded: ReadonlyMap<string, Expansion>): ElkNode {
  const children: ElkNode[] = graph.nodes.map((node) => {
    const expansion = node.kind === 'subprocedure' ? expanded.get(node.id) : undefined;
    if (!expansion) return { id: node.id, ...NODE_SIZE[node.kind] };
    const prefix = (id: string) => childId(node.id, id);
    return {
      id: node.id,
      layoutOptions: { 'elk.padding': PADDING },
      children: expansion.graph.nodes.map((child) => ({ id: prefix(child.id), ...NODE_SIZE[child.kind] })),
      edges: edgesOf(expansion.graph, prefix),
    };
  });
  return { id: 'root', layoutOptions: LAYOUT_OPTIONS, children, edges: edgesOf(graph, (id) => id) };
}

export function placements(root: ElkNode): Map<string, Placement> {
  const result = new Map<string, Placement>();
  for (const node of root.children ?? []) {
    result.set(node.id, { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0 });
    for (const child of node.children ?? []) {
      result.set(child.id, { x: child.x ?? 0, y: child.y ?? 0, width: child.width ?? 0, height: child.height ?? 0, parent: node.id });
    }
  }
  return result;
}
