// The working copy a pure runtime decision builds: the next state, the trace events it adds, the
// replies it sends. A decision never touches the state it was given. `begin` copies only the active
// frames and the counters, which rules change in place. Every other part (attributes, data, a
// frame's decisions and actions, visits, transcript, tags, paused topics, history, usage) stays
// shared with the input and is only ever replaced by a new value, never written to: a decision
// costs the same on the hundredth turn as on the first, far below a structuredClone.
import type { CompiledProcedure } from './compiled-procedure';
import type { EscalationPolicy, EscalationReason } from './escalation';
import { escalationTeam, repeatsEarlierReply } from './escalation';
import type { ConversationState, Frame, TraceEvent } from './types';

export interface Change {
  state: ConversationState;
  events: TraceEvent[];
  replies: string[];
  /** Something moved forward in this turn (a new attribute, result, step or decision). */
  progressed: boolean;
}

/** A frame's own fields may be set; its `decided` and `ran` are replaced, never written to. */
export const copyFrame = (frame: Frame): Frame => ({ ...frame });

function copyState(state: ConversationState): ConversationState {
  return {
    ...state,
    stack: state.stack.map(copyFrame),
    progress: { ...state.progress },
  };
}

/** A fresh change on a copy of `state`; `progressed` carries what the turn has done so far. */
export function begin(state: ConversationState, progressed: boolean): Change {
  return { state: copyState(state), events: [], replies: [], progressed };
}

export function emit(change: Change, event: TraceEvent): void {
  change.events.push(event);
}

export function topFrame(state: ConversationState): Frame | undefined {
  return state.stack[state.stack.length - 1];
}

export const currentStepId = (state: ConversationState): string | null => topFrame(state)?.stepId ?? null;

/** `byRuntime`: the runtime's own notice (an outage), which never counts as the agent repeating itself. */
export function sendReply(change: Change, message: string, byRuntime = false): void {
  const { state } = change;
  if (!byRuntime && repeatsEarlierReply(state, message, state.transcript.length)) state.progress.loopStrikes += 1;
  change.replies.push(message);
  state.transcript = [...state.transcript, { role: 'agent', text: message, turn: state.turn }];
  emit(change, { type: 'agent_message', stepId: currentStepId(state), payload: { text: message } });
}

export function finish(change: Change, kind: 'ended' | 'handed_off' | 'escalated', reason: string, team: string | null, summary: string | null, note: string | null): void {
  const { state } = change;
  state.outcome = { kind, reason, team, summary };
  state.status = kind;
  emit(change, { type: kind === 'ended' ? 'conversation_end' : kind === 'handed_off' ? 'handoff' : 'escalation', stepId: currentStepId(state), payload: { reason, team, summary, note } });
}

/** What escalating reads: the policy, and the active Procedures that may name their own escalation team. */
export interface EscalationContext {
  policy: EscalationPolicy;
  procedures: ReadonlyMap<string, CompiledProcedure>;
}

/** Brings in the escalation team for `reason` (escalationTeam), unless the conversation already has its outcome. */
export function escalate(change: Change, context: EscalationContext, reason: EscalationReason, detail: string, tellCustomer: boolean): void {
  if (change.state.outcome) return;
  finish(change, 'escalated', reason, escalationTeam(change.state, context.procedures, context.policy, reason), detail, null);
  if (tellCustomer) sendReply(change, context.policy.customerMessage);
}
