// An edge drawn along ELK's route, with its label in the box ELK kept free for it (so a label never
// sits on a node or on another label). While the nodes are not where ELK put them (a new node
// waiting for its layout, a step being dragged), it falls back to a plain step path.
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStore, type EdgeProps, type Edge } from '@xyflow/react';
import type { RoutedEdgeData } from './flow';
import { edgeLabelFont, type Point } from './layout';
import { FAR_ZOOM, zoomStep } from './title-metrics';

/** How far (px) a handle may be from ELK's port and the route still count as current. */
const TOLERANCE = 3;
const CORNER = 8;

/** An orthogonal polyline with rounded corners. */
export function roundedPath(points: Point[]): string {
  if (points.length === 0) return '';
  let path = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1]!;
    const at = points[i]!;
    const next = points[i + 1]!;
    const r = Math.min(CORNER, Math.hypot(at.x - prev.x, at.y - prev.y) / 2, Math.hypot(next.x - at.x, next.y - at.y) / 2);
    const from = towards(at, prev, r);
    const to = towards(at, next, r);
    path += ` L ${from.x} ${from.y} Q ${at.x} ${at.y} ${to.x} ${to.y}`;
  }
  const last = points[points.length - 1]!;
  return `${path} L ${last.x} ${last.y}`;
}

function towards(from: Point, to: Point, distance: number): Point {
  const length = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) / length) * distance, y: from.y + ((to.y - from.y) / length) * distance };
}

function RoutedEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, data, markerEnd, style }: EdgeProps<Edge<RoutedEdgeData>>) {
  const zoom = useStore(zoomStep);
  const route = data?.route;
  const first = route?.points[0];
  const last = route?.points[route.points.length - 1];
  const current = !!first && !!last && Math.abs(first.x - sourceX) <= TOLERANCE && Math.abs(first.y - sourceY) <= TOLERANCE && Math.abs(last.x - targetX) <= TOLERANCE && Math.abs(last.y - targetY) <= TOLERANCE;
  let path: string;
  let box: { x: number; y: number; width?: number; height?: number };
  if (current && route) {
    path = roundedPath(route.points);
    box = route.label ?? { x: 0, y: 0 };
  } else {
    const [fallback, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: CORNER });
    path = fallback;
    box = { x: labelX, y: labelY };
  }
  const placed = current && route?.label;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      {label && !data?.unplaced && (
        <EdgeLabelRenderer>
          <div
            className="graph-edge-label-box nopan"
            style={
              placed
                ? { transform: `translate(${box.x}px, ${box.y}px)`, width: box.width, height: box.height }
                : { transform: `translate(-50%, -50%) translate(${box.x}px, ${box.y}px)` }
            }
          >
            <span className={`graph-edge-label${data?.onPath ? ' on-path' : ''}`} data-edge-label={id} style={{ fontSize: `${edgeLabelFont(String(label), zoom, zoom < FAR_ZOOM)}px` }}>
              {label}
            </span>
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

export const RoutedEdge = memo(RoutedEdgeView);
