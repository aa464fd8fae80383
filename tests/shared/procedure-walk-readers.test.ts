// The three readers of a trace that need to know which Procedure an event happened in (the
// preview's path on the graph, step coverage, the trace timeline's labels) read it with the one
// walk of shared/trace, so they agree: here on traces the runtime can leave behind, a
// sub-procedure whose end was never recorded and a topic that paused the conversation's Procedure.
import { describe, expect, it } from 'vitest';
import type { PreviewTraceEvent } from '../../shared/api';
import { parse, toGraph, type GraphNode } from '../../shared/procedure';
import { visitsOf } from '../../main/simulations/coverage';
import { pathEdges, waypointsOf } from '../../renderer/src/preview/path-edges';
import { proceduresOf } from '../../renderer/src/trace/trace-labels';
import { readExample } from '../support/paths';

const MAIN = 'Damaged order claim';
const damaged = toGraph(parse(readExample('damaged-order.md')).document);
const graphs = (name: string): GraphNode[] | null => (name === MAIN ? damaged.nodes : null);

const trace = (...events: Omit<PreviewTraceEvent, 'index'>[]): PreviewTraceEvent[] => events.map((event, index) => ({ ...event, index }));
const start = (procedure: string, first: string, kind = 'main') => [
  { type: 'procedure_start', stepId: first, payload: { procedure, version: null, kind } },
  { type: 'step_enter', stepId: first, payload: { procedure, revisit: false } },
];
const enter = (procedure: string, stepId: string, revisit = false) => [{ type: 'step_exit', stepId: null, payload: { procedure } }, { type: 'step_enter', stepId, payload: { procedure, revisit } }];
const python = (step: string, result: boolean) => ({ type: 'condition', stepId: step, payload: { nodeId: `${step}/cond1`, branchId: `${step}/cond1/b1`, kind: 'python', test: 't', result, inputs: {} } });
const edges = (events: PreviewTraceEvent[]) => pathEdges(damaged, waypointsOf(events)).map((edge) => `${edge.from} -> ${edge.to}`);

describe('the readers of a trace agree on where each event happened', () => {
  it('after a sub-procedure whose end was never recorded, the caller\'s next step puts them back in the caller', () => {
    const events = trace(
      ...start(MAIN, 'step:find-the-order'),
      ...enter(MAIN, 'step:resolve'),
      ...start('Verify identity', 'step:send-a-code', 'sub'),
      // Verify identity's procedure_end is missing; the caller goes back to check the window.
      ...enter(MAIN, 'step:check-the-claim-window', true),
      python('step:check-the-claim-window', false),
      { type: 'handoff', stepId: 'step:check-the-claim-window', payload: { team: 'Claims team' } },
    );
    // The timeline: the condition and the handoff are the caller's.
    expect(proceduresOf(events).slice(-3)).toEqual([MAIN, MAIN, MAIN]);
    // Coverage: the "Otherwise" after the false test is counted for the caller.
    const visits = visitsOf(events, graphs).get(MAIN)!;
    expect(visits.get('step:check-the-claim-window/cond1/b2')).toBe(1);
    expect(visits.get('step:check-the-claim-window')).toBe(1);
    // The path: from the step back in the caller, through "Otherwise", to the Claims team.
    expect(edges(events)).toEqual(
      expect.arrayContaining([
        'step:check-the-claim-window/cond1 -> step:check-the-claim-window/cond1/b2',
        'step:check-the-claim-window/cond1/b2 -> step:check-the-claim-window/handoff:claims-team',
      ]),
    );
  });

  it('leaves a topic\'s steps out of the paused Procedure, and takes up the paused Procedure after it', () => {
    const events = trace(
      ...start(MAIN, 'step:find-the-order'),
      ...enter(MAIN, 'step:check-the-claim-window'),
      { type: 'procedure_pause', stepId: 'step:check-the-claim-window', payload: { procedure: MAIN, reason: 'opening hours' } },
      // The topic has a step (and a condition) with the ids of the paused Procedure's.
      ...start('Opening hours', 'step:resolve'),
      python('step:check-the-claim-window', true),
      { type: 'procedure_end', stepId: 'step:resolve', payload: { procedure: 'Opening hours', summary: null } },
      { type: 'procedure_resume', stepId: 'step:check-the-claim-window', payload: { procedure: MAIN } },
      python('step:check-the-claim-window', true),
    );
    const places = proceduresOf(events);
    expect(places.slice(5, 8)).toEqual(['Opening hours', 'Opening hours', 'Opening hours']);
    expect(places.at(-1)).toBe(MAIN);
    const visits = visitsOf(events, graphs);
    expect(visits.get(MAIN)?.has('step:resolve')).toBe(false);
    expect(visits.get(MAIN)?.get('step:check-the-claim-window/cond1/b1')).toBe(1);
    expect(visits.get('Opening hours')?.get('step:check-the-claim-window/cond1/b1')).toBe(1);
    const path = edges(events);
    expect(path.some((edge) => edge.endsWith('step:resolve'))).toBe(false);
    expect(path).toContain('step:check-the-claim-window/cond1 -> step:check-the-claim-window/cond1/b1');
  });
});
