// React Flow nodes and edges for a Procedure graph. Objects (and the arrays themselves) are reused
// when nothing about them changed, so React Flow redraws only what a keystroke touched.
import { MarkerType, Position, type Edge, type Node } from '@xyflow/react';
import type { GraphNode, NodeKind, ProcedureGraph } from '../../../shared/procedure';
import type { Placement } from './layout';
import type { LiveNode } from './live-labels';
import { childId, NODE_SIZE, type Expansion } from './structure';

/** What a node shows that changes only with the structure. Labels and highlights: see live-labels.ts. */
export interface ProcedureNodeData extends Record<string, unknown> {
  kind: NodeKind;
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
  /** Graph id → flow id (see identity.ts). */
  ids: ReadonlyMap<string, string>;
  /** By flow id. */
  positions: ReadonlyMap<string, { x: number; y: number }>;
  /** By flow id: sizes of expanded sub-procedure nodes. */
  sizes: ReadonlyMap<string, Placement>;
  /** By flow id. */
  expanded: ReadonlyMap<string, Expansion>;
  /** Graph ids. */
  cursorIds: ReadonlySet<string>;
  /** Graph ids of nodes with an error in them. */
  errorIds: ReadonlySet<string>;
  /** Flow ids. */
  selected: ReadonlySet<string>;
}

const EDGE_LABEL_LENGTH = 40;
const MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
const ORIGIN = { x: 0, y: 0 };

export class FlowBuilder {
  private nodeCache = new Map<string, ProcedureFlowNode>();
  private edgeCache = new Map<string, Edge>();
  private lastNodes: ProcedureFlowNode[] = [];
  private lastEdges: Edge[] = [];

  private lastEdgeInput: { graph: ProcedureGraph; ids: ReadonlyMap<string, string>; expanded: ReadonlyMap<string, Expansion> } | null = null;

  /** Whether the edges are those of the last build: same ends (as flow ids), labels and kinds. */
  private sameEdges(input: FlowInput): boolean {
    const last = this.lastEdgeInput;
    if (!last || last.expanded !== input.expanded) return false;
    const a = last.graph.edges;
    const b = input.graph.edges;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i]!;
      const y = b[i]!;
      if (x.kind !== y.kind || x.label !== y.label) return false;
      if ((last.ids.get(x.from) ?? x.from) !== (input.ids.get(y.from) ?? y.from)) return false;
      if ((last.ids.get(x.to) ?? x.to) !== (input.ids.get(y.to) ?? y.to)) return false;
    }
    return true;
  }

  /** The nodes and edges, and each node's live values (by flow id) for LiveLabels. */
  build(input: FlowInput): { nodes: ProcedureFlowNode[]; edges: Edge[]; live: Map<string, LiveNode> } {
    const nodes: ProcedureFlowNode[] = [];
    const edges: Edge[] = [];
    const live = new Map<string, LiveNode>();
    const nodeCache = new Map<string, ProcedureFlowNode>();
    const edgeCache = new Map<string, Edge>();
    const flowId = (graphId: string) => input.ids.get(graphId) ?? graphId;

    const addNode = (id: string, node: GraphNode, extra: { parentId?: string; foreign?: boolean; expansion?: Expansion }) => {
      const position = input.positions.get(id) ?? ORIGIN;
      live.set(id, { label: node.label, graphId: node.id, cursor: !extra.foreign && input.cursorIds.has(node.id), error: !extra.foreign && input.errorIds.has(node.id) });
      const expanded = node.kind === 'subprocedure' && !extra.foreign ? Boolean(extra.expansion) : undefined;
      const placed = extra.expansion ? input.sizes.get(id) : undefined;
      const width = placed ? placed.width : NODE_SIZE[node.kind].width;
      const height = placed ? placed.height : NODE_SIZE[node.kind].height;
      const selected = input.selected.has(id);
      const old = this.nodeCache.get(id);
      // Compared field by field, without building anything: most nodes are unchanged on a keystroke.
      if (
        old &&
        old.position.x === position.x &&
        old.position.y === position.y &&
        old.selected === selected &&
        old.parentId === extra.parentId &&
        old.width === width &&
        old.height === height &&
        old.data.kind === node.kind &&
        old.data.target === node.target &&
        old.data.expanded === expanded &&
        old.data.foreign === extra.foreign &&
        old.data.testKind === node.test
      ) {
        nodeCache.set(id, old);
        nodes.push(old);
        return;
      }
      const data: ProcedureNodeData = {
        kind: node.kind,
        ...(node.target ? { target: node.target } : {}),
        ...(expanded !== undefined ? { expanded } : {}),
        ...(extra.foreign ? { foreign: true } : {}),
        ...(node.test ? { testKind: node.test } : {}),
      };
      const flowNode: ProcedureFlowNode = {
        id,
        type: 'procedure',
        position,
        data,
        selected,
        width,
        height,
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

    const addEdges = (graph: ProcedureGraph, toFlow: (graphId: string) => string, foreign: boolean) => {
      const seen = new Map<string, number>();
      for (const edge of graph.edges) {
        const source = toFlow(edge.from);
        const target = toFlow(edge.to);
        const pair = `${source}->${target}`;
        const count = (seen.get(pair) ?? 0) + 1;
        seen.set(pair, count);
        const id = count === 1 ? pair : `${pair}#${count}`;
        const label = edge.label ? shorten(edge.label) : edge.kind === 'optional' ? 'when needed' : undefined;
        const className = `edge-${edge.kind}${foreign ? ' edge-foreign' : ''}`;
        const old = this.edgeCache.get(id);
        const flowEdge: Edge =
          old && old.label === label && old.className === className
            ? old
            : {
                id,
                source,
                target,
                ...(label ? { label } : {}),
                className,
                markerEnd: MARKER,
                animated: edge.kind === 'goto',
                selectable: false,
                focusable: false,
              };
        edgeCache.set(id, flowEdge);
        edges.push(flowEdge);
      }
    };

    for (const node of input.graph.nodes) {
      const id = flowId(node.id);
      const expansion = node.kind === 'subprocedure' ? input.expanded.get(id) : undefined;
      addNode(id, node, expansion ? { expansion } : {});
      if (expansion) for (const child of expansion.graph.nodes) addNode(childId(id, child.id), child, { parentId: id, foreign: true });
    }
    const reuseEdges = this.sameEdges(input);
    if (!reuseEdges) {
      addEdges(input.graph, flowId, false);
      for (const node of input.graph.nodes) {
        const id = flowId(node.id);
        const expansion = node.kind === 'subprocedure' ? input.expanded.get(id) : undefined;
        if (expansion) addEdges(expansion.graph, (child) => childId(id, child), true);
      }
      this.edgeCache = edgeCache;
      this.lastEdges = sameElements(edges, this.lastEdges) ? this.lastEdges : edges;
    }
    this.lastEdgeInput = { graph: input.graph, ids: input.ids, expanded: input.expanded };
    this.nodeCache = nodeCache;
    // The same arrays when every element is the same object: React Flow then has nothing to do.
    if (!sameElements(nodes, this.lastNodes)) this.lastNodes = nodes;
    return { nodes: this.lastNodes, edges: this.lastEdges, live };
  }
}

function sameElements<T>(a: T[], b: T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shorten(label: string): string {
  return label.length > EDGE_LABEL_LENGTH ? `${label.slice(0, EDGE_LABEL_LENGTH - 1)}…` : label;
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
