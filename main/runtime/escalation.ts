// When the agent should bring in a human on its own: the customer asks for one, the agent loops,
// nothing moves forward for several turns, or connectors keep failing. Thresholds are settings.
import { z } from 'zod';
import type { EscalationReason } from '../../shared/procedure';
import type { CompiledProcedure } from './compiled-procedure';
import type { ConversationState } from './types';

export type { EscalationReason };

export const EscalationPolicySchema = z.object({
  /** Phrases that mean "let me talk to a person"; matched before any model call. */
  humanRequestPatterns: z
    .array(z.string())
    .default([
      '\\b(speak|talk|chat)\\s+(to|with)\\s+(a|an|some|your)?\\s*(human|person|agent|representative|someone)\\b',
      '\\b(real|live|actual)\\s+(person|human|agent)\\b',
      '\\bhuman\\s+(agent|being|please)\\b',
      '\\b(get|give)\\s+me\\s+(a|an)\\s+(human|person|agent|representative|manager)\\b',
    ]),
  /** The same agent message, or a revisit of a step with nothing new, this many times. */
  repeatThreshold: z.number().int().min(1).default(2),
  /** Turns in a row without progress (a new attribute, result, step or decision). */
  noProgressTurns: z.number().int().min(1).default(4),
  /** Connector failures in a row. */
  connectorFailures: z.number().int().min(1).default(3),
  /** The workspace's escalation team: for escalations no active Procedure names a team for. */
  team: z.string().min(1).default('Support team'),
  /**
   * A conversation handed off because the model was unavailable re-opens at the step it was on
   * when the customer writes again (outage.ts). Off: it stays with the team, like any handoff.
   */
  resumeAfterOutage: z.boolean().default(true),
  /** What the customer is told when the runtime escalates or hands off on its own. */
  customerMessage: z.string().min(1).default("I'm bringing in a member of our team who can help you further. They'll see everything we've discussed."),
});
export type EscalationPolicy = z.infer<typeof EscalationPolicySchema>;

/**
 * The team an escalation goes to: the innermost active Procedure that names one, for this reason or
 * as its `default` (a sub-procedure that names none defers to its caller); else the workspace's.
 */
export function escalationTeam(state: ConversationState, procedures: ReadonlyMap<string, CompiledProcedure>, policy: EscalationPolicy, reason: EscalationReason): string {
  for (let index = state.stack.length - 1; index >= 0; index--) {
    const teams = procedures.get(state.stack[index]!.procedure)?.escalation;
    const team = teams?.get(reason) ?? teams?.get('default');
    if (team) return team;
  }
  return policy.team;
}

export function asksForHuman(text: string, policy: EscalationPolicy): boolean {
  return policy.humanRequestPatterns.some((pattern) => new RegExp(pattern, 'i').test(text));
}

const normalize = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** True when `reply` repeats one of the agent's recent messages. */
export function repeatsEarlierReply(state: ConversationState, reply: string, before: number): boolean {
  const earlier = state.transcript.slice(0, before).filter((line) => line.role === 'agent').slice(-3);
  const current = normalize(reply);
  return current.length > 0 && earlier.some((line) => normalize(line.text) === current);
}

/** The reason to escalate after a turn, if any. */
export function escalationAfterTurn(state: ConversationState, policy: EscalationPolicy): { reason: EscalationReason; detail: string } | null {
  if (state.progress.connectorFailures >= policy.connectorFailures) {
    return { reason: 'connector_failures', detail: `${state.progress.connectorFailures} connector calls failed in a row.` };
  }
  if (state.progress.loopStrikes >= policy.repeatThreshold) {
    return { reason: 'loop', detail: `The agent repeated itself or went back to the same step ${state.progress.loopStrikes} times with nothing new.` };
  }
  const idle = state.turn - state.progress.lastProgressTurn;
  if (idle >= policy.noProgressTurns) return { reason: 'no_progress', detail: `No progress for ${idle} turns.` };
  return null;
}
