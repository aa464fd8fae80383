// Where the graph's viewport goes: "fit" (all of it in the pane, above the strip where the controls
// and the minimap float) and the view a Procedure opens with. Pure: the pane's size is measured by
// the caller (GraphView, again whenever the pane or its toolbar changes size).
import type { Route } from './layout';

export interface Bounds {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface Pane {
  width: number;
  height: number;
  /** Height of the strip at the bottom that the controls (and the minimap) cover. */
  bottomStrip: number;
}

export const FIT_MARGIN = 12;
export const FIT_MAX_ZOOM = 1;
export const MIN_ZOOM = 0.05;
/** A Procedure opens fitted whole when that is at least this zoom (its titles still read well). */
export const START_FIT_MIN_ZOOM = 0.6;
/** A small graph (no more nodes than this) opens whole down to SMALL_FIT_MIN_ZOOM: a narrow pane shows all of it. */
export const SMALL_GRAPH = 12;
export const SMALL_FIT_MIN_ZOOM = 0.3;
/** Otherwise it opens on its trigger, this far below the top of the pane. */
const START_TOP = 24;

/** The box around the nodes and the edges (a "go back" edge is routed outside the cards' bounds). */
export function graphBounds(boxes: Iterable<{ x: number; y: number; width: number; height: number }>, routes: Iterable<Route> = []): Bounds | null {
  let bounds: Bounds | null = null;
  const grow = (left: number, top: number, right: number, bottom: number) => {
    bounds = bounds ? { left: Math.min(bounds.left, left), top: Math.min(bounds.top, top), right: Math.max(bounds.right, right), bottom: Math.max(bounds.bottom, bottom) } : { left, top, right, bottom };
  };
  for (const box of boxes) grow(box.x, box.y, box.x + box.width, box.y + box.height);
  for (const route of routes) {
    for (const point of route.points) grow(point.x, point.y, point.x, point.y);
    if (route.label) grow(route.label.x, route.label.y, route.label.x + route.label.width, route.label.y + route.label.height);
  }
  return bounds;
}

/** All of the graph in the pane, centred, no larger than full size. */
export function fitViewport(bounds: Bounds, pane: Pane): Viewport {
  const width = Math.max(bounds.right - bounds.left, 1);
  const height = Math.max(bounds.bottom - bounds.top, 1);
  const roomX = Math.max(pane.width - 2 * FIT_MARGIN, 1);
  const roomY = Math.max(pane.height - FIT_MARGIN - pane.bottomStrip, 1);
  const zoom = Math.min(FIT_MAX_ZOOM, Math.max(MIN_ZOOM, Math.min(roomX / width, roomY / height)));
  return { x: FIT_MARGIN + (roomX - width * zoom) / 2 - bounds.left * zoom, y: FIT_MARGIN + (roomY - height * zoom) / 2 - bounds.top * zoom, zoom };
}

/**
 * The view a Procedure opens with: fitted whole when it then still reads well (a small one, of
 * `nodes` nodes, even smaller: in a narrow pane, all of it rather than its cut top); a long one on its
 * trigger at the top instead, up close, at a zoom where a card (as wide as the trigger) fits the
 * pane's width rather than being cut at its edge.
 */
export function startViewport(bounds: Bounds, trigger: { x: number; y: number; width: number }, pane: Pane, nodes = Infinity): Viewport {
  const fit = fitViewport(bounds, pane);
  if (fit.zoom >= START_FIT_MIN_ZOOM || (nodes <= SMALL_GRAPH && fit.zoom >= SMALL_FIT_MIN_ZOOM)) return fit;
  const zoom = Math.min(FIT_MAX_ZOOM, Math.max(MIN_ZOOM, (pane.width - 2 * FIT_MARGIN) / trigger.width));
  return { x: pane.width / 2 - (trigger.x + trigger.width / 2) * zoom, y: START_TOP - trigger.y * zoom, zoom };
}
