// docs/runtime.md, when the model fails and resuming after an outage, and the knowledge search's
// trace: pure steps, without a model server.
import { describe, expect, it } from 'vitest';
import { applySearchResult } from '../../../main/runtime/apply-tool';
import { begin } from '../../../main/runtime/change';
import { handOffOnFailure, mayResumeAfterOutage } from '../../../main/runtime/outage';
import { openTurn } from '../../../main/runtime/turn-rules';
import type { ModelFault } from '../../../main/model/faults';
import { call, conversation, deepFreeze, frame, policy, PROCEDURES, types } from './support';

const dropped: ModelFault = { kind: 'dropped', phase: 'response', status: undefined, detail: 'terminated' };
const refused: ModelFault = { kind: 'refused', phase: 'request', status: 401, detail: 'invalid x-api-key' };

function failedTurn(fault: ModelFault, reachedModel = false) {
  const opened = openTurn(conversation({ turn: 2, stack: [frame('Refund request', 'step:verify')] }), 'Are you there?', { policy, procedures: PROCEDURES });
  handOffOnFailure(opened.change, { fault, status: fault.status, message: fault.detail }, policy, { earlier: opened.earlier, current: 'Are you there?', reachedModel });
  return deepFreeze(opened.change);
}

describe('a model outage', () => {
  it('hands off with the reason, tells the customer, and keeps where the conversation stood', () => {
    const change = failedTurn(dropped);
    expect(change.state.outcome).toMatchObject({ kind: 'handed_off', reason: 'model unavailable: terminated', team: policy.team });
    expect(change.state.outage).toMatchObject({ turn: 3, fault: 'dropped', procedure: 'Refund request', stepId: 'step:verify', resumable: true, unanswered: ['Are you there?'] });
    expect(change.state.stack.map((f) => f.stepId)).toEqual(['step:verify']);
    expect(change.replies).toEqual([policy.customerMessage]);
    expect(types(change.events)).toEqual(['customer_message', 'model_outage', 'handoff', 'agent_message']);
    // Not the agent's lack of progress, and the runtime's notice is no repeated reply.
    expect(change.state.progress).toMatchObject({ lastProgressTurn: 3, loopStrikes: 0 });
  });

  it('owes nothing the model already received', () => {
    expect(failedTurn(dropped, true).state.outage!.unanswered).toEqual([]);
  });

  it('re-opens on the next message at the same step, handing over every message the model missed', () => {
    const failed = failedTurn(dropped).state;
    expect(mayResumeAfterOutage(failed, policy)).toBe(true);
    const reopened = openTurn(failed, 'Hello again', { policy, procedures: PROCEDURES });
    expect(reopened.earlier).toEqual(['Are you there?']);
    expect(reopened.change.state).toMatchObject({ status: 'active', outcome: null, outage: null });
    expect(reopened.change.state.stack.map((f) => f.stepId)).toEqual(['step:verify']);
    expect(types(reopened.change.events)).toEqual(['resumed_after_outage', 'customer_message']);
  });

  it('does not re-open after a refused request, or when the policy keeps outage handoffs with the team', () => {
    expect(mayResumeAfterOutage(failedTurn(refused).state, policy)).toBe(false);
    expect(mayResumeAfterOutage(failedTurn(dropped).state, { ...policy, resumeAfterOutage: false })).toBe(false);
  });
});

describe('knowledge', () => {
  it('asks for the search as an effect, then cites the articles in the trace and gives the model the excerpts', () => {
    const asked = call('search_knowledge', { query: 'order number' }, conversation());
    expect(asked.effect).toEqual({ kind: 'knowledge', query: 'order number', limit: 5 });
    const hits = [{ id: 7, title: 'Finding your order number', snippet: 'In the confirmation email.', url: null }];
    const found = applySearchResult(asked.state, false, 'order number', hits);
    expect(found.events).toEqual([{ type: 'knowledge_search', stepId: 'step:find-the-order', payload: { query: 'order number', hits: [{ id: 7, title: 'Finding your order number' }] } }]);
    expect(JSON.parse(found.outcome!.content)).toEqual([{ id: 7, title: 'Finding your order number', excerpt: 'In the confirmation email.', url: null }]);
    expect(applySearchResult(asked.state, false, 'order number', []).outcome!.content).toBe('No article matches. Say you are not sure rather than guess.');
    expect(begin(asked.state, false).state).toEqual(asked.state);
  });
});
