// A model outage in the middle of a conversation, as pure decisions. When the model fails for good
// in a turn (after the SDK's retries and the client's own, model/faults.ts), the turn hands the
// conversation off with the reason and records an outage: where it stopped and which customer
// messages the model never saw. Because the handoff was the runtime's, not the Procedure's or the
// customer's, the customer's next message may re-open the conversation at the same step
// (policy `resumeAfterOutage`, on by default); the model then receives every unanswered message.
import { isOutage, type ModelFault } from '../model/faults';
import { emit, finish, sendReply, type Change } from './change';
import type { EscalationPolicy } from './escalation';
import type { ConversationState, OutageRecord } from './types';

/**
 * The record a failed turn leaves. `reachedModel`: the model already received this turn's message
 * (a later call in the turn failed), so only earlier unanswered ones are still owed.
 */
export function outageRecord(state: ConversationState, fault: ModelFault, policy: EscalationPolicy, owed: { earlier: string[]; current: string; reachedModel: boolean }): OutageRecord {
  const top = state.stack[state.stack.length - 1];
  return {
    turn: state.turn,
    fault: fault.kind,
    detail: fault.detail,
    procedure: top?.procedure ?? null,
    stepId: top?.stepId ?? null,
    // A refused request (bad key, bad model name) is no outage: it fails the same way until someone fixes the settings.
    resumable: policy.resumeAfterOutage && isOutage(fault),
    unanswered: owed.reachedModel ? [] : [...owed.earlier, owed.current],
  };
}

/** Whether a new customer message may re-open this conversation. */
export function mayResumeAfterOutage(state: ConversationState, policy: EscalationPolicy): boolean {
  return state.status === 'handed_off' && state.outage?.resumable === true && policy.resumeAfterOutage;
}

/** The customer's words as the model receives them: each unanswered message first, then the new one. */
export function customerMessagesBlock(messages: readonly string[]): string {
  return messages.map((text) => `<customer_message>\n${text}\n</customer_message>`).join('\n');
}

/**
 * A conversation handed off by a model outage re-opens at the step it stopped on (the engine has
 * checked that the policy allows it). Returns the messages the model never received.
 */
export function reopenAfterOutage(change: Change): string[] {
  const { state } = change;
  const outage = state.outage;
  if (!outage) return [];
  state.outage = null;
  if (state.status === 'handed_off') {
    state.outcome = null;
    emit(change, {
      type: 'resumed_after_outage',
      stepId: outage.stepId,
      payload: { sinceTurn: outage.turn, fault: outage.fault, procedure: outage.procedure, unanswered: outage.unanswered.length },
    });
  }
  return outage.unanswered;
}

/**
 * The model failed for good (after every retry): hand off with the reason and record the outage,
 * so a later message can resume here. The transcript keeps everything.
 */
export function handOffOnFailure(
  change: Change,
  failure: { fault: ModelFault; status: number | undefined; message: string },
  policy: EscalationPolicy,
  owed: { earlier: string[]; current: string; reachedModel: boolean },
): void {
  const { state } = change;
  const outage = outageRecord(state, failure.fault, policy, owed);
  state.outage = outage;
  // The model's failure is not the agent's lack of progress: this turn does not count toward no_progress.
  state.progress.lastProgressTurn = state.turn;
  emit(change, {
    type: 'model_outage',
    stepId: outage.stepId,
    payload: { fault: failure.fault.kind, phase: failure.fault.phase, status: failure.status ?? null, detail: failure.fault.detail, procedure: outage.procedure, resumable: outage.resumable },
  });
  finish(change, 'handed_off', `model unavailable: ${failure.message}`, policy.team, 'The AI agent could not reach its model; the customer is waiting for a person.', null);
  sendReply(change, policy.customerMessage, true);
}
