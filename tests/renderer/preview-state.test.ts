// The preview's pure parts: a pane folded from its events (streamed text, trace, a stopped turn
// dropped), the path for the graph, and model usage (where two conversations part: preview-divergence;
// events in words: trace-describe).
import { describe, expect, it } from 'vitest';
import type { PreviewStatus, PreviewTraceEvent } from '../../shared/api';
import { applyPaneEvent, pathOf, transcriptOf, type PaneState } from '../../renderer/src/preview/pane-state';
import { pathStyle } from '../../renderer/src/preview/path-style';
import { parseAttributes } from '../../renderer/src/preview/usePreviewPane';
import { usageTotals } from '../../renderer/src/trace/describe-event';

const status = (extra: Partial<PreviewStatus> = {}): PreviewStatus => ({ running: false, queued: [], conversationStatus: 'active', outcome: null, error: null, traceLength: 0, ...extra });
let counter = 0;
const ev = (type: string, payload: Record<string, unknown> = {}, stepId: string | null = null, index = counter++): PreviewTraceEvent => ({ index, type, stepId, payload });
const trace = (...events: Omit<PreviewTraceEvent, 'index'>[]) => events.map((event, index) => ({ ...event, index }));

describe('a preview pane folded from its events', () => {
  const empty: PaneState = { sessionId: 's', conversationId: 1, trace: [], streaming: null, status: status() };

  it('shows the reply as it streams, drops withdrawn text, and clears it when the message lands', () => {
    let state = applyPaneEvent(empty, { kind: 'reply', text: 'Your ord', withdrawn: false });
    expect(state.streaming).toBe('Your ord');
    expect(applyPaneEvent(state, { kind: 'reply', text: 'Your ord', withdrawn: true }).streaming).toBeNull();
    state = applyPaneEvent(state, { kind: 'trace', event: { index: 0, type: 'agent_message', stepId: null, payload: { text: 'Your order shipped.' } } });
    expect(state.streaming).toBeNull();
    expect(transcriptOf(state.trace)).toEqual([{ role: 'agent', text: 'Your order shipped.', index: 0 }]);
  });

  it('adds each event once, and a stopped turn takes its events away', () => {
    let state = empty;
    for (let index = 0; index < 5; index++) state = applyPaneEvent(state, { kind: 'trace', event: { index, type: index === 2 ? 'customer_message' : 'step_enter', stepId: 'a', payload: { text: 'Hi' } } });
    state = applyPaneEvent(state, { kind: 'trace', event: { index: 3, type: 'step_enter', stepId: 'dup', payload: {} } });
    expect(state.trace.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
    expect(state.trace[3]!.stepId).toBe('a');
    state = applyPaneEvent(state, { kind: 'status', status: status({ traceLength: 2, error: 'Stopped' }) });
    expect(state.trace).toHaveLength(2);
    expect(transcriptOf(state.trace)).toEqual([]);
  });

  it('gives the path: steps gone through in order, and the one it is at', () => {
    const path = pathOf(trace({ type: 'step_enter', stepId: 'a', payload: {} }, { type: 'step_enter', stepId: 'b', payload: {} }, { type: 'step_enter', stepId: 'a', payload: { revisit: true } }));
    expect(path).toEqual({ visited: ['a', 'b'], active: 'a', waypoints: [] });
    expect(pathOf(trace({ type: 'step_enter', stepId: 'a', payload: {} }, { type: 'procedure_end', stepId: 'a', payload: { complete: true } })).active).toBeNull();
    // A sub-procedure's end returns to the caller: a step stays active.
    expect(pathOf(trace({ type: 'step_enter', stepId: 'a', payload: {} }, { type: 'procedure_end', stepId: 'x', payload: { procedure: 'Sub' } })).active).toBe('a');
  });

  it('writes the path as style rules over the graph nodes, escaping ids', () => {
    const css = pathStyle('[data-preview-path]', { visited: ['look-it-up', 'we"ird'], active: 'look-it-up' });
    expect(css).toContain('[data-preview-path] [data-node-id="look-it-up"]');
    expect(css).toContain('[data-node-id="we\\"ird"]');
    expect(css.match(/--sw-warning/)).not.toBeNull();
    expect(pathStyle('[x]', { visited: [], active: null })).toBe('');
  });
});

describe('starting attributes as typed', () => {
  it('reads a JSON object, and names what is wrong otherwise', () => {
    expect(parseAttributes('')).toEqual({ ok: true, value: {} });
    expect(parseAttributes('{"order_id": "7", "vip": true}')).toEqual({ ok: true, value: { order_id: '7', vip: true } });
    expect(parseAttributes('[1]')).toMatchObject({ ok: false, message: expect.stringContaining('must be a JSON object') });
    expect(parseAttributes('{order_id: 7}')).toMatchObject({ ok: false, message: expect.stringContaining('not valid JSON') });
  });
});

describe('model usage over a trace', () => {
  it('adds up model usage and cost over the trace', () => {
    const events = [ev('model_call', { usage: { inputTokens: 100, outputTokens: 20 }, costUsd: 0.01 }), ev('model_call', { ok: false, error: 'x' }), ev('model_call', { usage: { inputTokens: 50, outputTokens: 5 }, costUsd: null })];
    expect(usageTotals(events)).toEqual({ calls: 2, inputTokens: 150, outputTokens: 25, costUsd: 0.01, unpriced: 1 });
  });
});
