// The turn's own rules, pure: how a customer message opens a turn, the caps on model and tool
// calls, when the agent loop may stop, and what the runtime does at the end of a turn (a handoff or
// switch a Python branch requires, the escalation thresholds).
import { begin, currentStepId, emit, escalate, type Change, type EscalationContext } from './change';
import type { AdvanceResult } from './advance';
import type { CompiledProcedure } from './compiled-procedure';
import type { ToolOutcome } from './decision';
import { asksForHuman, escalationAfterTurn, type EscalationPolicy } from './escalation';
import { liveObligations, makeRequiredHandoff, subprocedureDone } from './enforcement';
import { attributeInput, dataInput } from './reach';
import { endProcedure, enterProcedure, switchOrPause } from './frames';
import { reopenAfterOutage } from './outage';
import type { ConversationState, TraceEvent } from './types';

export interface TurnLimits {
  maxModelCallsPerTurn: number;
  maxToolCallsPerTurn: number;
}

export const DEFAULT_LIMITS: TurnLimits = { maxModelCallsPerTurn: 6, maxToolCallsPerTurn: 12 };

export type Obligation = AdvanceResult['obligations'][number];

/**
 * The customer's message opens the turn. A conversation an outage handed off re-opens (the engine
 * has checked the policy allows it): `earlier` holds the messages the model never received. A
 * message asking for a person escalates at once, without a model call.
 */
export function openTurn(state: ConversationState, text: string, context: EscalationContext): { change: Change; earlier: string[]; escalated: boolean } {
  const change = begin(state, false);
  change.state.turn += 1;
  const earlier = reopenAfterOutage(change);
  change.state.status = 'active';
  change.state.transcript = [...change.state.transcript, { role: 'customer', text, turn: change.state.turn }];
  emit(change, { type: 'customer_message', payload: { text } });
  if (!asksForHuman(text, context.policy)) return { change, earlier, escalated: false };
  escalate(change, context, 'customer_asked_for_human', 'The customer asked for a person.', true);
  return { change, earlier, escalated: true };
}

/** The cap on model calls: the reason to escalate (`runaway`), or null while calls remain. */
export function modelCallCap(modelCalls: number, limits: TurnLimits): string | null {
  return modelCalls >= limits.maxModelCallsPerTurn ? `The agent needed more than ${limits.maxModelCallsPerTurn} model calls for one customer message.` : null;
}

/**
 * Whether the next tool call of a response may run. After a final outcome nothing runs; past the
 * cap on tool calls the call is refused and the conversation escalates (`runaway`).
 */
export function toolCallGate(toolCalls: number, final: boolean, limits: TurnLimits): { run: true } | { run: false; outcome: ToolOutcome; runaway: string | null } {
  if (final) return { run: false, outcome: { content: 'Not run: the conversation was already handed over or ended.', isError: true, followUp: false }, runaway: null };
  if (toolCalls < limits.maxToolCallsPerTurn) return { run: true };
  return {
    run: false,
    outcome: { content: `Not run: more than ${limits.maxToolCallsPerTurn} tool calls in one turn.`, isError: true, followUp: false },
    runaway: `The agent made more than ${limits.maxToolCallsPerTurn} tool calls for one customer message.`,
  };
}

export interface ResponseSummary {
  toolCalls: number;
  replied: boolean;
  /** A result the model must see (an error to fix) is owed. */
  followUp: boolean;
  /** The conversation has its outcome (ended, handed off, escalated). */
  over: boolean;
  /** A handoff or switch a Python branch requires has not been made yet. */
  obligationsPending: boolean;
  /** The extra call for such an obligation was already given. */
  extraCallUsed: boolean;
}

/**
 * After a model response's tool calls: stop, call the model again, give it one extra call to make
 * a required handoff itself (closeTurn makes it otherwise), or take its plain text as the reply.
 */
export function nextAfterResponse(summary: ResponseSummary): 'stop' | 'call-again' | 'extra-call' | 'text-as-reply' {
  if (summary.over) return 'stop';
  const extra = summary.replied && !summary.followUp;
  if (extra && (!summary.obligationsPending || summary.extraCallUsed)) return 'stop';
  // The model answered with text only: treat it as the reply so the customer is not left waiting.
  if (summary.toolCalls === 0) return 'text-as-reply';
  return extra ? 'extra-call' : 'call-again';
}

/** The obligations not yet met: a handoff with no outcome yet, a switch not made, an end while the Procedure still runs. */
export function obligationsPending(state: ConversationState, obligations: readonly Obligation[], procedures: ReadonlyMap<string, CompiledProcedure>): boolean {
  if (state.outcome) return false;
  return liveObligations(state, obligations, procedures).some((obligation) =>
    obligation.kind === 'handoff' ? true : obligation.kind === 'switch' ? !state.stack.some((frame) => frame.procedure === obligation.target) : state.stack.at(-1)?.procedure === obligation.target,
  );
}

/**
 * The end of a turn: what the Procedure requires after a Python decision happens even if the model
 * forgot it; progress is recorded; the escalation thresholds are checked; else the conversation
 * waits for the customer. A required switch needs its target in `procedures`.
 */
export function closeTurn(
  state: ConversationState,
  progressed: boolean,
  obligations: readonly Obligation[],
  context: { procedures: ReadonlyMap<string, CompiledProcedure>; policy: EscalationPolicy },
): Change {
  const change = begin(state, progressed);
  const next = change.state;
  if (!next.outcome) {
    obligations = liveObligations(next, obligations, context.procedures);
    const handoff = obligations.find((obligation) => obligation.kind === 'handoff');
    const switchTo = obligations.find((obligation) => obligation.kind === 'switch');
    if (handoff) {
      makeRequiredHandoff(change, handoff, 'The Procedure requires this handoff.');
    } else if (switchTo && !next.stack.some((frame) => frame.procedure === switchTo.target)) {
      emit(change, { type: 'enforced', stepId: currentStepId(next), payload: { nodeId: switchTo.nodeId, kind: switchTo.kind, target: switchTo.target } });
      switchOrPause(change, context.procedures, switchTo.target, 'required by the Procedure');
      const target = context.procedures.get(switchTo.target);
      if (target) enterProcedure(change, target, 'switched');
    } else {
      // An @end a Python branch requires, in the Procedure still running on top: the runtime ends it.
      const end = obligations.find((obligation) => obligation.kind === 'end' && next.stack.at(-1)?.procedure === obligation.target);
      if (end) {
        emit(change, { type: 'enforced', stepId: currentStepId(next), payload: { nodeId: end.nodeId, kind: end.kind, target: end.target } });
        const ended = endProcedure(change, 'required by the Procedure');
        if (ended.kind === 'returned') subprocedureDone(change, ended, context);
      }
    }
  }
  if (change.progressed) next.progress.lastProgressTurn = next.turn;
  if (!next.outcome) {
    const escalation = escalationAfterTurn(next, context.policy);
    if (escalation) {
      emit(change, { type: 'escalation_check', payload: escalation });
      escalate(change, context, escalation.reason, escalation.detail, true);
    }
  }
  if (!next.outcome) next.status = 'waiting';
  return change;
}

// ----- a reply bundled with the runtime's work -----------------------------------------------------

/**
 * What the runtime did during one response that the model had not seen when it wrote the response,
 * and that a reply in it cannot have accounted for.
 */
export interface UnseenWork {
  /** A call of the response (or a lookup the runtime made on its own) failed or was refused: the model must see why. */
  errors: readonly string[];
  /** Python gates the runtime decided where the conversation stands (unseenDecisions). */
  decisions: readonly string[];
  /** Handoffs, switches or ends a Python branch began to require during the response. */
  newObligations: readonly Obligation[];
  /** Whether such a requirement is still unmet. */
  pending: boolean;
}

/**
 * The safe rule for a reply bundled with deterministic work: it goes out only when nothing the
 * model had not seen changed the situation. Otherwise it is held back (never shown) and the model,
 * called again with the results, writes the reply, so a reply never contradicts a decision the
 * runtime made (a gate decided, a handoff required). The reasons, or null to send it.
 */
export function replyHold(unseen: UnseenWork): string[] | null {
  const reasons: string[] = [];
  if (unseen.errors.length > 0) reasons.push(`an earlier call of your response did not go through (${unseen.errors.join('; ')})`);
  if (unseen.decisions.length > 0) reasons.push(`the runtime decided ${[...new Set(unseen.decisions)].join(', ')} after you wrote it`);
  if (unseen.pending && unseen.newObligations.length > 0) {
    reasons.push(`the Procedure now requires ${unseen.newObligations.map((obligation) => `a ${obligation.kind} to ${obligation.target}`).join(' and ')}`);
  }
  return reasons.length > 0 ? reasons : null;
}

/**
 * Inputs the model had not seen when it wrote its response: results that arrived during it (its own
 * calls' or the runtime's lookups'), and attributes Python code wrote during it.
 */
export function unseenInputs(events: readonly TraceEvent[], dataBefore: ConversationState['data'], dataAfter: ConversationState['data']): string[] {
  const inputs = Object.keys(dataAfter).filter((action) => dataAfter[action] !== dataBefore[action]).map(dataInput);
  for (const event of events) if (event.type === 'attribute_set' && event.payload.source === 'code') inputs.push(attributeInput(String(event.payload.name)));
  return inputs;
}

/**
 * Python gates the runtime decided, among `events`, on inputs the model had not seen (`unseen`,
 * with `readers`: the gates that read each input), in the step the conversation now stands on
 * (`standing`): what the model could not foresee when it wrote a reply. A gate decided on what the
 * model itself said, or passed on the way to the step the model asked for, it accounted for.
 */
export function unseenDecisions(events: readonly TraceEvent[], standing: string | null, unseen: ReadonlySet<string>, readers: ReadonlyMap<string, readonly string[]>): string[] {
  if (unseen.size === 0) return [];
  const readsUnseen = (nodeId: string) => [...unseen].some((input) => readers.get(input)?.includes(nodeId));
  return events.flatMap((event) => {
    if (event.stepId !== standing) return [];
    const nodeId = typeof event.payload.nodeId === 'string' ? event.payload.nodeId : null;
    if (!nodeId || !readsUnseen(nodeId)) return [];
    return (event.type === 'condition' && event.payload.kind === 'python') || event.type === 'code_run' ? [nodeId] : [];
  });
}

/** A reply held back: its outcome for the model and its trace event (the text, never shown to the customer). */
export function heldReply(input: unknown, reasons: readonly string[], stepId: string | null): { outcome: ToolOutcome; event: TraceEvent } {
  const message = typeof (input as { message?: unknown } | null)?.message === 'string' ? (input as { message: string }).message : '';
  return {
    outcome: {
      content: `Not sent to the customer: ${reasons.join('; ')}. Look at the results and the state, then reply in view of them.`,
      isError: true,
      followUp: true,
    },
    event: { type: 'reply_held', stepId, payload: { text: message, reasons: [...reasons] } },
  };
}

/** The input an action last ran with, remembered so the runtime never looks the same thing up twice. */
export function withActionInput(state: ConversationState, action: string, input: unknown): ConversationState {
  return { ...state, actionInputs: { ...state.actionInputs, [action]: JSON.stringify(input) } };
}
