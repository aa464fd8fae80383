// docs/runtime.md, escalation: the customer asking for a person, the thresholds checked at the end
// of a turn (connector failures, loops, no progress), handoffs only to named teams, and the
// handoff or switch a Python branch requires.
import { describe, expect, it } from 'vitest';
import { closeTurn, openTurn } from '../../../main/runtime/turn-rules';
import { call, conversation, customerSays, frame, policy, PROCEDURES, reachedFrame, types } from './support';

/** At the refund, where Python chose the branch that hands off to the Billing team. */
const tooMuch = () => conversation({ stack: [{ ...reachedFrame('step:refund', 'step:refund (allowed)'), gates: { ...reachedFrame('step:refund', 'step:refund (allowed)').gates, 'step:refund/cond1': 'step:refund/cond1/b1' } }] });

const close = (state: ReturnType<typeof conversation>, progressed = false, obligations: Parameters<typeof closeTurn>[2] = []) =>
  closeTurn(state, progressed, obligations, { procedures: PROCEDURES, policy });

const withProgress = (progress: Partial<ReturnType<typeof conversation>['progress']>, turn = 5) => {
  const state = conversation({ turn });
  return { ...state, progress: { ...state.progress, lastProgressTurn: turn, ...progress } };
};

describe('the customer asks for a person', () => {
  it('escalates at once, tells the customer, and needs no model call', () => {
    const opened = openTurn(conversation({ turn: 0 }), 'Can I talk to a real person please?', { policy, procedures: PROCEDURES });
    expect(opened.escalated).toBe(true);
    expect(opened.change.state.status).toBe('escalated');
    expect(opened.change.state.outcome).toMatchObject({ kind: 'escalated', reason: 'customer_asked_for_human', team: policy.team });
    expect(opened.change.replies).toEqual([policy.customerMessage]);
    expect(opened.change.state.transcript.map((line) => line.role)).toEqual(['customer', 'agent']);
  });

  it('opens an ordinary turn otherwise', () => {
    const opened = openTurn(conversation({ turn: 0 }), 'My kettle is broken', { policy, procedures: PROCEDURES });
    expect(opened.escalated).toBe(false);
    expect(opened.change.state).toMatchObject({ turn: 1, status: 'active', outcome: null });
    expect(types(opened.change.events)).toEqual(['customer_message']);
  });
});

describe('thresholds at the end of a turn', () => {
  it('escalates after `connectorFailures` failures in a row, not before', () => {
    expect(close(withProgress({ connectorFailures: policy.connectorFailures - 1 })).state.status).toBe('waiting');
    const closed = close(withProgress({ connectorFailures: policy.connectorFailures }));
    expect(closed.state.outcome).toMatchObject({ kind: 'escalated', reason: 'connector_failures' });
    expect(closed.replies).toEqual([policy.customerMessage]);
  });

  it('escalates a loop after `repeatThreshold` strikes', () => {
    expect(close(withProgress({ loopStrikes: policy.repeatThreshold - 1 })).state.outcome).toBeNull();
    expect(close(withProgress({ loopStrikes: policy.repeatThreshold })).state.outcome).toMatchObject({ reason: 'loop' });
  });

  it('escalates after `noProgressTurns` turns without progress, unless this turn moved forward', () => {
    const idle = withProgress({ lastProgressTurn: 5 - policy.noProgressTurns });
    expect(close(idle).state.outcome).toMatchObject({ reason: 'no_progress' });
    const moved = close(idle, true);
    expect(moved.state.outcome).toBeNull();
    expect(moved.state.progress.lastProgressTurn).toBe(5);
    expect(close(withProgress({ lastProgressTurn: 5 - policy.noProgressTurns + 1 })).state.outcome).toBeNull();
  });

  it('counts a revisit of a step with nothing new as a loop strike, and a repeated reply too', () => {
    const state = conversation({ turn: 3, stack: [reachedFrame('step:verify')] });
    const visited = { ...state, visited: [{ procedure: 'Refund request', stepId: 'step:find-the-order', turn: 1 }], progress: { ...state.progress, lastProgressTurn: 1 } };
    expect(call('go_to_step', { step_id: 'step:find-the-order' }, visited).state.progress.loopStrikes).toBe(1);
    expect(call('go_to_step', { step_id: 'step:refund' }, visited).state.progress.loopStrikes).toBe(0);
    const replied = { ...state, transcript: [{ role: 'agent' as const, text: 'What is your order number?', turn: 2 }] };
    expect(call('reply', { message: 'What is your order number?' }, replied).state.progress.loopStrikes).toBe(1);
    expect(call('reply', { message: 'Thanks!' }, replied).state.progress.loopStrikes).toBe(0);
  });
});

describe('handoffs and escalation by the model', () => {
  it('hands off only to a team the active Procedure names', () => {
    expect(call('handoff', { team: 'Legal', summary: 's' }, conversation()).outcome!.content).toBe('The active Procedure does not hand off to "Legal". Use escalate to reach a person otherwise.');
    const decision = call('handoff', { team: 'billing team', summary: 'Over 100' }, tooMuch());
    expect(decision.state.outcome).toEqual({ kind: 'handed_off', reason: 'procedure', team: 'billing team', summary: 'Over 100' });
    expect(decision.outcome).toMatchObject({ final: true });
  });

  it('escalates to the policy’s team when the model asks, and tells the customer when the model has not replied in this turn', () => {
    const decision = call('escalate', { reason: 'stuck', summary: 'Going in circles' }, conversation({ said: 'asdf' }));
    expect(decision.state.outcome).toMatchObject({ kind: 'escalated', reason: 'stuck', team: policy.team });
    expect(decision.replies).toEqual([policy.customerMessage]);
    expect(decision.state.transcript.at(-1)).toEqual({ role: 'agent', text: policy.customerMessage, turn: 1 });
    expect(types(decision.events)).toEqual(['escalation', 'agent_message']);
  });

  it('sends no second message when the model already replied in this turn', () => {
    const replied = call('reply', { message: 'Let me get someone who can help.' }, conversation({ said: 'asdf' })).state;
    const decision = call('escalate', { reason: 'stuck', summary: 'Going in circles' }, replied);
    expect(decision.state.status).toBe('escalated');
    expect(decision.replies).toEqual([]);
    expect(decision.state.transcript.filter((line) => line.role === 'agent')).toHaveLength(1);
  });

  it('still tells the customer when the model’s only reply was in an earlier turn', () => {
    const earlier = call('reply', { message: 'What is your order number?' }, conversation({ said: 'hi' })).state;
    const decision = call('escalate', { reason: 'other', summary: 'Unclear' }, customerSays(earlier, 'asdf'));
    expect(decision.replies).toEqual([policy.customerMessage]);
  });
});

describe('what a Python branch requires', () => {
  it('makes the handoff the model did not make', () => {
    const closed = close(conversation({ stack: [frame('Refund request', 'step:refund')] }), true, [{ kind: 'handoff', target: 'Billing team', nodeId: 'n1' }]);
    expect(closed.state.outcome).toMatchObject({ kind: 'handed_off', reason: 'required by the Procedure', team: 'Billing team' });
    expect(types(closed.events)).toEqual(['enforced', 'handoff']);
  });

  it('makes the switch the model did not make, and leaves the Procedure for good', () => {
    const closed = close(conversation({ stack: [frame('Refund request', 'step:understand-the-reason')] }), true, [{ kind: 'switch', target: 'Damaged order claim', nodeId: 'n2' }]);
    expect(closed.state.stack.map((f) => [f.procedure, f.kind])).toEqual([['Damaged order claim', 'switched']]);
    expect(closed.state.status).toBe('waiting');
    expect(types(closed.events)[0]).toBe('enforced');
  });

  it('leaves alone an outcome the model already reached', () => {
    const handedOff = call('handoff', { team: 'Billing team', summary: 's' }, tooMuch()).state;
    const closed = close(handedOff, true, [{ kind: 'handoff', target: 'Billing team', nodeId: 'n1' }]);
    expect(closed.events).toEqual([]);
  });
});
