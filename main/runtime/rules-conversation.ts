// The rules of the tools that talk and record: reply, set_attributes, search_knowledge, handoff and
// escalate. Each works on a working copy (change.ts) and returns the outcome, or the effect it needs.
import type { AttributeDecl } from '../../shared/procedure';
import { checkAttributeValue } from './attribute-values';
import { begin, currentStepId, emit, escalate, finish, sendReply, topFrame, type Change } from './change';
import { refuse, settle, type Decision, type RuleContext, type RuleResult } from './decision';
import { activeNodes, inputsChanged, inputsLocked, liveObligations, makeRequiredHandoff, requireReach } from './enforcement';
import { attributeInput } from './reach';
import type { EscalationReason } from './escalation';
import type { ConversationState, KnowledgeHit } from './types';

export function replyRule(change: Change, input: { message: string }): RuleResult {
  sendReply(change, input.message);
  return { outcome: { content: 'Sent to the customer.', echo: 'Sent to the customer.', followUp: false } };
}

/** Attributes the active Procedures declare, the innermost's declaration first. */
function declaredAttributes(state: ConversationState, context: RuleContext): Map<string, AttributeDecl> {
  const declared = new Map<string, AttributeDecl>();
  for (const frame of [...state.stack].reverse()) {
    for (const attribute of context.procedures.get(frame.procedure)?.attributes ?? []) if (!declared.has(attribute.name)) declared.set(attribute.name, attribute);
  }
  return declared;
}

/** Each value is checked against its declared type; a wrong type goes back to the model as an error. */
export function setAttributesRule(change: Change, input: { values: Record<string, unknown> }, context: RuleContext): RuleResult {
  const { state } = change;
  const declared = declaredAttributes(state, context);
  const changing = Object.entries(input.values).filter(([name, value]) => declared.has(name) && JSON.stringify(state.attributes[name]?.value) !== JSON.stringify(value));
  const locked = inputsLocked(change, context, changing.map(([name]) => attributeInput(name)), { type: 'move_refused', tool: 'set_attributes' });
  if (locked) return locked;
  const set: string[] = [];
  const changed: string[] = [];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(input.values)) {
    const decl = declared.get(name);
    if (!decl) {
      problems.push(`${name} is not an attribute of the active Procedure (known: ${[...declared.keys()].join(', ') || 'none'})`);
      continue;
    }
    const checked = checkAttributeValue(decl, value);
    if (!checked.ok) {
      problems.push(checked.message);
      continue;
    }
    const previous = state.attributes[name];
    state.attributes = { ...state.attributes, [name]: { value: checked.value, source: 'customer', turn: state.turn } };
    if (!previous || JSON.stringify(previous.value) !== JSON.stringify(checked.value)) {
      change.progressed = true;
      changed.push(attributeInput(name));
    }
    set.push(name);
    emit(change, { type: 'attribute_set', stepId: currentStepId(state), payload: { name, value: checked.value, source: 'customer' } });
  }
  // Gates that ran on the old values must run again before anything past them.
  inputsChanged(change, context.procedures, changed);
  if (problems.length > 0) return refuse(`${set.length > 0 ? `Set ${set.join(', ')}. ` : ''}Not set: ${problems.join('; ')}.`);
  // New values may unblock code steps; the model hears about anything the runtime then decides.
  return { outcome: { content: `Set ${set.join(', ')}.`, echo: `Set ${set.join(', ')}.`, followUp: false }, effect: { kind: 'advance', separator: ' ', followUp: 'from-notes' } };
}

const SEARCH_LIMIT = 5;

export function searchKnowledgeRule(_change: Change, input: { query: string }): RuleResult {
  return { outcome: null, effect: { kind: 'knowledge', query: input.query, limit: SEARCH_LIMIT } };
}

/** The knowledge effect's result: the trace cites the articles, the model gets the excerpts. */
export function applySearchResult(state: ConversationState, progressed: boolean, query: string, hits: KnowledgeHit[]): Decision {
  const change = begin(state, progressed);
  emit(change, { type: 'knowledge_search', stepId: currentStepId(state), payload: { query, hits: hits.map((hit) => ({ id: hit.id, title: hit.title })) } });
  if (hits.length === 0) return settle(change, { outcome: { content: 'No article matches. Say you are not sure rather than guess.', followUp: 'if-silent' } });
  return settle(change, { outcome: { content: JSON.stringify(hits.map((hit) => ({ id: hit.id, title: hit.title, excerpt: hit.snippet, url: hit.url }))), followUp: 'if-silent' } });
}

/** Only to teams the active Procedure names. */
export function handoffRule(change: Change, input: { team: string; summary: string; note?: string | undefined }, context: RuleContext): RuleResult {
  const frame = topFrame(change.state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  if (!procedure || !procedure.teams.has(input.team.toLowerCase())) {
    return refuse(`The active Procedure does not hand off to "${input.team}". Use escalate to reach a person otherwise.`);
  }
  const team = input.team.toLowerCase();
  const handoffs = activeNodes(change, context, (node) => node.kind === 'handoff' && node.label.toLowerCase() === team);
  const gated = requireReach(change, context, { toward: handoffs, retry: { name: 'handoff', input }, what: `the handoff to ${input.team}`, refusal: 'move' });
  if (gated) return gated;
  finish(change, 'handed_off', 'procedure', input.team, input.summary, input.note ?? null);
  return { outcome: { content: `Handed off to ${input.team}.`, followUp: false, final: true } };
}

/**
 * The model brings in a person. Tools after this one are not run, so a reply the model meant to send
 * next would be lost: unless it already replied in this turn, the runtime tells the customer itself.
 */
export function escalateRule(change: Change, input: { reason: EscalationReason; summary: string }, context: RuleContext): RuleResult {
  const { state } = change;
  // A reply of the same response is sent after this call (turn.ts): the customer hears from the model.
  const repliedThisTurn = context.replyFollows === true || state.transcript.some((line) => line.role === 'agent' && line.turn === state.turn);
  // A branch Python chose requires a handoff: escalating elsewhere would route around it, so the
  // person who is brought in is the one the branch names (branches are binding).
  const required = liveObligations(state, context.owed ?? [], context.procedures).find((obligation) => obligation.kind === 'handoff');
  if (required) {
    makeRequiredHandoff(change, required, input.summary, 'escalate');
    if (!repliedThisTurn) sendReply(change, context.policy.customerMessage);
    return { outcome: { content: `The Procedure requires a handoff to ${required.target} here: handed off to ${required.target} instead of escalating.`, followUp: false, final: true } };
  }
  escalate(change, context, input.reason, input.summary, !repliedThisTurn);
  return { outcome: { content: 'Escalated to a person.', followUp: false, final: true } };
}
