// The path a preview conversation took, as edges of the graph (renderer/src/preview/path-edges.ts),
// and as the edges the graph draws (renderer/src/graph/flow.ts: cards hold rows, so an edge from a
// row leaves from its card). Traces are written the way the runtime emits them.
import { describe, expect, it } from 'vitest';
import type { PreviewTraceEvent } from '../../shared/api';
import { parse, toGraph, type ProcedureGraph } from '../../shared/procedure';
import { FlowBuilder } from '../../renderer/src/graph/flow';
import { FlowIdentity } from '../../renderer/src/graph/identity';
import { pathOf } from '../../renderer/src/preview/pane-state';
import { pathEdges, waypointsOf, type PathEdge } from '../../renderer/src/preview/path-edges';
import { parcelCheck as parcel } from '../fixtures/parcel-check';
import { readExample } from '../support/paths';

const graphOf = (text: string) => toGraph(parse(text).document);
const trace = (...events: Omit<PreviewTraceEvent, 'index'>[]): PreviewTraceEvent[] => events.map((event, index) => ({ ...event, index }));
const start = (procedure: string, first: string, kind = 'main') => [
  { type: 'procedure_start', stepId: first, payload: { procedure, version: null, kind } },
  { type: 'step_enter', stepId: first, payload: { procedure, revisit: false } },
];
const enter = (procedure: string, stepId: string, revisit = false) => [{ type: 'step_exit', stepId: null, payload: { procedure } }, { type: 'step_enter', stepId, payload: { procedure, revisit } }];
const python = (step: string, nodeId: string, branchId: string, result: boolean) => ({ type: 'condition', stepId: step, payload: { nodeId, branchId, kind: 'python', test: 't', result, inputs: {} } });
const edges = (graph: ProcedureGraph, events: PreviewTraceEvent[]) => pathEdges(graph, waypointsOf(events)).map((edge) => `${edge.from} -> ${edge.to}`);

describe('the path as edges of the graph', () => {
  it('goes from the trigger through each step, the branch a true Python test took, to the handoff', () => {
    const graph = graphOf(parcel('shipped'));
    const events = trace(
      ...start('Parcel check', 'step:look-it-up'),
      { type: 'customer_message', stepId: null, payload: { text: 'Where is parcel 7?' } },
      { type: 'connector_call', stepId: 'step:look-it-up', payload: { action: 'crm.lookup' } },
      ...enter('Parcel check', 'step:decide'),
      python('step:decide', 'step:decide/cond1', 'step:decide/cond1/b1', true),
      { type: 'handoff', stepId: 'step:decide', payload: { team: 'Orders team', reason: 'r', summary: 's' } },
    );
    expect(edges(graph, events)).toEqual([
      'trigger -> step:look-it-up',
      'step:look-it-up -> step:look-it-up/action:crm.lookup',
      'step:look-it-up/action:crm.lookup -> step:decide',
      'step:decide -> step:decide/cond1',
      'step:decide/cond1 -> step:decide/cond1/b1',
      'step:decide/cond1/b1 -> step:decide/handoff:orders-team',
    ]);
    expect(pathOf(events).waypoints).toEqual(waypointsOf(events));
  });

  it('takes "Otherwise" after the last Python test was false, to the end', () => {
    const graph = graphOf(parcel('lost'));
    const events = trace(
      ...start('Parcel check', 'step:look-it-up'),
      ...enter('Parcel check', 'step:decide'),
      python('step:decide', 'step:decide/cond1', 'step:decide/cond1/b1', false),
      { type: 'procedure_end', stepId: 'step:decide', payload: { procedure: 'Parcel check', summary: 'Told the status.', complete: true } },
      { type: 'conversation_end', stepId: null, payload: { reason: 'done' } },
    );
    const path = edges(graph, events);
    expect(path).toContain('step:decide/cond1 -> step:decide/cond1/b2');
    expect(path).toContain('step:decide/cond1/b2 -> step:decide/end1');
    expect(path).not.toContain('step:decide/cond1 -> step:decide/cond1/b1');
    expect(path.filter((edge) => edge.endsWith('end1'))).toHaveLength(1);
  });

  it('marks nothing past a step the conversation has not reached, nor a branch it has not taken', () => {
    const graph = graphOf(parcel('shipped'));
    const path = edges(graph, trace(...start('Parcel check', 'step:look-it-up')));
    expect(path).toEqual(['trigger -> step:look-it-up']);
    // A Python test still to come, or one that failed, takes no branch.
    const failed = trace(...start('Parcel check', 'step:look-it-up'), ...enter('Parcel check', 'step:decide'), { type: 'condition', stepId: 'step:decide', payload: { nodeId: 'step:decide/cond1', kind: 'python', ok: false, error: {} } });
    expect(edges(graph, failed).some((edge) => edge.includes('/b'))).toBe(false);
  });

  it('follows a plain-language choice, a go-to back to a step, and the Procedure\'s own steps only (not a sub-procedure\'s)', () => {
    const damaged = graphOf(readExample('damaged-order.md'));
    const main = 'Damaged order claim';
    const events = trace(
      ...start(main, 'step:find-the-order'),
      ...enter(main, 'step:check-the-claim-window'),
      python('step:check-the-claim-window', 'step:check-the-claim-window/cond1', 'step:check-the-claim-window/cond1/b1', true),
      ...enter(main, 'step:understand-the-damage'),
      // The agent says no branch applies: the step goes on past the condition.
      { type: 'condition', stepId: 'step:understand-the-damage', payload: { nodeId: 'step:understand-the-damage/cond1', branchId: 'none', kind: 'plain', test: 'None of these', reason: 'no hazard' } },
      ...enter(main, 'step:resolve'),
      // The sub-procedure's steps: one even has the id of a step of the caller's.
      ...start('Verify identity', 'step:send-a-code', 'call'),
      ...enter('Verify identity', 'step:wrap-up'),
      { type: 'procedure_end', stepId: 'step:wrap-up', payload: { procedure: 'Verify identity', summary: 'verified' } },
      python('step:resolve', 'step:resolve/cond1', 'step:resolve/cond1/b1', true),
      ...enter(main, 'step:wrap-up'),
    );
    const path = edges(damaged, events);
    expect(path).toEqual([
      'trigger -> step:find-the-order',
      'step:find-the-order -> step:find-the-order/action:shop.get_order',
      'step:find-the-order/action:shop.get_order -> step:check-the-claim-window',
      'step:check-the-claim-window -> step:check-the-claim-window/code1',
      'step:check-the-claim-window/code1 -> step:check-the-claim-window/cond1',
      'step:check-the-claim-window/cond1 -> step:check-the-claim-window/cond1/b1',
      'step:check-the-claim-window/cond1/b1 -> step:understand-the-damage',
      'step:understand-the-damage -> step:understand-the-damage/cond1',
      'step:understand-the-damage/cond1 -> step:resolve',
      'step:resolve -> step:resolve/call:verify-identity',
      'step:resolve/call:verify-identity -> step:resolve/cond1',
      'step:resolve/cond1 -> step:resolve/cond1/b1',
      'step:resolve/cond1/b1 -> step:resolve/code1',
      'step:resolve/code1 -> step:resolve/action:payments.create_refund',
      'step:resolve/action:payments.create_refund -> step:wrap-up',
    ]);

    // A plain-language branch chosen, then its go-to back to the step.
    const verify = graphOf(readExample('verify-identity.md'));
    const retry = trace(
      ...start('Verify identity', 'step:send-a-code'),
      ...enter('Verify identity', 'step:check-the-code'),
      python('step:check-the-code', 'step:check-the-code/cond1', 'step:check-the-code/cond1/b1', false),
      { type: 'condition', stepId: 'step:check-the-code', payload: { nodeId: 'step:check-the-code/cond1', branchId: 'step:check-the-code/cond1/b3', kind: 'plain', test: 'Otherwise', reason: 'wrong code' } },
      ...enter('Verify identity', 'step:check-the-code', true),
    );
    const retried = edges(verify, retry);
    expect(retried).toContain('step:check-the-code/cond1 -> step:check-the-code/cond1/b3');
    expect(retried).toContain('step:check-the-code/cond1/b3 -> step:check-the-code');
    // b1 was a test that was false, but not the last one: no "Otherwise" is inferred from it.
    expect(retried).not.toContain('step:check-the-code/cond1 -> step:check-the-code/cond1/b1');
    expect(retried).not.toContain('step:check-the-code/cond1 -> step:check-the-code/cond1/b2');
  });

  it('never guesses: a skipped step, a move back, or two equally short ways mark nothing between them', () => {
    const damaged = graphOf(readExample('damaged-order.md'));
    const main = 'Damaged order claim';
    // From the first step straight to the third, then back to the second.
    const jumpy = edges(damaged, trace(...start(main, 'step:find-the-order'), ...enter(main, 'step:understand-the-damage'), ...enter(main, 'step:check-the-claim-window', true)));
    expect(jumpy).toEqual(['trigger -> step:find-the-order']);

    const node = (id: string, kind: ProcedureGraph['nodes'][number]['kind']) => ({ id, kind, label: id, line: 1, span: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } });
    const twoWays: ProcedureGraph = {
      nodes: [node('trigger', 'trigger'), node('a', 'step'), node('a/x', 'action'), node('a/y', 'action'), node('b', 'step'), node('h1', 'handoff'), node('h2', 'handoff')],
      edges: [
        { from: 'trigger', to: 'a', kind: 'flow' },
        { from: 'a', to: 'a/x', kind: 'flow' },
        { from: 'a', to: 'a/y', kind: 'flow' },
        { from: 'a/x', to: 'b', kind: 'flow' },
        { from: 'a/y', to: 'b', kind: 'flow' },
        { from: 'a/x', to: 'h1', kind: 'optional' },
        { from: 'a/y', to: 'h2', kind: 'optional' },
      ],
      unreachableSteps: [],
      deadBlocks: [],
    } as ProcedureGraph;
    for (const handoff of twoWays.nodes.slice(-2)) handoff.label = 'Orders team';
    const events = trace(...start('P', 'a'), ...enter('P', 'b'));
    expect(edges(twoWays, events)).toEqual(['trigger -> a']);
    // Two handoffs to the same team, both one step away: which one is not known.
    expect(edges(twoWays, trace(...start('P', 'a'), { type: 'handoff', stepId: 'a', payload: { team: 'Orders team' } }))).toEqual(['trigger -> a']);
    // Nor when one is nearer than the other: the nearer is not taken for the one.
    twoWays.nodes.push(node('b/z', 'action'));
    twoWays.edges.push({ from: 'a/x', to: 'b/z', kind: 'flow' }, { from: 'b/z', to: 'h2', kind: 'optional' });
    twoWays.edges.splice(twoWays.edges.findIndex((edge) => edge.from === 'a/y' && edge.to === 'h2'), 1);
    expect(edges(twoWays, trace(...start('P', 'a'), { type: 'handoff', stepId: 'a', payload: { team: 'Orders team' } }))).toEqual(['trigger -> a']);
    // With one handoff to that team in reach, its way is marked.
    twoWays.nodes.find((candidate) => candidate.id === 'h2')!.label = 'Safety team';
    expect(edges(twoWays, trace(...start('P', 'a'), { type: 'handoff', stepId: 'a', payload: { team: 'Safety team' } }))).toEqual(['trigger -> a', 'a -> a/x', 'a/x -> b/z', 'b/z -> h2']);
  });
});

describe('the path as the graph draws it', () => {
  const build = (text: string, path: readonly PathEdge[]) => {
    const graph = graphOf(text);
    const ids = new FlowIdentity().update(graph);
    return new FlowBuilder().build({ graph, ids, positions: new Map(), sizes: new Map(), expanded: new Map(), cursorIds: new Set(), errorIds: new Set(), selected: new Set(), path });
  };

  it('marks the cards\' edges the path went along (an edge from a row leaves its card), and no other', () => {
    const text = parcel('shipped');
    const graph = graphOf(text);
    const events = trace(
      ...start('Parcel check', 'step:look-it-up'),
      ...enter('Parcel check', 'step:decide'),
      python('step:decide', 'step:decide/cond1', 'step:decide/cond1/b1', true),
      { type: 'handoff', stepId: 'step:decide', payload: { team: 'Orders team' } },
    );
    const { edges: flowEdges } = build(text, pathEdges(graph, waypointsOf(events)));
    const marked = flowEdges.filter((edge) => edge.className?.includes('on-path')).map((edge) => edge.id);
    expect(marked.sort()).toEqual(
      [
        'trigger->step:look-it-up',
        // The lookup is a row of its step's card: the edge leaves the card.
        'step:look-it-up->step:decide',
        'step:decide->step:decide/cond1',
        'step:decide/cond1->step:decide/cond1/b1',
        'step:decide/cond1/b1->step:decide/handoff:orders-team',
      ].sort(),
    );
    const notTaken = flowEdges.filter((edge) => !edge.className?.includes('on-path'));
    expect(notTaken.map((edge) => edge.id).sort()).toEqual(['step:decide/cond1->step:decide/cond1/b2', 'step:decide/cond1/b2->step:decide/end1']);
    for (const edge of flowEdges) expect(edge.data?.onPath === true).toBe(edge.className!.includes('on-path'));
    // Its own, larger arrowhead.
    expect(flowEdges.find((edge) => edge.id === 'trigger->step:look-it-up')!.markerEnd).not.toEqual(notTaken[0]!.markerEnd);
  });

  it('keeps the same edge objects while the path is the same, and redraws only what it changes', () => {
    const text = parcel('shipped');
    const graph = graphOf(text);
    const ids = new FlowIdentity().update(graph);
    const builder = new FlowBuilder();
    const input = { graph, ids, positions: new Map(), sizes: new Map(), expanded: new Map(), cursorIds: new Set<string>(), errorIds: new Set<string>(), selected: new Set<string>() };
    const first = builder.build({ ...input, path: [{ from: 'trigger', to: 'step:look-it-up' }] }).edges;
    expect(builder.build({ ...input, path: [{ from: 'trigger', to: 'step:look-it-up' }] }).edges).toBe(first);
    const longer = builder.build({ ...input, path: [{ from: 'trigger', to: 'step:look-it-up' }, { from: 'step:look-it-up/action:crm.lookup', to: 'step:decide' }] }).edges;
    expect(longer).not.toBe(first);
    expect(longer.filter((edge, i) => edge !== first[i]).map((edge) => edge.id)).toEqual(['step:look-it-up->step:decide']);
    expect(builder.build({ ...input }).edges.every((edge) => !edge.className?.includes('on-path'))).toBe(true);
  });
});
