// docs/runtime.md, the end of a Procedure: `@end` completes the Procedure, never the conversation.
// With nothing to return to or resume, the conversation stays open (waiting), the model may still
// reply in the same turn, and the next customer message finds no active Procedure, so it is routed
// afresh instead of resuming what ended.
import { describe, expect, it } from 'vitest';
import { endsAllProcedures } from '../../../main/runtime/frames';
import { closeTurn, openTurn } from '../../../main/runtime/turn-rules';
import { call, conversation, frame, policy, PROCEDURES, types } from './support';

const atDamage = () => conversation({ stack: [frame('Damaged order claim', 'step:understand-the-damage')], said: 'The lid is cracked' });

describe('the end of the last active Procedure', () => {
  it('completes the Procedure and leaves the conversation open, with no outcome', () => {
    const decision = call('end_procedure', { summary: 'Claim recorded.' }, atDamage());
    expect(decision.state.stack).toEqual([]);
    expect(decision.state.outcome).toBeNull();
    expect(decision.state.status).toBe('active');
    expect(types(decision.events)).toEqual(['step_exit', 'procedure_end']);
    expect(decision.events[1]!.payload).toEqual({ procedure: 'Damaged order claim', summary: 'Claim recorded.', complete: true });
    expect(decision.outcome).toMatchObject({ followUp: 'if-silent' });
    expect(decision.outcome!.final).toBeUndefined();
    expect(decision.outcome!.content).toMatch(/^Damaged order claim is complete and no Procedure is active now\. The conversation stays open/);
  });

  it('lets the model reply in the same turn, and the turn closes as waiting', () => {
    const ended = call('end_procedure', {}, atDamage()).state;
    const replied = call('reply', { message: 'Your claim is in. Anything else?' }, ended);
    expect(replied.replies).toEqual(['Your claim is in. Anything else?']);
    const closed = closeTurn(replied.state, true, [], { procedures: PROCEDURES, policy });
    expect(closed.state).toMatchObject({ status: 'waiting', outcome: null, stack: [] });
    expect(types(closed.events)).toEqual([]);
  });

  it('the next customer message opens a turn with no Procedure active, so it is routed afresh', () => {
    const ended = closeTurn(call('end_procedure', {}, atDamage()).state, true, [], { procedures: PROCEDURES, policy }).state;
    const opened = openTurn(ended, 'Also, I want to cancel my subscription', { policy, procedures: PROCEDURES });
    expect(opened.escalated).toBe(false);
    expect(opened.change.state).toMatchObject({ status: 'active', outcome: null, stack: [], paused: [] });
    // The ended Procedure is not a paused topic: ending "again" finds nothing to end.
    expect(call('end_procedure', {}, opened.change.state).outcome).toMatchObject({ isError: true, content: 'No Procedure is active.' });
  });
});

describe('ends that are not the last', () => {
  it('a sub-procedure’s end returns to its caller and is not complete', () => {
    const inSub = conversation({ stack: [frame('Refund request', 'step:verify'), frame('Verify identity', 'step:send-a-code', 'sub')] });
    const decision = call('end_procedure', {}, inSub);
    expect(decision.events.find((event) => event.type === 'procedure_end')!.payload).not.toHaveProperty('complete');
    expect(endsAllProcedures(decision.events)).toBe(false);
  });

  it('a topic’s end resumes the paused one and is not complete', () => {
    const state = conversation({ stack: [frame('Cancel subscription', 'step:cancel')], paused: [[frame('Refund request', 'step:verify')]] });
    const decision = call('end_procedure', {}, state);
    expect(decision.state.stack.map((f) => f.procedure)).toEqual(['Refund request']);
    expect(endsAllProcedures(decision.events)).toBe(false);
  });
});

describe('endsAllProcedures', () => {
  const end = (complete: boolean) => ({ type: 'procedure_end', payload: { procedure: 'X', summary: null, ...(complete ? { complete: true } : {}) } });
  it('is true when the trace’s last Procedure event completes every Procedure', () => {
    expect(endsAllProcedures([end(true), { type: 'agent_message', payload: { text: 'Anything else?' } }])).toBe(true);
  });
  it('is false when something started after the end, or nothing ended', () => {
    expect(endsAllProcedures([end(true), { type: 'procedure_start', payload: { procedure: 'Y' } }])).toBe(false);
    expect(endsAllProcedures([end(false)])).toBe(false);
    expect(endsAllProcedures([{ type: 'customer_message', payload: { text: 'hi' } }])).toBe(false);
    // An end of the old kind, without the mark, is not read as complete.
    expect(endsAllProcedures([{ type: 'procedure_end', payload: { procedure: 'X', complete: 'yes' } }])).toBe(false);
  });
});
