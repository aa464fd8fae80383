// The graph's pure parts: React Flow ids that outlive renames, objects and arrays reused when
// nothing changed, the ELK graph laid out top to bottom with expanded sub-procedures inside their
// node, and the cursor's highlight.
import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { parse, toGraph } from '../../shared/procedure';
import { cursorIds, FlowBuilder, UNPLACED } from '../../renderer/src/graph/flow';
import { FlowIdentity } from '../../renderer/src/graph/identity';
import { placements, toElk } from '../../renderer/src/graph/layout';
import { viewGraph } from '../../renderer/src/graph/view-graph';
import { placeNewNodes, structureKey, type Expansion } from '../../renderer/src/graph/structure';
import { readExample } from '../support/paths';

const damaged = readExample('damaged-order.md');
const verify = readExample('verify-identity.md');
const graphOf = (text: string) => toGraph(parse(text).document);

function build(builder: FlowBuilder, identity: FlowIdentity, text: string, extra: { expanded?: Map<string, Expansion>; selected?: Set<string> } = {}) {
  const graph = graphOf(text);
  const ids = identity.update(graph);
  return { graph, ids, ...builder.build({ graph, ids, positions: new Map(), sizes: new Map(), expanded: extra.expanded ?? new Map(), cursorIds: new Set(), errorIds: new Set(), selected: extra.selected ?? new Set() }) };
}

const layout = async (graph: ReturnType<typeof graphOf>, expanded = new Map<string, Expansion>()) => placements(await new ELK().layout(toElk(graph, expanded)));

describe('flow ids', () => {
  it('stay the same while a step is renamed, for the step and everything in it', () => {
    const identity = new FlowIdentity();
    const before = identity.update(graphOf(damaged));
    const renamedText = damaged.replace('## Check the claim window', '## Check the claim window again');
    const after = identity.update(graphOf(renamedText));
    expect(after.get('step:check-the-claim-window-again')).toBe(before.get('step:check-the-claim-window'));
    expect(after.get('step:check-the-claim-window-again/code1')).toBe('step:check-the-claim-window/code1');
    expect(after.get('step:find-the-order')).toBe('step:find-the-order');
    expect(new Set(after.values()).size).toBe(after.size); // never two nodes with one id
  });

  it('go to new nodes by their own id', () => {
    const identity = new FlowIdentity();
    identity.update(graphOf(damaged));
    const ids = identity.update(graphOf(`${damaged}\n## Follow up\nAsk how it went. @end\n`));
    expect(ids.get('step:follow-up')).toBe('step:follow-up');
  });
});

describe('FlowBuilder', () => {
  it('changes nothing React Flow sees while a title is typed: same node objects, same arrays', () => {
    const builder = new FlowBuilder();
    const identity = new FlowIdentity();
    const first = build(builder, identity, damaged.replace('## Resolve', '## Resolve i'));
    const second = build(builder, identity, damaged.replace('## Resolve', '## Resolve it'));
    expect(second.nodes).toBe(first.nodes);
    expect(second.edges).toBe(first.edges);
    // The label travels on the live channel, under the unchanged flow id.
    const flowId = second.ids.get('step:resolve-it')!;
    expect(flowId).toBe(first.ids.get('step:resolve-i'));
    expect(second.live.get(flowId)).toMatchObject({ label: 'Resolve it', graphId: 'step:resolve-it' });
  });

  it('makes new objects only for what changed', () => {
    const builder = new FlowBuilder();
    const identity = new FlowIdentity();
    const first = build(builder, identity, damaged);
    const selected = build(builder, identity, damaged, { selected: new Set(['step:resolve']) });
    const changed = selected.nodes.filter((node, index) => node !== first.nodes[index]).map((node) => node.id);
    expect(changed).toEqual(['step:resolve']);
    expect(selected.edges).toBe(first.edges);
  });

  it('leaves branch edges unlabelled (the branch card says its test) and draws an expanded sub-procedure inside its node', () => {
    const builder = new FlowBuilder();
    const identity = new FlowIdentity();
    const plain = build(builder, identity, damaged);
    const branch = plain.edges.find((edge) => edge.target === 'step:check-the-claim-window/cond1/b1');
    expect(branch).toBeDefined();
    expect(branch?.label).toBeUndefined();
    expect(plain.live.get('step:check-the-claim-window/cond1/b1')?.label).toMatch(/^`attributes\["days_since_delivery"\] <= 30`$/);
    const call = plain.graph.nodes.find((node) => node.kind === 'subprocedure')!;
    // Folded, the call is a row of its step's card; expanded, a node holding the called Procedure.
    expect(plain.nodes.some((node) => node.id === call.id)).toBe(false);
    expect(plain.nodes.find((node) => node.id === call.stepId)?.data.rows?.map((row) => row.id)).toContain(call.id);
    const expanded = build(builder, identity, damaged, { expanded: new Map([[call.id, { graph: graphOf(verify) }]]) });
    const inner = expanded.nodes.filter((node) => node.parentId === call.id);
    const innerCards = viewGraph(graphOf(verify)).nodes.length;
    expect(inner.length).toBe(innerCards);
    expect(inner.every((node) => node.data.foreign && !node.draggable)).toBe(true);
    expect(expanded.nodes.findIndex((node) => node.id === call.id)).toBeLessThan(expanded.nodes.indexOf(inner[0]!));
  });

  it('draws edges along the routes of the layout, and keeps them while a title is typed', () => {
    const builder = new FlowBuilder();
    const identity = new FlowIdentity();
    const graph = graphOf(damaged);
    const ids = identity.update(graph);
    const route = { points: [{ x: 0, y: 0 }, { x: 0, y: 40 }] };
    const routes = new Map([['trigger->step:find-the-order', route]]);
    const input = { graph, ids, positions: new Map(), sizes: new Map(), expanded: new Map(), cursorIds: new Set<string>(), errorIds: new Set<string>(), selected: new Set<string>(), routes };
    const first = builder.build(input);
    const edge = first.edges.find((candidate) => candidate.id === 'trigger->step:find-the-order');
    expect(edge?.type).toBe('routed');
    expect(edge?.data?.route).toBe(route);
    const typed = graphOf(damaged.replace('## Resolve', '## Resolve it'));
    const second = builder.build({ ...input, graph: typed, ids: identity.update(typed) });
    expect(second.edges).toBe(first.edges);
  });
});

describe('layout', () => {
  it('lays the flow out top to bottom, with a called Procedure inside its node', async () => {
    const graph = graphOf(damaged);
    const call = graph.nodes.find((node) => node.kind === 'subprocedure')!;
    const expanded = new Map([[call.id, { graph: graphOf(verify) }]]);
    const placed = (await layout(graph, expanded)).nodes;
    const y = (id: string) => placed.get(id)!.y;
    expect(y('trigger')).toBeLessThan(y('step:find-the-order'));
    expect(y('step:find-the-order')).toBeLessThan(y('step:check-the-claim-window'));
    expect(y('step:check-the-claim-window')).toBeLessThan(y('step:resolve'));
    const box = placed.get(call.id)!;
    const child = placed.get(`${call.id}::step:check-the-code`)!;
    expect(child.parent).toBe(call.id);
    expect(child.x + child.width).toBeLessThanOrEqual(box.width);
    expect(child.y + child.height).toBeLessThanOrEqual(box.height);
  });

  it('needs a new layout when the structure changes, not when a title does', () => {
    const none = new Map<string, Expansion>();
    const key = structureKey(graphOf(damaged), none);
    expect(structureKey(graphOf(damaged.replace('## Resolve', '## Settle it')), none)).toBe(key);
    expect(structureKey(graphOf(damaged.replace('## Wrap up', '## Extra\nSay more.\n\n## Wrap up')), none)).not.toBe(key);
  });

  it('puts a new node next to where it comes from until the layout answers', () => {
    const old = graphOf(damaged);
    const placed = new Map(old.nodes.map((node, index) => [node.id, { x: index * 100, y: 40 }]));
    const graph = graphOf(damaged.replace('## Wrap up', '## Follow up\nAsk how it went.\n\n## Wrap up'));
    const ids = new FlowIdentity().update(graph);
    const positions = placeNewNodes(graph, ids, placed);
    const from = graph.edges.find((edge) => edge.to === 'step:follow-up')!;
    expect(positions.get('step:follow-up')).toEqual({ x: placed.get(from.from)!.x, y: 40 + 90 });
    expect(positions.get('step:resolve')).toBe(placed.get('step:resolve')); // the others stay where they were
  });
});

describe('cursor highlight', () => {
  it('is the step the cursor is in and the node on its line', () => {
    const graph = graphOf(damaged);
    const line = damaged.split('\n').findIndex((text) => text.includes('@shop.get_order')) + 1;
    const ids = cursorIds(graph, line);
    expect(ids.has('step:find-the-order')).toBe(true);
    expect(ids.has('step:find-the-order/action:shop.get_order')).toBe(true);
    expect(cursorIds(graph, 2)).toEqual(new Set(['trigger']));
  });
});

describe('a node ELK has not placed', () => {
  it('is not shown, nor its edges, until the layout gives it a place; a placed node keeps its placed size', () => {
    const builder = new FlowBuilder();
    const graph = graphOf(verify);
    const ids = new FlowIdentity().update(graph);
    const input = { graph, ids, positions: new Map(), expanded: new Map(), cursorIds: new Set<string>(), errorIds: new Set<string>(), selected: new Set<string>() };
    const before = builder.build({ ...input, sizes: new Map() });
    expect(before.nodes.length).toBeGreaterThan(2);
    for (const node of before.nodes) expect(node.className).toBe(UNPLACED);
    for (const edge of before.edges) expect(edge.className).toContain(UNPLACED);
    // The layout places all but the last node, at a size of its own.
    const placedIds = before.nodes.slice(0, -1).map((node) => node.id);
    const sizes = new Map(placedIds.map((id, i) => [id, { x: 0, y: i * 200, width: 300, height: 150 }]));
    const after = builder.build({ ...input, sizes });
    for (const node of after.nodes) {
      if (sizes.has(node.id)) {
        expect(node.className).toBeUndefined();
        expect(node.height).toBe(150);
      } else expect(node.className).toBe(UNPLACED);
    }
    const last = before.nodes[before.nodes.length - 1]!.id;
    for (const edge of after.edges) expect(edge.className?.includes(UNPLACED)).toBe(edge.source === last || edge.target === last);
  });
});
