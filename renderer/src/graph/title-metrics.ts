// How large a node's title is drawn, and on how many lines, at a zoom (semantic zoom): its own size
// up close; far away, the rows hide and the title grows so that zoom × size stays readable, but
// never beyond one line of its node. Pure.
import type { NodeKind } from '../../../shared/procedure';
import { NODE_SIZE } from './structure';

/** Title size (px) at full zoom; at low zoom titles grow so that zoom × size stays readable. */
const TITLE_SIZE: Partial<Record<NodeKind, number>> = { step: 15 };
const TITLE_SIZE_DEFAULT = 13;
/** Below this zoom, cards show only their titles. */
export const FAR_ZOOM = 0.85;
/** The smallest title size on screen (zoom × font size) at low zoom. */
export const FAR_TITLE_PX = 11;
const LINE_HEIGHT = 1.25;
/** Vertical padding of a node's title area, both sides together. */
const TITLE_PADDING = 10;

export function titleMetrics(kind: NodeKind, height: number, zoom: number, hasRows: boolean): { fontSize: number; lines: number; far: boolean } {
  const base = TITLE_SIZE[kind] ?? TITLE_SIZE_DEFAULT;
  const far = zoom < FAR_ZOOM;
  // Near: the title has the header; far: the rows are hidden and it has the whole card.
  const room = (far || !hasRows ? height : NODE_SIZE[kind].height) - TITLE_PADDING;
  // Far: as large as reads well, but never taller than one line of the node (it would spill out).
  const fontSize = far ? Math.max(base, Math.min(FAR_TITLE_PX / Math.max(zoom, 0.05), room / LINE_HEIGHT)) : base;
  return { fontSize, lines: Math.max(1, Math.floor(room / (fontSize * LINE_HEIGHT))), far };
}


/** The zoom rounded down to a fiftieth: nodes and labels re-render only when it crosses one. */
export const zoomStep = (state: { transform: [number, number, number] }) => Math.floor(state.transform[2] * 50) / 50;
