// docs/runtime.md, tools: sub-procedures return to the calling step; a change of topic pauses the
// current Procedure and resumes it when the new one ends; `@switch` leaves it for good.
import { describe, expect, it } from 'vitest';
import { call, conversation, reachedFrame, types } from './support';

const atVerify = () => conversation({ stack: [reachedFrame('step:verify')] });
const atWrapUp = () => conversation({ stack: [reachedFrame('step:wrap-up')] });

describe('sub-procedures', () => {
  it('runs only one the active Procedure calls', () => {
    expect(call('run_subprocedure', { name: 'Damaged order claim' }, atVerify()).outcome).toMatchObject({ isError: true, content: 'Damaged order claim is not a sub-procedure the active Procedure calls.' });
    const decision = call('run_subprocedure', { name: 'Verify identity' }, atVerify());
    expect(decision.state.stack.map((f) => [f.procedure, f.stepId, f.kind])).toEqual([
      ['Refund request', 'step:verify', 'main'],
      ['Verify identity', 'step:send-a-code', 'sub'],
    ]);
    expect(types(decision.events)).toEqual(['procedure_start', 'step_enter']);
  });

  it('returns to the calling step when it ends, and the conversation goes on', () => {
    const inSub = call('run_subprocedure', { name: 'Verify identity' }, atVerify()).state;
    const decision = call('end_procedure', { summary: 'verified' }, inSub);
    expect(decision.state.stack.map((f) => [f.procedure, f.stepId])).toEqual([['Refund request', 'step:verify']]);
    expect(decision.outcome!.content).toBe('Verify identity is complete; back in Refund request at step:verify. Carry on from there.');
    expect(decision.state.outcome).toBeNull();
    expect(types(decision.events)).toEqual(['step_exit', 'procedure_end']);
  });

  it('leaves the conversation open when the last Procedure ends', () => {
    const decision = call('end_procedure', {}, atWrapUp());
    expect(decision.state.stack).toEqual([]);
    expect(decision.state.status).toBe('active');
    expect(decision.state.outcome).toBeNull();
    expect(decision.outcome).toMatchObject({ followUp: 'if-silent' });
    expect(types(decision.events)).toEqual(['step_exit', 'procedure_end']);
  });
});

describe('topics', () => {
  it('pauses the current Procedure for a new topic and resumes it at the same step when that ends', () => {
    const switched = call('start_procedure', { name: 'Cancel subscription', reason: 'new topic' }, atVerify());
    expect(switched.state.paused.map((stack) => stack.map((f) => f.stepId))).toEqual([['step:verify']]);
    expect(switched.state.stack.map((f) => [f.procedure, f.kind])).toEqual([['Cancel subscription', 'main']]);
    expect(types(switched.events)).toEqual(['procedure_pause', 'procedure_start', 'step_enter']);
    const resumed = call('end_procedure', {}, switched.state);
    expect(resumed.state.stack.map((f) => [f.procedure, f.stepId])).toEqual([['Refund request', 'step:verify']]);
    expect(resumed.state.paused).toEqual([]);
    expect(resumed.state.status).toBe('active');
    expect(types(resumed.events)).toContain('procedure_resume');
  });

  it('starts only a Procedure that can start a conversation', () => {
    expect(call('start_procedure', { name: 'Verify identity' }, atVerify()).outcome!.content).toBe('Verify identity is not a Procedure that can be started.');
  });
});

describe('@switch', () => {
  it('leaves the Procedure for good when it says @switch to the new topic', () => {
    const decision = call('start_procedure', { name: 'Damaged order claim' }, conversation({ stack: [reachedFrame('step:understand-the-reason')] }));
    expect(decision.state.paused).toEqual([]);
    expect(decision.state.stack.map((f) => [f.procedure, f.kind])).toEqual([['Damaged order claim', 'switched']]);
    expect(decision.events.find((e) => e.type === 'procedure_end')!.payload).toEqual({ procedure: 'Refund request', summary: 'switched to Damaged order claim' });
    expect(decision.outcome!.content).toBe('Switched to Damaged order claim; Refund request will not resume.');
    // Its end completes the work (nothing was paused); the conversation stays open.
    expect(call('end_procedure', {}, decision.state).events.find((e) => e.type === 'procedure_end')!.payload).toMatchObject({ procedure: 'Damaged order claim', complete: true });
  });
});

describe('steps', () => {
  it('moves within the active Procedure only, and then runs the deterministic part', () => {
    expect(call('go_to_step', { step_id: 'step:send-a-code' }, atVerify()).outcome!.content).toMatch(/^"step:send-a-code" is not a step of Refund request/);
    const verified = conversation({ stack: [{ ...reachedFrame('step:verify'), gates: { '@shop.get_order': 'called', 'step:verify/call:verify-identity': 'done' } }] });
    const decision = call('go_to_step', { step_id: 'step:refund' }, verified);
    expect(decision.state.stack[0]!.stepId).toBe('step:refund');
    expect(decision.effect).toEqual({ kind: 'advance', separator: ' ', followUp: 'from-notes' });
    expect(types(decision.events)).toEqual(['step_exit', 'step_enter']);
  });
});
