// The graph as a person reads it: cards that hold their contents as rows, laid out top to bottom by
// ELK with every edge label in a box of its own (nothing overlaps), stable as the text changes.
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { parse, toGraph } from '../../shared/procedure';
import { nextNodeId } from '../../renderer/src/graph/keyboard';
import { EDGE_LABEL_HEIGHT, edgeLabelFont, edgeLabelWidth, layoutGraph, placements, toElk, WIDE, type Layout } from '../../renderer/src/graph/layout';
import { FAR_MIN_PX, FAR_REFERENCE_SIZE, FAR_TITLE_PX, FAR_ZOOM, NEAR_LINES, nodeSize, nodeTitle, titleMetrics, titleSizesKey, wrappedLines } from '../../renderer/src/graph/title-metrics';
import { NODE_SIZE } from '../../renderer/src/graph/structure';
import { collectsByStep, viewGraph } from '../../renderer/src/graph/view-graph';
import { readExample } from '../support/paths';

const EXAMPLES = ['refund-request.md', 'damaged-order.md', 'cancel-subscription.md', 'password-reset.md', 'verify-identity.md'];
const parsed = (text: string) => parse(text).document;
const graphOf = (text: string) => toGraph(parsed(text));
const refund = readExample('refund-request.md');

async function layOut(text: string): Promise<Layout> {
  const document = parsed(text);
  return placements(await layoutGraph(new ELK(), toElk(toGraph(document), new Map(), collectsByStep(document))));
}

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 0.01 && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 0.01;

describe('viewGraph', () => {
  it('puts a step\'s actions, code and calls in its card as rows, in document order', () => {
    const view = viewGraph(graphOf(refund));
    const card = (id: string) => view.nodes.find((entry) => entry.node.id === id);
    expect(card('step:find-the-order')?.rows).toEqual(['step:find-the-order/action:shop.get_order']);
    expect(card('step:issue-the-refund')?.rows).toEqual(['step:issue-the-refund/call:verify-identity', 'step:issue-the-refund/action:payments.create_refund']);
    expect(card('step:check-eligibility')?.rows).toEqual(['step:check-eligibility/code1']);
    // Rows are not nodes, and no edge leads to one.
    const ids = new Set(view.nodes.map((entry) => entry.node.id));
    expect(ids.has('step:find-the-order/action:shop.get_order')).toBe(false);
    for (const edge of view.edges) expect(ids.has(edge.from) && ids.has(edge.to), `${edge.from} -> ${edge.to}`).toBe(true);
    // Conditions, branches, handoffs and ends stay nodes; the card leads to its condition.
    expect(card('step:check-eligibility/cond1')?.node.kind).toBe('condition');
    expect(card('step:check-eligibility/handoff:orders-team')?.node.kind).toBe('handoff');
    expect(view.edges).toContainEqual({ from: 'step:check-eligibility', to: 'step:check-eligibility/cond1', kind: 'flow' });
    // A branch card says its test: the edge into it has no label.
    expect(view.edges.find((edge) => edge.to === 'step:check-eligibility/cond1/b1')).toEqual({ from: 'step:check-eligibility/cond1', to: 'step:check-eligibility/cond1/b1', kind: 'branch' });
  });

  it('keeps an expanded call as a node of its own, and a switch (which does not return) too', () => {
    const graph = graphOf(refund);
    const expanded = viewGraph(graph, new Set(['step:issue-the-refund/call:verify-identity']));
    expect(expanded.nodes.some((entry) => entry.node.id === 'step:issue-the-refund/call:verify-identity')).toBe(true);
    expect(expanded.nodes.find((entry) => entry.node.id === 'step:issue-the-refund')?.rows).toEqual([]);
    expect(viewGraph(graph).nodes.some((entry) => entry.node.id === 'step:understand-the-reason/switch:damaged-order-claim')).toBe(true);
  });

  it('moves a row\'s other edges (a "when needed" handoff, a go to) to its card, once', () => {
    const text = `---\nname: T\ntrigger: t\n---\n\n## One\nLook it up with @shop.get_order. If they are upset, @handoff Support team.\nSay @shop.get_order again.\n\n## Two\nGo back to [[#One]].\n`;
    const view = viewGraph(graphOf(text));
    const card = view.nodes.find((entry) => entry.node.id === 'step:one')!;
    expect(card.rows.length).toBe(2);
    const optional = view.edges.filter((edge) => edge.kind === 'optional');
    expect(optional).toEqual([{ from: 'step:one', to: 'step:one/handoff:support-team', label: 'when needed', kind: 'optional' }]);
  });

  it('lists what each step collects', () => {
    const collects = collectsByStep(parsed(refund));
    expect(collects.get('step:find-the-order')).toEqual(['order_number']);
    expect(collects.get('step:work-out-the-amount')).toEqual(['returned_skus']);
    expect(collects.has('step:check-eligibility')).toBe(false);
    expect(collectsByStep(undefined).size).toBe(0);
  });
});

describe('layout', () => {
  it.each(EXAMPLES)('%s: steps in document order down the page, no label on a node or a label, edges between ports', async (file) => {
    const text = readExample(file);
    const graph = graphOf(text);
    const { nodes, routes } = await layOut(text);
    const steps = graph.nodes.filter((node) => node.kind === 'step').map((node) => nodes.get(node.id)!.y);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(nodes.get('trigger')!.y).toBeLessThan(steps[0]!);
    const boxes = [...nodes.values()];
    const labels = [...routes.values()].flatMap((route) => (route.label ? [route.label] : []));
    for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    for (const [i, label] of labels.entries()) {
      for (const box of boxes) expect(overlap(label, box)).toBe(false);
      for (const other of labels.slice(i + 1)) expect(overlap(label, other)).toBe(false);
    }
    // Every edge leaves its source at the middle of its bottom and enters its target at the middle of its top.
    const view = viewGraph(graph, new Set(), collectsByStep(parsed(text)));
    for (const [key, route] of routes) {
      const [from, to] = key.split('\u0001');
      const source = nodes.get(from!)!;
      const target = nodes.get(to!)!;
      expect(route.points[0]).toEqual({ x: source.x + source.width / 2, y: source.y + source.height });
      expect(route.points.at(-1)).toEqual({ x: target.x + target.width / 2, y: target.y });
    }
    expect(routes.size).toBe(view.edges.length);
  });

  it('gives every labelled edge a label box wide enough for its text', async () => {
    const { routes } = await layOut(refund);
    const labelled = [...routes.values()].filter((route) => route.label);
    expect(labelled.length).toBeGreaterThan(0);
    for (const route of labelled) expect(route.label!.width).toBeGreaterThanOrEqual(edgeLabelWidth('go to'));
  });

  it('is stable as the text changes: a new row moves only what is below it, and steps keep their order', async () => {
    const before = await layOut(refund);
    const after = await layOut(refund.replace('Ask which items they are returning', 'Check the stock with @shop.get_stock. Ask which items they are returning'));
    const grown = after.nodes.get('step:work-out-the-amount')!;
    expect(grown.height).toBeGreaterThan(before.nodes.get('step:work-out-the-amount')!.height);
    for (const id of ['trigger', 'step:find-the-order', 'step:understand-the-reason', 'step:check-eligibility']) {
      expect(after.nodes.get(id)!.y, id).toBe(before.nodes.get(id)!.y);
    }
    expect(after.nodes.get('step:issue-the-refund')!.y).toBeGreaterThan(before.nodes.get('step:issue-the-refund')!.y);
  });

  it('lays a graph that drifts wide out again narrower', async () => {
    // Refund request with every node 40 high (its titles wrap taller now, and it no longer drifts
    // wider than WIDE × its height): Brandes-Köpf then drifts it right.
    const graph = toElk(graphOf(refund), new Map());
    for (const child of graph.children ?? []) {
      child.height = 40;
      for (const port of child.ports ?? []) if (port.y) port.y = 40;
    }
    const straight = await new ELK().layout(structuredClone(graph));
    expect(straight.width!).toBeGreaterThan(WIDE * straight.height!); // Refund request drifts right with Brandes-Köpf
    const chosen = await layoutGraph(new ELK(), graph);
    expect(chosen.width!).toBeLessThan(straight.width! * 0.8);
    const narrow = toElk(graphOf(readExample('damaged-order.md')), new Map());
    const kept = await layoutGraph(new ELK(), narrow);
    expect([...placements(kept).nodes]).toEqual([...placements(await new ELK().layout(structuredClone(narrow))).nodes]);
  });

  it('lays out the same text the same way every time', async () => {
    const a = await layOut(refund);
    const b = await layOut(refund);
    expect([...b.nodes]).toEqual([...a.nodes]);
  });
});

describe('odd and broken text', () => {
  it.each([
    ['nothing at all', ''],
    ['only front matter', '---\nname: X\ntrigger: t\n---\n'],
    ['a step that goes back to itself', '---\nname: X\ntrigger: t\n---\n\n## Loop\nAsk again. Go back to [[#Loop]].\n'],
    ['an unclosed code block and a half-typed condition', '---\nname: X\ntrigger: t\n---\n\n## A\n```python\nx = (\n\nIf `attributes["a"\n  - @end\n'],
    ['a condition with no steps after it', '---\nname: X\ntrigger: t\n---\n\n## A\nIf the customer is angry:\n  - @handoff Support\n'],
    ['unicode everywhere', '---\nname: Größe ✓\ntrigger: 客户\n---\n\n## Schritt 😀\nFrag nach {größe} with @shop.über. @end\n'],
  ])('%s: lays out without overlaps, every edge between nodes that exist', async (_what, text) => {
    const graph = graphOf(text);
    const view = viewGraph(graph, new Set(), collectsByStep(parsed(text)));
    const ids = new Set(view.nodes.map((entry) => entry.node.id));
    for (const edge of view.edges) expect(ids.has(edge.from) && ids.has(edge.to)).toBe(true);
    const { nodes, routes } = await layOut(text);
    expect(nodes.size).toBe(view.nodes.length);
    const boxes = [...nodes.values()];
    for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    for (const route of routes.values()) if (route.label) for (const box of boxes) expect(overlap(route.label, box)).toBe(false);
  });
});

describe('semantic zoom', () => {
  it('draws titles at their own size up close, and at ≥ 11 px on screen far away, within their node', () => {
    expect(titleMetrics('step', 44, 1, null)).toEqual({ fontSize: 15, lines: 1, far: false });
    for (const zoom of [0.84, 0.6, 0.45]) {
      for (const kind of ['step', 'branch', 'condition', 'handoff', 'end', 'trigger'] as const) {
        const height = NODE_SIZE[kind].height;
        const { fontSize, lines, far } = titleMetrics(kind, height, zoom, null);
        expect(far).toBe(zoom < FAR_ZOOM);
        expect(fontSize * zoom, `${kind} at ${zoom}`).toBeGreaterThanOrEqual(Math.min(FAR_TITLE_PX, 10.5));
        expect(lines * fontSize * 1.25, `${kind} at ${zoom} fits its node`).toBeLessThanOrEqual(height);
      }
    }
  });
});

describe('edge labels', () => {
  it('are 11 px up close, grow far away, and always fit the box ELK kept for them', () => {
    for (const text of ['go to', 'none matched', 'when needed', 'x']) {
      expect(edgeLabelFont(text, 1, false)).toBe(11);
      const far = edgeLabelFont(text, 0.4, true);
      expect(far).toBeGreaterThan(11);
      expect(far * 1.4 + 2).toBeLessThanOrEqual(EDGE_LABEL_HEIGHT);
      // The pill: the text (at most 0.62 em a character) and 0.5 em each side.
      expect(text.length * 0.62 * far + far).toBeLessThanOrEqual(edgeLabelWidth(text) + 0.01);
      expect(edgeLabelFont(text, 0.01, true)).toBe(far);
    }
  });
});

describe('keyboard', () => {
  it('goes to the next and previous node in order, and stops at the ends', () => {
    const order = ['trigger', 'step:a', 'step:b'];
    expect(nextNodeId(order, 'trigger', 'ArrowDown')).toBe('step:a');
    expect(nextNodeId(order, 'step:a', 'ArrowRight')).toBe('step:b');
    expect(nextNodeId(order, 'step:a', 'ArrowUp')).toBe('trigger');
    expect(nextNodeId(order, 'step:b', 'ArrowDown')).toBeNull();
    expect(nextNodeId(order, 'trigger', 'ArrowLeft')).toBeNull();
    expect(nextNodeId(order, 'step:b', 'Home')).toBe('trigger');
    expect(nextNodeId(order, 'trigger', 'End')).toBe('step:b');
    expect(nextNodeId(order, 'missing', 'ArrowDown')).toBeNull();
    expect(nextNodeId(order, 'step:a', 'x')).toBeNull();
  });
});

describe('titles wrap rather than be cut', () => {
  const examples = ['refund-request.md', 'damaged-order.md', 'cancel-subscription.md', 'password-reset.md', 'verify-identity.md'];

  it('gives ELK a node tall enough for its whole title, up close (≤ 3 lines) and far away at ≥ 10 px on screen down to zoom 10/22', () => {
    let wrapped = 0;
    for (const file of examples) {
      for (const node of graphOf(readExample(file)).nodes) {
        const { height } = nodeSize(node, 0);
        const near = titleMetrics(node.kind, height, 1, null, nodeTitle(node));
        const nearLines = wrappedLines(nodeTitle(node), near.fontSize, NODE_SIZE[node.kind].width - 64);
        if (nearLines > 1) wrapped++;
        if (nearLines <= NEAR_LINES) expect(nearLines * near.fontSize * 1.25, `${node.id} up close`).toBeLessThanOrEqual(height - 10 + 0.01);
        for (const zoom of [0.84, 0.6, 0.5, 10 / FAR_REFERENCE_SIZE]) {
          const far = titleMetrics(node.kind, height, zoom, null, nodeTitle(node, true));
          expect(far.fontSize * zoom, `${node.id} at ${zoom}`).toBeGreaterThanOrEqual(FAR_MIN_PX - 0.01);
          expect(wrappedLines(nodeTitle(node, true), far.fontSize, NODE_SIZE[node.kind].width - 40) * far.fontSize * 1.25, `${node.id} whole at ${zoom}`).toBeLessThanOrEqual(height - 10 + 0.01);
        }
      }
    }
    expect(wrapped).toBeGreaterThan(3); // the check is not vacuous: titles do wrap
  });

  it('says a Python branch test in words, as drawn', () => {
    expect(nodeTitle({ kind: 'branch', label: '`attributes["days_since_delivery"] <= 30`', test: 'python' })).toBe('days since delivery ≤ 30');
    expect(nodeTitle({ kind: 'handoff', label: 'Orders team' })).toBe('Hand off to Orders team');
    expect(nodeTitle({ kind: 'handoff', label: 'Orders team' }, true)).toBe('Orders team');
  });

  it('counts lines as words wrap, a long word broken anywhere', () => {
    expect(wrappedLines('short', 13, 200)).toBe(1);
    expect(wrappedLines('a '.repeat(200), 13, 200)).toBeGreaterThan(5);
    expect(wrappedLines('x'.repeat(100), 10, 100)).toBe(Math.ceil((100 * 0.62 * 10) / 100));
  });

  it('asks for a new layout when a title takes another line, not on every keystroke in it', () => {
    const text = readExample('damaged-order.md');
    const key = titleSizesKey(graphOf(text));
    expect(titleSizesKey(graphOf(text.replace('## Resolve', '## Resolvo')))).toBe(key);
    expect(titleSizesKey(graphOf(text.replace('## Resolve', '## Resolve the claim with the customer, whichever way they prefer, today')))).not.toBe(key);
  });
});
