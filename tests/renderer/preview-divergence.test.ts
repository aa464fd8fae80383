// Where two preview conversations part, in words a support-ops lead reads: the step where they part,
// and what each side did there in its own Procedure's words (each pane ran on its own text).
import { describe, expect, it } from 'vitest';
import type { PreviewTraceEvent } from '../../shared/api';
import { firstDivergence, sideName, type DivergenceSide } from '../../renderer/src/preview/divergence';
import { traceLabels } from '../../renderer/src/trace/trace-labels';
import { parcelCheck as parcel } from '../fixtures/parcel-check';

const draft: DivergenceSide = { name: 'the draft', labels: traceLabels([['Parcel check', parcel('shipped')]]) };
const live: DivergenceSide = { name: 'the live version', labels: traceLabels([['Parcel check', parcel('lost', '\n## Check again\nLook again with @crm.lookup.\n')]]) };
const sides = { left: draft, right: live };

const trace = (...events: Omit<PreviewTraceEvent, 'index'>[]): PreviewTraceEvent[] => events.map((event, index) => ({ ...event, index }));
const start = [
  { type: 'procedure_start', stepId: 'step:look-it-up', payload: { procedure: 'Parcel check', kind: 'main' } },
  { type: 'step_enter', stepId: 'step:look-it-up', payload: { procedure: 'Parcel check' } },
  { type: 'model_call', stepId: null, payload: { usage: { inputTokens: 5 } } },
  { type: 'tool_call', stepId: 'step:look-it-up', payload: { tool: 'crm__lookup', ok: true } },
  { type: 'step_exit', stepId: 'step:look-it-up', payload: { procedure: 'Parcel check' } },
  { type: 'step_enter', stepId: 'step:decide', payload: { procedure: 'Parcel check' } },
];
const python = (result: boolean) => ({ type: 'condition', stepId: 'step:decide', payload: { kind: 'python', nodeId: 'step:decide/cond1', branchId: 'step:decide/cond1/b1', test: 'x', result } });

describe('where two conversations part', () => {
  it('is nowhere while they take the same path, whatever the wording or the model calls', () => {
    const left = trace(...start, { type: 'agent_message', stepId: null, payload: { text: 'Hello' } });
    const right = trace(start[0]!, start[1]!, start[3]!, start[5]!, { type: 'agent_message', stepId: null, payload: { text: 'Hi there' } });
    expect(firstDivergence(left, right, true, sides)).toBeNull();
  });

  it("says at which step they part and the branch each took, in each Procedure's words", () => {
    const left = trace(...start, python(true), { type: 'handoff', stepId: 'step:decide', payload: { team: 'Orders team' } });
    const right = trace(...start, python(false), { type: 'conversation_end', stepId: 'step:decide', payload: {} });
    expect(firstDivergence(left, right, true, sides)).toEqual({
      left: 6,
      right: 6,
      what: 'Parts at “Decide”: the draft took “status from crm.lookup is ‘shipped’”, the live version took “Otherwise”.',
      full: 'Parts at “Decide”: the draft took “status from crm.lookup is ‘shipped’”, the live version took “Otherwise”.',
    });
  });

  it('says where they go when they enter different steps, and what one did that the other did not', () => {
    const left = trace(...start.slice(0, 5), { type: 'step_enter', stepId: 'step:decide', payload: { procedure: 'Parcel check' } });
    const right = trace(...start.slice(0, 5), { type: 'step_enter', stepId: 'step:check-again', payload: { procedure: 'Parcel check' } });
    expect(firstDivergence(left, right, true, sides)?.what).toBe('Parts after “Look it up”: the draft went to “Decide”, the live version went to “Check again”.');
    // Each side reads its own text's labels: the draft has no such step, so there it is an unknown id.
    expect(firstDivergence(right, left, true, sides)?.what).toBe('Parts after “Look it up”: the draft went to step:check-again (unknown step), the live version went to “Decide”.');
    const handedOff = trace(...start, python(true), { type: 'handoff', stepId: 'step:decide', payload: { team: 'Orders team' } });
    const stopped = trace(...start, python(true));
    expect(firstDivergence(handedOff, stopped, true, sides)).toMatchObject({ left: 7, right: null, what: 'Parts at “Decide”: the draft handed off to Orders team, the live version went no further.' });
    expect(firstDivergence(stopped, handedOff, true, sides)).toMatchObject({ left: null, right: 7, what: 'Parts at “Decide”: the draft went no further, the live version handed off to Orders team.' });
    expect(firstDivergence(handedOff, stopped, false, sides)).toBeNull(); // the other is still running
  });

  it('names actions and refusals as the trace does, and tells two panes on the same text apart by place', () => {
    const left = trace(...start.slice(0, 3), { type: 'tool_call', stepId: 'step:look-it-up', payload: { tool: 'crm__lookup', ok: true } });
    const right = trace(...start.slice(0, 3), { type: 'tool_call', stepId: 'step:look-it-up', payload: { tool: 'end_procedure', ok: false } });
    expect(firstDivergence(left, right, true, { left: draft, right: { ...draft } })?.what).toBe('Parts at “Look it up”: the left pane called crm.lookup, the right pane asked to end the Procedure (refused).');
  });

  it('never crashes on odd payloads or without labels, and cuts long names (whole in `full`)', () => {
    const odd = trace({ type: 'condition', stepId: null, payload: { nodeId: 3, branchId: { a: 1 }, result: 'maybe' } });
    const other = trace({ type: 'handoff', stepId: null, payload: { team: ['x'] } });
    expect(firstDivergence(odd, other)?.what).toMatch(/^They part: the left pane took .*, the right pane handed off/);
    const long = 'Ask the customer for the order number and look the order up in the shop';
    const text = `---\nname: L\ntrigger: t\n---\n\n## ${long}\nSay hi.\n\n## B\nSay bye.\n\n## C\nSay so.\n`;
    const side = { name: 'the draft', labels: traceLabels([['L', text]]) };
    const enter = (stepId: string) => ({ type: 'step_enter', stepId, payload: { procedure: 'L' } });
    const first = [{ type: 'procedure_start', stepId: null, payload: { procedure: 'L' } }, enter('step:ask-the-customer-for-the-order-number-and-look-the-order-up-in-the-shop')];
    const found = firstDivergence(trace(...first, enter('step:b')), trace(...first, enter('step:c')), true, { left: side, right: { ...side, name: 'the live version' } });
    expect(found?.what).toMatch(/^Parts after “Ask the customer.*…”: the draft went to “B”, the live version went to “C”\.$/);
    expect(found?.full).toBe(`Parts after “${long}”: the draft went to “B”, the live version went to “C”.`);
  });

  it('names each pane by what it talks to', () => {
    expect(sideName({ kind: 'draft', name: 'x' })).toBe('the draft');
    expect(sideName({ kind: 'version', name: 'x', version: 'live' })).toBe('the live version');
    expect(sideName({ kind: 'version', name: 'x', version: 3 })).toBe('version 3');
    expect(sideName({ kind: 'text', name: 'x', text: '' })).toBe("the editor's text");
    expect(sideName({ kind: 'workspace' })).toBe('the workspace');
    expect(sideName(undefined)).toBe('this pane');
  });
});
