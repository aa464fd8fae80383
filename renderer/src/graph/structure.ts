// What the layout depends on: node kinds in order, edges by position and the expanded
// sub-procedures. Typing in a step title changes ids and labels but not the structure, so it
// needs no new layout. Pure.
import type { GraphEdge, GraphNode, NodeKind, ProcedureGraph } from '../../../shared/procedure';

export const CARD_WIDTH = 300;
/** Height of one content row of a card (collects, action, code, call). */
export const ROW_HEIGHT = 26;
export const ROWS_PADDING = 8;

/** A node's size with no rows. Cards grow by ROW_HEIGHT a row; their titles are clamped to fit. */
export const NODE_SIZE: Record<NodeKind, { width: number; height: number }> = {
  // One width for every node: ELK then stacks them centre on centre, so straight chains stay
  // straight. Pills (condition, handoff, end) draw narrower, centred in their box.
  // The trigger, often a long sentence, is a wider pill: fewer lines, so a shorter graph that reads larger at fit.
  trigger: { width: Math.round(CARD_WIDTH * 1.5), height: 60 },
  step: { width: CARD_WIDTH, height: 44 },
  condition: { width: CARD_WIDTH, height: 44 },
  branch: { width: CARD_WIDTH, height: 64 },
  code: { width: CARD_WIDTH, height: 40 },
  action: { width: CARD_WIDTH, height: 40 },
  subprocedure: { width: CARD_WIDTH, height: 44 },
  handoff: { width: CARD_WIDTH, height: 44 },
  end: { width: CARD_WIDTH, height: 44 },
};

/** The size of a card with `rows` rows of contents. */
export function cardSize(kind: NodeKind, rows: number): { width: number; height: number } {
  const base = NODE_SIZE[kind];
  return rows === 0 ? base : { width: base.width, height: base.height + rows * ROW_HEIGHT + ROWS_PADDING };
}

/** A sub-procedure shown expanded: the called Procedure's graph, drawn inside its node. */
export interface Expansion {
  graph: ProcedureGraph;
}

export const childId = (parent: string, id: string) => `${parent}::${id}`;

export function structureKey(graph: ProcedureGraph, expanded: ReadonlyMap<string, Expansion>, collects: ReadonlyMap<string, string[]> = new Map()): string {
  const index = new Map(graph.nodes.map((node, i) => [node.id, i]));
  const nodes = graph.nodes.map((node) => node.kind[0]).join('');
  const edges = graph.edges.map((edge) => `${index.get(edge.from)}>${index.get(edge.to)}`).join(',');
  const children = [...expanded.entries()]
    .filter(([id]) => index.has(id))
    .map(([id, expansion]) => `${index.get(id)}{${structureKey(expansion.graph, new Map())}}`)
    .join('');
  // How many rows each step collects: they change its height.
  const collected = [...collects.entries()].map(([id, names]) => `${index.get(id)}:${names.length}`).join(',');
  return `${nodes}|${edges}|${children}|${collected}`;
}

/** A node's box in graph coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Room left between a new node and what it would otherwise sit on. */
const NEW_NODE_GAP = 24;

const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * Positions (by flow id) for a new graph: a node whose flow id already has a place keeps it; a new
 * one sits just below the node its first incoming edge comes from, until ELK answers, moved right
 * past any card it would cover (two new branches of one condition would otherwise land on the same
 * spot, drawn one over the other until the layout lands).
 *
 * @param sizes the drawn size of each placed node (by flow id): only those are in the way.
 */
export function placeNewNodes(
  graph: { nodes: GraphNode[]; edges: GraphEdge[] },
  ids: ReadonlyMap<string, string>,
  positions: ReadonlyMap<string, { x: number; y: number }>,
  sizes: ReadonlyMap<string, { width: number; height: number }> = new Map(),
): Map<string, { x: number; y: number }> {
  const result = new Map<string, { x: number; y: number }>();
  const flowId = (graphId: string) => ids.get(graphId) ?? graphId;
  // Nodes inside expanded sub-procedures keep their places (relative to their parent).
  for (const [key, value] of positions) if (key.includes('::')) result.set(key, value);
  for (const node of graph.nodes) {
    const own = positions.get(flowId(node.id));
    if (own) result.set(flowId(node.id), own);
  }
  // Built only when a node is new: on most keystrokes none is.
  let taken: Box[] | null = null;
  for (const node of graph.nodes) {
    const id = flowId(node.id);
    if (result.has(id)) continue;
    taken ??= [...result].flatMap(([placedId, at]) => {
      const size = sizes.get(placedId);
      return size && !placedId.includes('::') ? [{ ...at, ...size }] : [];
    });
    const from = graph.edges.find((edge) => edge.to === node.id && result.has(flowId(edge.from)));
    const origin = from ? result.get(flowId(from.from))! : { x: 0, y: 0 };
    const box: Box = { x: origin.x, y: origin.y + 90, ...NODE_SIZE[node.kind] };
    while (taken.some((other) => intersects(box, other))) box.x += box.width + NEW_NODE_GAP;
    taken.push(box);
    result.set(id, { x: box.x, y: box.y });
  }
  return result;
}
