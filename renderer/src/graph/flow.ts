// React Flow nodes and edges for a Procedure's view graph (view-graph.ts: step and branch cards with
// their contents as rows). Objects (and the arrays themselves) are reused when nothing about them
// changed, so React Flow redraws only what a keystroke touched.
import { MarkerType, Position, type Edge, type Node } from '@xyflow/react';
import type { GraphNode, NodeKind, ProcedureGraph } from '../../../shared/procedure';
import type { Placement, Route } from './layout';
import type { LiveNode } from './live-labels';
import { childId, type Expansion } from './structure';
import { nodeSize } from './title-metrics';
import { viewGraph } from './view-graph';

/** A row of a card: its flow id (its label and graph id come on the live channel) and kind. */
export interface CardRow {
  id: string;
  kind: NodeKind;
}

export interface RoutedEdgeData extends Record<string, unknown> {
  /** ELK's route, for as long as the nodes are where ELK put them. */
  route?: Route;
  /** On the path a preview conversation took (its label is marked too). */
  onPath?: boolean;
  /** An end has no place from ELK yet: the edge is not drawn (nor its label) until it has. */
  unplaced?: boolean;
}

/** What a node shows that changes only with the structure. Labels and highlights: see live-labels.ts. */
export interface ProcedureNodeData extends Record<string, unknown> {
  kind: NodeKind;
  /** For sub-procedure nodes. */
  target?: string;
  expanded?: boolean;
  /** For nodes drawn inside an expanded sub-procedure: they belong to another Procedure. */
  foreign?: boolean;
  testKind?: GraphNode['test'];
  /** Cards: what they hold, in document order. */
  rows?: CardRow[];
  /** Steps: the attributes they collect. */
  collects?: string[];
}

export type ProcedureFlowNode = Node<ProcedureNodeData, 'procedure'>;

export interface FlowInput {
  graph: ProcedureGraph;
  /** Graph id → flow id (see identity.ts). */
  ids: ReadonlyMap<string, string>;
  /** By flow id. */
  positions: ReadonlyMap<string, { x: number; y: number }>;
  /** By flow id: where and how large ELK's last layout drew each node; a node without one is not shown yet. */
  sizes: ReadonlyMap<string, Placement>;
  /** By flow id. */
  expanded: ReadonlyMap<string, Expansion>;
  /** Graph ids. */
  cursorIds: ReadonlySet<string>;
  /** Graph ids of nodes with an error in them. */
  errorIds: ReadonlySet<string>;
  /** Flow ids. */
  selected: ReadonlySet<string>;
  /** Attributes each step collects, by step graph id. */
  collects?: ReadonlyMap<string, string[]>;
  /** ELK's edge routes, by flow edge id. */
  routes?: ReadonlyMap<string, Route>;
  /** Edges of the Procedure graph (graph ids) a preview conversation went along: drawn as its path. */
  path?: readonly { from: string; to: string }[];
}

const EDGE_LABEL_LENGTH = 40;
/**
 * The class of a node ELK has not placed yet (new in the text, or before the first layout), and of
 * the edges to it: not shown until the layout lands, rather than drawn at a guess over other nodes.
 */
export const UNPLACED = 'is-unplaced';
const MARKER = { type: MarkerType.ArrowClosed, width: 16, height: 16 };
/** The path's arrowhead: its own colour (the theme's, through the variable), and as large on the path's thicker stroke. */
const PATH_MARKER = { type: MarkerType.ArrowClosed, width: 10, height: 10, color: 'var(--g-path)' };
const ORIGIN = { x: 0, y: 0 };

export class FlowBuilder {
  private nodeCache = new Map<string, ProcedureFlowNode>();
  private edgeCache = new Map<string, Edge<RoutedEdgeData>>();
  private lastNodes: ProcedureFlowNode[] = [];
  private lastEdges: Edge<RoutedEdgeData>[] = [];

  private lastEdgeInput: { graph: ProcedureGraph; ids: ReadonlyMap<string, string>; expanded: ReadonlyMap<string, Expansion>; routes: ReadonlyMap<string, Route> | undefined; sizes: ReadonlyMap<string, Placement>; pathKey: string } | null = null;

  /** Whether the edges are those of the last build: same ends (as flow ids), labels and kinds. */
  private sameEdges(input: FlowInput, pathKey: string): boolean {
    const last = this.lastEdgeInput;
    if (!last || last.expanded !== input.expanded || last.routes !== input.routes || last.sizes !== input.sizes || last.pathKey !== pathKey) return false;
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
  build(input: FlowInput): { nodes: ProcedureFlowNode[]; edges: Edge<RoutedEdgeData>[]; live: Map<string, LiveNode> } {
    const nodes: ProcedureFlowNode[] = [];
    const edges: Edge<RoutedEdgeData>[] = [];
    const live = new Map<string, LiveNode>();
    const nodeCache = new Map<string, ProcedureFlowNode>();
    const edgeCache = new Map<string, Edge<RoutedEdgeData>>();
    const flowId = (graphId: string) => input.ids.get(graphId) ?? graphId;

    const setLive = (id: string, node: GraphNode, foreign: boolean | undefined) =>
      live.set(id, { label: node.label, graphId: node.id, cursor: !foreign && input.cursorIds.has(node.id), error: !foreign && input.errorIds.has(node.id) });
    const addNode = (id: string, node: GraphNode, extra: { parentId?: string; foreign?: boolean; expansion?: Expansion; rows?: CardRow[]; collects?: string[] }) => {
      const position = input.positions.get(id) ?? ORIGIN;
      setLive(id, node, extra.foreign);
      const expanded = node.kind === 'subprocedure' && !extra.foreign ? Boolean(extra.expansion) : undefined;
      // The size ELK placed it at, while that layout stands: a title typed onto another line, or
      // a new row, waits with the node's place for the next layout rather than grow over the node below.
      const placed = input.sizes.get(id);
      const rows = extra.rows && extra.rows.length > 0 ? extra.rows : undefined;
      const collects = extra.collects && extra.collects.length > 0 ? extra.collects : undefined;
      const size = placed ?? nodeSize(node, (rows?.length ?? 0) + (collects ? 1 : 0));
      const width = size.width;
      const height = size.height;
      const selected = input.selected.has(id);
      const className = placed ? undefined : UNPLACED;
      const old = this.nodeCache.get(id);
      // Compared field by field, without building anything: most nodes are unchanged on a keystroke.
      if (
        old &&
        old.position.x === position.x &&
        old.position.y === position.y &&
        old.selected === selected &&
        old.className === className &&
        old.parentId === extra.parentId &&
        old.width === width &&
        old.height === height &&
        old.data.kind === node.kind &&
        old.data.target === node.target &&
        old.data.expanded === expanded &&
        old.data.foreign === extra.foreign &&
        old.data.testKind === node.test &&
        sameRows(old.data.rows, rows) &&
        sameList(old.data.collects, collects)
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
        ...(rows ? { rows } : {}),
        ...(collects ? { collects } : {}),
      };
      const flowNode: ProcedureFlowNode = {
        id,
        type: 'procedure',
        position,
        data,
        selected,
        width,
        height,
        ...(className ? { className } : {}),
        sourcePosition: Position.Bottom,
        targetPosition: Position.Top,
        draggable: node.kind === 'step' && !extra.foreign,
        selectable: true,
        connectable: false,
        ...(extra.parentId ? { parentId: extra.parentId, extent: 'parent' as const } : {}),
      };
      nodeCache.set(id, flowNode);
      nodes.push(flowNode);
    };

    const addEdges = (graph: { edges: { from: string; to: string; label?: string; kind: string }[] }, toFlow: (graphId: string) => string, foreign: boolean, onPath: ReadonlySet<string> = NO_PATH) => {
      const seen = new Map<string, number>();
      for (const edge of graph.edges) {
        const source = toFlow(edge.from);
        const target = toFlow(edge.to);
        const pair = `${source}->${target}`;
        const count = (seen.get(pair) ?? 0) + 1;
        seen.set(pair, count);
        const id = count === 1 ? pair : `${pair}#${count}`;
        const label = edge.label ? shorten(edge.label) : edge.kind === 'optional' ? 'when needed' : undefined;
        const taken = onPath.has(pathKey(edge.from, edge.to));
        const unplaced = !input.sizes.has(source) || !input.sizes.has(target);
        const className = `edge-${edge.kind}${foreign ? ' edge-foreign' : ''}${taken ? ' on-path' : ''}${unplaced ? ` ${UNPLACED}` : ''}`;
        const route = foreign ? undefined : input.routes?.get(id);
        const old = this.edgeCache.get(id);
        const flowEdge: Edge<RoutedEdgeData> =
          old && old.label === label && old.className === className && old.data?.route === route
            ? old
            : {
                id,
                type: 'routed',
                source,
                target,
                ...(label ? { label } : {}),
                data: { ...(route ? { route } : {}), ...(taken ? { onPath: true } : {}), ...(unplaced ? { unplaced: true } : {}) },
                className,
                markerEnd: taken ? PATH_MARKER : MARKER,
                // Drawn above the edges it crosses.
                ...(taken ? { zIndex: 1 } : {}),
                animated: edge.kind === 'goto',
                selectable: false,
                focusable: false,
              };
        edgeCache.set(id, flowEdge);
        edges.push(flowEdge);
      }
    };

    const expandedGraphIds = new Set<string>();
    for (const node of input.graph.nodes) if (node.kind === 'subprocedure' && input.expanded.has(flowId(node.id))) expandedGraphIds.add(node.id);
    const view = viewGraph(input.graph, expandedGraphIds, input.collects);
    const byGraphId = new Map(input.graph.nodes.map((node) => [node.id, node]));
    for (const { node, rows, collects } of view.nodes) {
      const id = flowId(node.id);
      const expansion = node.kind === 'subprocedure' ? input.expanded.get(id) : undefined;
      const cardRows = rows.map((row) => ({ id: flowId(row), kind: byGraphId.get(row)!.kind }));
      for (const row of rows) setLive(flowId(row), byGraphId.get(row)!, false);
      addNode(id, node, expansion ? { expansion } : { rows: cardRows, collects });
      if (expansion) {
        const inner = viewGraph(expansion.graph);
        const innerById = new Map(expansion.graph.nodes.map((child) => [child.id, child]));
        for (const entry of inner.nodes) {
          const innerRows = entry.rows.map((row) => ({ id: childId(id, row), kind: innerById.get(row)!.kind }));
          for (const row of entry.rows) setLive(childId(id, row), innerById.get(row)!, true);
          addNode(childId(id, entry.node.id), entry.node, { parentId: id, foreign: true, rows: innerRows });
        }
      }
    }
    const pathKeys = input.path && input.path.length > 0 ? viewPath(input.path, view.owner) : NO_PATH;
    const pathId = [...pathKeys].sort().join('\u0001');
    const reuseEdges = this.sameEdges(input, pathId);
    if (!reuseEdges) {
      // Only this Procedure's own edges: an expanded sub-procedure's are another graph's ids.
      addEdges(view, flowId, false, pathKeys);
      for (const node of input.graph.nodes) {
        const id = flowId(node.id);
        const expansion = node.kind === 'subprocedure' ? input.expanded.get(id) : undefined;
        if (expansion) addEdges(viewGraph(expansion.graph), (child) => childId(id, child), true);
      }
      this.edgeCache = edgeCache;
      this.lastEdges = sameElements(edges, this.lastEdges) ? this.lastEdges : edges;
    }
    this.lastEdgeInput = { graph: input.graph, ids: input.ids, expanded: input.expanded, routes: input.routes, sizes: input.sizes, pathKey: pathId };
    this.nodeCache = nodeCache;
    // The same arrays when every element is the same object: React Flow then has nothing to do.
    if (!sameElements(nodes, this.lastNodes)) this.lastNodes = nodes;
    return { nodes: this.lastNodes, edges: this.lastEdges, live };
  }
}

const NO_PATH: ReadonlySet<string> = new Set();

function pathKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

/**
 * The path's Procedure-graph edges as the view draws them (view-graph.ts): an edge into a row is
 * inside its card; an edge from a row leaves from the row's card.
 */
function viewPath(path: readonly { from: string; to: string }[], owner: ReadonlyMap<string, string>): Set<string> {
  const keys = new Set<string>();
  for (const edge of path) if (!owner.has(edge.to)) keys.add(pathKey(owner.get(edge.from) ?? edge.from, edge.to));
  return keys;
}

function sameRows(a: CardRow[] | undefined, b: CardRow[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((row, i) => row.id === b[i]!.id && row.kind === b[i]!.kind);
}

function sameList(a: string[] | undefined, b: string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((item, i) => item === b[i]);
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
