// The rule of connector actions: only actions the active Procedure names run, and a `confirm`
// action needs an earlier ask and the customer's agreement quoted from their latest message. The
// call itself is an effect; its result comes back through `applyActionResult`.
import { begin, emit, topFrame, type Change } from './change';
import { refuse, settle, type Decision, type RuleContext, type RuleResult } from './decision';
import { activeNodes, inputsChanged, inputsLocked, requireReach } from './enforcement';
import { dataInput } from './reach';
import type { ActionResult, ConversationState } from './types';

export function actionRule(change: Change, action: string, raw: unknown, context: RuleContext): RuleResult {
  const { state } = change;
  const frame = topFrame(state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  if (!frame || !procedure || !procedure.actions.has(action)) {
    emit(change, { type: 'action_refused', stepId: frame?.stepId ?? null, payload: { action, reason: 'not named by the active Procedure' } });
    return refuse(`@${action} is not named by the active Procedure, so it cannot run.`);
  }
  const info = context.describeAction(action);
  if (!info) return refuse(`The connector action @${action} is not configured in this workspace.`);
  // Actions in reach only: from a node the run has legitimately reached, past the gates before it.
  const nodes = activeNodes(change, context, (node) => node.kind === 'action' && node.label === action);
  const gated = requireReach(change, context, { toward: nodes, retry: { name: action.replace('.', '__'), input: raw }, what: `@${action}`, refusal: 'action' });
  if (gated) return gated;
  const locked = inputsLocked(change, context, [dataInput(action)], { type: 'action_refused', tool: action.replace('.', '__') });
  if (locked) return locked;
  let input = raw;
  if (info.confirm) {
    const agreement = checkAgreement(state, action, raw);
    if (!agreement.ok) {
      state.pendingConfirmation = { action, input: agreement.input, turn: state.turn };
      emit(change, { type: 'action_needs_confirmation', stepId: frame.stepId, payload: { action, input: agreement.input } });
      return { outcome: { content: agreement.message, isError: true, followUp: false } };
    }
    input = agreement.input;
    state.pendingConfirmation = null;
  }
  return { outcome: null, effect: { kind: 'connector', action, input } };
}

/** The connector effect's result: a failure counts toward the escalation threshold; data unblocks code. */
/** `procedures`: the conversation's, so that gates that read an earlier, different result run again. */
export function applyActionResult(state: ConversationState, progressed: boolean, action: string, result: ActionResult, procedures?: RuleContext['procedures']): Decision {
  const change = begin(state, progressed);
  const frame = topFrame(change.state);
  if (result.record !== undefined) emit(change, { type: 'connector_call', stepId: frame?.stepId ?? null, payload: { action, record: result.record } });
  // Called, even if it failed: the run may go on to what the Procedure says then; readers of its result still wait.
  if (frame) frame.gates = { ...frame.gates, [`@${action}`]: result.ok ? 'called' : 'failed' };
  if (!result.ok) {
    change.state.progress.connectorFailures += 1;
    return settle(change, refuse(`@${action} failed: ${result.error}`));
  }
  change.state.progress.connectorFailures = 0;
  const before = change.state.data[action];
  change.state.data = { ...change.state.data, [action]: result.data };
  if (frame) frame.ran = [...frame.ran, action];
  if (procedures && before !== undefined && JSON.stringify(before) !== JSON.stringify(result.data)) inputsChanged(change, procedures, [dataInput(action)]);
  change.progressed = true;
  return settle(change, { outcome: { content: JSON.stringify(result.data), followUp: 'if-silent' }, effect: { kind: 'advance', separator: '\n', followUp: 'keep' } });
}

/**
 * A confirm action runs only when the same request was asked for in an earlier turn and the
 * customer's agreement is quoted from their latest message; otherwise it becomes the pending ask.
 */
function checkAgreement(state: ConversationState, action: string, raw: unknown): { ok: true; input: unknown } | { ok: false; input: unknown; message: string } {
  const { customer_agreement: agreement, ...input } = (raw ?? {}) as Record<string, unknown>;
  const pending = state.pendingConfirmation;
  const lastCustomer = [...state.transcript].reverse().find((line) => line.role === 'customer');
  const sameRequest = pending && pending.action === action && JSON.stringify(pending.input) === JSON.stringify(input);
  const askedBefore = sameRequest && pending.turn < state.turn;
  const quoted = typeof agreement === 'string' && agreement.trim().length > 0 && lastCustomer !== undefined && normalizeQuote(lastCustomer.text).includes(normalizeQuote(agreement));
  if (askedBefore && quoted) return { ok: true, input };
  return {
    ok: false,
    input,
    message: `@${action} changes something for the customer, so it needs their explicit agreement first: tell them exactly what will happen and ask them to confirm. After they agree, call it again with the same input and customer_agreement quoting their words.`,
  };
}

const normalizeQuote = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').replace(/[“”"'’.!]/g, '').trim();
