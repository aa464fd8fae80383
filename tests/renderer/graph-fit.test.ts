// Where the graph's viewport goes (renderer/src/graph/fit.ts), and where a new node waits for its
// layout (placeNewNodes): never on top of another card.
import { describe, expect, it } from 'vitest';
import { parse, toGraph } from '../../shared/procedure';
import { fitViewport, graphBounds, START_FIT_MIN_ZOOM, startViewport, type Pane } from '../../renderer/src/graph/fit';
import { FlowIdentity } from '../../renderer/src/graph/identity';
import { NODE_SIZE, placeNewNodes } from '../../renderer/src/graph/structure';
import { readExample } from '../support/paths';

const graphOf = (text: string) => toGraph(parse(text).document);

/** Where a box lands on screen under a viewport. */
const onScreen = (box: { x: number; y: number; width: number; height: number }, view: { x: number; y: number; zoom: number }) => ({
  left: box.x * view.zoom + view.x,
  top: box.y * view.zoom + view.y,
  right: (box.x + box.width) * view.zoom + view.x,
  bottom: (box.y + box.height) * view.zoom + view.y,
});

describe('fit', () => {
  const boxes = [
    { x: 0, y: 0, width: 264, height: 60 },
    { x: 300, y: 400, width: 264, height: 64 },
    { x: -200, y: 900, width: 264, height: 44 },
  ];
  it.each([260, 400, 640])('puts every node inside a %i px wide pane, above the controls strip', (width) => {
    const pane: Pane = { width, height: 700, bottomStrip: 52 };
    const view = fitViewport(graphBounds(boxes)!, pane);
    for (const box of boxes) {
      const at = onScreen(box, view);
      expect(at.left).toBeGreaterThanOrEqual(0);
      expect(at.top).toBeGreaterThanOrEqual(0);
      expect(at.right).toBeLessThanOrEqual(width);
      expect(at.bottom).toBeLessThanOrEqual(700 - 52);
    }
  });

  it('counts a route that leaves the cards (a "go back" edge) and its label', () => {
    const bounds = graphBounds(boxes, [{ points: [{ x: 0, y: 0 }, { x: 900, y: 10 }], label: { x: 880, y: 1000, width: 60, height: 30 } }])!;
    expect(bounds).toEqual({ left: -200, top: 0, right: 940, bottom: 1030 });
  });

  it('opens a graph that fits readably fitted whole, and a long one on its trigger, no wider than the pane', () => {
    const pane: Pane = { width: 260, height: 800, bottomStrip: 52 };
    const small = graphBounds(boxes.slice(0, 1))!;
    expect(startViewport(small, boxes[0]!, pane)).toEqual(fitViewport(small, pane));
    const long = graphBounds([...boxes, { x: 0, y: 4000, width: 264, height: 44 }])!;
    const view = startViewport(long, boxes[0]!, pane);
    expect(fitViewport(long, pane).zoom).toBeLessThan(START_FIT_MIN_ZOOM);
    const trigger = onScreen(boxes[0]!, view);
    // Up close, the trigger at the top, whole: not cut at the pane's right edge (264 > 260).
    expect(view.zoom).toBeGreaterThan(0.85);
    expect(trigger.left).toBeGreaterThanOrEqual(0);
    expect(trigger.right).toBeLessThanOrEqual(260);
    expect(trigger.top).toBeGreaterThanOrEqual(0);
  });
});

describe('a new node before its layout', () => {
  const damaged = readExample('damaged-order.md');
  const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

  it('does not land on another card: two new branches of one condition, and the card below it', () => {
    const old = graphOf(damaged);
    const identity = new FlowIdentity();
    const oldIds = identity.update(old);
    // The old layout: one column, every card where ELK put it.
    const positions = new Map<string, { x: number; y: number }>();
    const sizes = new Map<string, { width: number; height: number }>();
    old.nodes.forEach((node, index) => {
      const id = oldIds.get(node.id)!;
      positions.set(id, { x: 0, y: index * 90 });
      sizes.set(id, NODE_SIZE[node.kind]);
    });
    const text = damaged.replace('Otherwise:\n  - Explain kindly', 'Otherwise, if the order was a gift:\n  - Say what to do.\nOtherwise, if the customer is a VIP:\n  - Say what to do.\nOtherwise:\n  - Explain kindly');
    expect(text).not.toBe(damaged);
    const graph = graphOf(text);
    const ids = identity.update(graph);
    const placed = placeNewNodes(graph, ids, positions, sizes);
    const fresh = graph.nodes.filter((node) => !positions.has(ids.get(node.id)!));
    expect(fresh.length).toBeGreaterThanOrEqual(2);
    const boxOf = (id: string, kind: keyof typeof NODE_SIZE) => ({ ...placed.get(id)!, ...(sizes.get(id) ?? NODE_SIZE[kind]) });
    for (const node of fresh) {
      const box = boxOf(ids.get(node.id)!, node.kind);
      for (const other of graph.nodes) {
        if (other === node) continue;
        const otherId = ids.get(other.id)!;
        if (!sizes.has(otherId) && !fresh.includes(other)) continue;
        expect(overlaps(box, boxOf(otherId, other.kind)), `${node.id} on ${other.id}`).toBe(false);
      }
    }
    // The others stay where they were.
    for (const [id, at] of positions) expect(placed.get(id)).toBe(at);
  });

  it('puts two new branches of one condition side by side, not on one spot', () => {
    const graph = graphOf('---\nname: A\ntrigger: t\n---\n\n## Decide\nIf the sky is blue:\n  - Say so.\nOtherwise:\n  - Say not.\n');
    const ids = new FlowIdentity().update(graph);
    const withSizes = placeNewNodes(graph, ids, new Map(), new Map([['nothing', { width: 1, height: 1 }]]));
    const b1 = withSizes.get('step:decide/cond1/b1')!;
    const b2 = withSizes.get('step:decide/cond1/b2')!;
    // New nodes stay clear of each other too.
    expect(b1.x === b2.x && b1.y === b2.y).toBe(false);
  });
});

describe('a small graph in a narrow pane', () => {
  it('opens whole rather than cut at the pane\'s edge, down to a smaller zoom than a large one', () => {
    const pane: Pane = { width: 260, height: 700, bottomStrip: 52 };
    const boxes = [
      { x: 100, y: 0, width: 450, height: 60 },
      { x: 0, y: 100, width: 300, height: 90 },
      { x: 340, y: 100, width: 300, height: 90 },
    ];
    const bounds = graphBounds(boxes)!;
    const fit = fitViewport(bounds, pane);
    expect(fit.zoom).toBeLessThan(START_FIT_MIN_ZOOM);
    expect(startViewport(bounds, boxes[0]!, pane, 3)).toEqual(fit);
    // A large graph of the same bounds opens on its trigger instead.
    expect(startViewport(bounds, boxes[0]!, pane, 40).zoom).toBeGreaterThan(fit.zoom);
  });
});
