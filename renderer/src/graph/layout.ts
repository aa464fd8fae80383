// The ELK graph for a Procedure's view graph (view-graph.ts), laid out top to bottom like a
// flowchart, and the positions and edge routes ELK returns. Pure; the work runs in layout.worker.ts.
//
// Stability as the text changes: nodes and edges go to ELK in document order and ELK keeps that
// order (model order) within each layer and when it breaks cycles (a "go back to" edge), so adding a
// row or a step moves what is below it, not the whole picture. Every node has one input port at the
// middle of its top and one output port at the middle of its bottom, so branches fan out below
// their condition and rejoin above the next step. Edge labels are laid out by ELK as boxes of their
// own, so no label can sit on a node or another label. Expanded sub-procedures are compound nodes.
import type { ElkExtendedEdge, ElkLabel, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import type { ProcedureGraph } from '../../../shared/procedure';
import { childId, type Expansion } from './structure';
import { nodeSize } from './title-metrics';
import { viewGraph, type ViewGraph } from './view-graph';

export interface Placement {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Set for nodes inside an expanded sub-procedure: positions are relative to it. */
  parent?: string;
}

export interface Point {
  x: number;
  y: number;
}

/** Where ELK routed an edge (absolute, in graph coordinates), and the box of its label. */
export interface Route {
  points: Point[];
  label?: { x: number; y: number; width: number; height: number };
}

export interface Layout {
  /** By graph id (`<call>::<id>` inside an expanded sub-procedure). */
  nodes: Map<string, Placement>;
  /** By edge key (routeKey) for the edges between top-level nodes. */
  routes: Map<string, Route>;
}

const LAYOUT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '24',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.spacing.nodeNode': '36',
  'elk.spacing.edgeNode': '20',
  'elk.spacing.edgeEdge': '14',
  'elk.spacing.edgeLabel': '4',
  'elk.spacing.labelNode': '8',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  // Brandes-Köpf lines chains up straight; see layoutGraph for when it is too wide.
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};

const PADDING = '[top=40,left=16,bottom=16,right=16]';

/**
 * An edge label's box: ELK reserves it, and the edge component draws the label inside it. It is
 * sized for the label at low zoom, where the text grows (up to EDGE_LABEL_FAR_PX in graph units)
 * to stay readable; up close the label is drawn smaller, centred in the same box.
 */
export const EDGE_LABEL_FAR_PX = 24;
/** Width of a character as a share of the font size: generous for the UI font. */
export const EDGE_LABEL_CHAR = 0.62;
/** At least the largest font: the pill pads its text by half an em each side. */
export const EDGE_LABEL_PADDING_X = EDGE_LABEL_FAR_PX;
export const EDGE_LABEL_HEIGHT = Math.ceil(EDGE_LABEL_FAR_PX * 1.25 + 8);
export function edgeLabelWidth(text: string): number {
  return Math.ceil(text.length * EDGE_LABEL_CHAR * EDGE_LABEL_FAR_PX + EDGE_LABEL_PADDING_X);
}

/** The label's font size (graph units) at a zoom: 11 px on screen or more, never beyond its box. */
export function edgeLabelFont(text: string, zoom: number, far: boolean): number {
  const fits = Math.min((EDGE_LABEL_HEIGHT - 8) / 1.25, (edgeLabelWidth(text) - EDGE_LABEL_PADDING_X) / (Math.max(text.length, 1) * EDGE_LABEL_CHAR));
  return far ? Math.max(11, Math.min(11 / Math.max(zoom, 0.05), fits)) : 11;
}

/** The key of the n-th (1-based) edge from `from` to `to`, as layout and flow both name it. */
export const routeKey = (from: string, to: string, n: number) => `${from}\u0001${to}\u0001${n}`;

export function rowCount(view: ViewGraph['nodes'][number]): number {
  return view.rows.length + (view.collects.length > 0 ? 1 : 0);
}

function portsOf(id: string, width: number, height: number): ElkPort[] {
  return [
    { id: `${id}:in`, x: width / 2, y: 0, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'NORTH' } },
    { id: `${id}:out`, x: width / 2, y: height, width: 0, height: 0, layoutOptions: { 'elk.port.side': 'SOUTH' } },
  ];
}

function elkNodes(view: ViewGraph, prefix: (id: string) => string, expanded: ReadonlyMap<string, Expansion>, withPorts: boolean): ElkNode[] {
  return view.nodes.map((entry): ElkNode => {
    const id = prefix(entry.node.id);
    const expansion = entry.node.kind === 'subprocedure' ? expanded.get(entry.node.id) : undefined;
    if (expansion) {
      const inner = viewGraph(expansion.graph);
      const innerPrefix = (child: string) => childId(id, child);
      return {
        id,
        layoutOptions: { 'elk.padding': PADDING },
        children: elkNodes(inner, innerPrefix, new Map(), false),
        edges: elkEdges(inner, innerPrefix, false),
      };
    }
    const size = nodeSize(entry.node, rowCount(entry));
    return withPorts
      ? { id, ...size, ports: portsOf(id, size.width, size.height), layoutOptions: { 'elk.portConstraints': 'FIXED_POS' } }
      : { id, ...size };
  });
}

function elkEdges(view: ViewGraph, prefix: (id: string) => string, withPorts: boolean, expanded: ReadonlyMap<string, Expansion> = new Map()): ElkExtendedEdge[] {
  const counts = new Map<string, number>();
  const kinds = new Map(view.nodes.map((entry) => [entry.node.id, entry.node.kind]));
  return view.edges.map((edge) => {
    const pair = `${edge.from}\u0001${edge.to}`;
    const n = (counts.get(pair) ?? 0) + 1;
    counts.set(pair, n);
    // Expanded sub-procedures are compound nodes without ports: edges meet them on their border.
    const port = (id: string, side: 'in' | 'out') => (withPorts && !expanded.has(id) ? `${prefix(id)}:${side}` : prefix(id));
    // The document's own order (an edge into a step) is the spine: ELK keeps it straight.
    const spine = kinds.get(edge.to) === 'step' ? { layoutOptions: { 'elk.layered.priority.straightness': '10' } } : {};
    const labels: ElkLabel[] = edge.label ? [{ id: `${routeKey(edge.from, edge.to, n)}:label`, text: edge.label, width: edgeLabelWidth(edge.label), height: EDGE_LABEL_HEIGHT }] : [];
    return { id: routeKey(prefix(edge.from), prefix(edge.to), n), sources: [port(edge.from, 'out')], targets: [port(edge.to, 'in')], labels, ...spine };
  });
}

export function toElk(graph: ProcedureGraph, expanded: ReadonlyMap<string, Expansion>, collects: ReadonlyMap<string, string[]> = new Map()): ElkNode {
  const view = viewGraph(graph, new Set(expanded.keys()), collects);
  const same = (id: string) => id;
  return { id: 'root', layoutOptions: { ...LAYOUT_OPTIONS }, children: elkNodes(view, same, expanded, true), edges: elkEdges(view, same, true, expanded) };
}

/**
 * The shape of the pane the graph is drawn in (width / height of a 640×800 panel, less the fit's
 * margins): a layout wider than this is held back by its width at fit, so a narrower one can read larger.
 */
export const WIDE = 0.9;

/** How large a layout draws at fit in a pane of the WIDE shape (1 by 1/WIDE): the larger, the better. */
const fitScale = (layout: ElkNode) => Math.min(WIDE / Math.max(layout.width ?? 1, 1), 1 / Math.max(layout.height ?? 1, 1));

/**
 * Lays a graph out with straight chains (Brandes-Köpf); when that drifts wider than the pane
 * (each branch that goes on to the next step sits right of the last, as in Refund request), again
 * with linear segments, narrower at the cost of small jogs, and keeps that one if it reads larger at
 * fit: the panel is tall, not wide.
 */
export async function layoutGraph(elk: { layout(graph: ElkNode): Promise<ElkNode> }, graph: ElkNode): Promise<ElkNode> {
  const straight = await elk.layout(structuredClone(graph));
  if ((straight.width ?? 0) <= WIDE * (straight.height ?? 0)) return straight;
  const narrow = await elk.layout({ ...structuredClone(graph), layoutOptions: { ...graph.layoutOptions, 'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS' } });
  return fitScale(narrow) > fitScale(straight) ? narrow : straight;
}

/** Positions on whole pixels, so that borders and text stay crisp. */
const px = (value: number | undefined) => Math.round(value ?? 0);

export function placements(root: ElkNode): Layout {
  const nodes = new Map<string, Placement>();
  for (const node of root.children ?? []) {
    nodes.set(node.id, { x: px(node.x), y: px(node.y), width: px(node.width), height: px(node.height) });
    for (const child of node.children ?? []) {
      nodes.set(child.id, { x: px(child.x), y: px(child.y), width: px(child.width), height: px(child.height), parent: node.id });
    }
  }
  const routes = new Map<string, Route>();
  for (const edge of root.edges ?? []) {
    const section = edge.sections?.[0];
    if (!section || (edge.sections?.length ?? 0) > 1) continue;
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((point) => ({ x: px(point.x), y: px(point.y) }));
    const label = edge.labels?.[0];
    routes.set(edge.id, { points, ...(label ? { label: { x: px(label.x), y: px(label.y), width: px(label.width), height: px(label.height) } } : {}) });
  }
  return { nodes, routes };
}
