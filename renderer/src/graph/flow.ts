// React Flow nodes and edges for a Procedure graph. Objects are reused when nothing about them
// changed, so React Flow redraws only what a keystroke touched.
import { MarkerType, Position, type Edge, type Node } from '@xyflow/react';
import type { GraphNode, NodeKind, ProcedureGraph } from '../../../shared/procedure';
import type { Placement } from './layout';
import { childId, NODE_SIZE, type Expansion } from './structure';

export interface ProcedureNodeData extends Record<string, unknown> {
  kind: NodeKind;
  label: string;
  /** The node's id in the Procedure graph (for nodes of an expanded sub-procedure: in the callee's). */
  graphId: string;
  /** The step the text cursor is in, or the node on the cursor's line. */
  cursor: boolean;
  error: boolean;
  /** For sub-procedure nodes. */
  target?: string;
  expanded?: boolean;
  /** For nodes drawn inside an expanded sub-procedure: they belong to another Procedure. */
  foreign?: boolean;
  testKind?: GraphNode['test'];
}

export type ProcedureFlowNode = Node<ProcedureNodeData, 'procedure'>;

export interface FlowInput {
  graph: ProcedureGraph;
  positions: ReadonlyMap<string, { x: number; y: number }>;
  sizes: ReadonlyMap<string, Placement>;
  expanded: ReadonlyMap<string, Expansion>;
  cursorIds: ReadonlySet<string>;
  /** Nodes with an error in them: the step, and the node on the error's line. */
  errorIds: ReadonlySet<string>;
  selected: ReadonlySet<string>;
}

const EDGE_LABEL_LENGTH = 40;

export class FlowBuilder {
  private nodeCache = new Map<string, ProcedureFlowNode>();
  private edgeCache = new Map<string, Edge>();

  build(input: FlowInput): { nodes: ProcedureFlowNode[]; edges: Edge[] } {
    const nodes: ProcedureFlowNode[] = [];
    const edges: Edge[] = [];
    const nodeCache = new Map<string, ProcedureFlowNode>();
    const edgeCache = new Map<string, Edge>();
    const addNode = (id: string, node: GraphNode, extra: { parentId?: string; foreign?: boolean; size?: { width: number; height: number } }) => {
      const position = input.positions.get(id) ?? { x: 0, y: 0 };
      const expansion = node.kind === 'subprocedure' && !extra.foreign ? input.expanded.get(node.id) : undefined;
      const data: ProcedureNodeData = {
        kind: node.kind,
        label: node.label,
        graphId: node.id,
        cursor: !extra.foreign && input.cursorIds.has(node.id),
        error: !extra.foreign && input.errorIds.has(node.id),
        ...(node.target ? { target: node.target } : {}),
        ...(node.kind === 'subprocedure' ? { expanded: Boolean(expansion) } : {}),
        ...(extra.foreign ? { foreign: true } : {}),
        ...(node.test ? { testKind: node.test } : {}),
      };
      const size = extra.size ?? NODE_SIZE[node.kind];
      const selected = input.selected.has(id);
      const old = this.nodeCache.get(id);
      const same =
        old &&
        old.position.x === position.x &&
        old.position.y === position.y &&
        old.selected === selected &&
        old.parentId === extra.parentId &&
        old.width === size.width &&
        old.height === size.height &&
        shallowEqual(old.data, data);
      const flowNode: ProcedureFlowNode = same
        ? old
        : {
            id,
            type: 'procedure',
            position,
            data,
            selected,
            width: size.width,
            height: size.height,
            sourcePosition: Position.Right,
            targetPosition: Position.Left,
            draggable: node.kind === 'step' && !extra.foreign,
            selectable: true,
            connectable: false,
            ...(extra.parentId ? { parentId: extra.parentId, extent: 'parent' as const } : {}),
          };
      nodeCache.set(id, flowNode);
      nodes.push(flowNode);
    };
    const addEdges = (graph: ProcedureGraph, prefix: (id: string) => string, foreign: boolean) => {
      graph.edges.forEach((edge, index) => {
        const id = `${prefix(edge.from)}->${prefix(edge.to)}#${index}`;
        const label = edge.label ? shorten(edge.label) : edge.kind === 'optional' ? 'when needed' : undefined;
        const className = `edge-${edge.kind}${foreign ? ' edge-foreign' : ''}`;
        const old = this.edgeCache.get(id);
        const flowEdge: Edge =
          old && old.label === label && old.className === className
            ? old
            : {
                id,
                source: prefix(edge.from),
                target: prefix(edge.to),
                ...(label ? { label } : {}),
                className,
                markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
                animated: edge.kind === 'goto',
                selectable: false,
                focusable: false,
              };
        edgeCache.set(id, flowEdge);
        edges.push(flowEdge);
      });
    };

    for (const node of input.graph.nodes) {
      const expansion = node.kind === 'subprocedure' ? input.expanded.get(node.id) : undefined;
      const placed = input.sizes.get(node.id);
      addNode(node.id, node, expansion && placed ? { size: { width: placed.width, height: placed.height } } : {});
      if (expansion) {
        for (const child of expansion.graph.nodes) addNode(childId(node.id, child.id), child, { parentId: node.id, foreign: true });
      }
    }
    addEdges(input.graph, (id) => id, false);
    for (const [id, expansion] of input.expanded) if (input.graph.nodes.some((node) => node.id === id)) addEdges(expansion.graph, (child) => childId(id, child), true);
    this.nodeCache = nodeCache;
    this.edgeCache = edgeCache;
    return { nodes, edges };
  }
}

function shorten(label: string): string {
  return label.length > EDGE_LABEL_LENGTH ? `${label.slice(0, EDGE_LABEL_LENGTH - 1)}…` : label;
}

function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/** The ids to highlight for a cursor line: the step it is in, and the node on that line. */
export function cursorIds(graph: ProcedureGraph, line: number): Set<string> {
  const ids = new Set<string>();
  let step: GraphNode | null = null;
  for (const node of graph.nodes) {
    if (node.kind === 'step' && node.line <= line) step = node;
  }
  if (step) ids.add(step.id);
  for (const node of graph.nodes) {
    if (node.kind !== 'step' && node.kind !== 'trigger' && node.id !== 'end' && node.span.start.line <= line && node.span.end.line >= line && node.stepId === step?.id) ids.add(node.id);
  }
  const trigger = graph.nodes.find((node) => node.kind === 'trigger');
  if (!step && trigger && line <= trigger.span.end.line) ids.add(trigger.id);
  return ids;
}
