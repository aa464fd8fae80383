// What the API answers for a turn, and what a handoff or escalation webhook carries. Pure: built
// from the state the turn saved, so the idempotency record and the outbox row are written in the
// turn's own transaction and a retry gets exactly the first answer.
import type { ConversationState, TraceEvent } from '../runtime/types';

export interface TurnResponse {
  conversationId: number;
  turn: number;
  replies: string[];
  status: ConversationState['status'];
  outcome: ConversationState['outcome'];
}

export function turnResponse(state: ConversationState, newMessages: readonly { role: 'customer' | 'agent'; text: string }[]): TurnResponse {
  return {
    conversationId: state.id,
    turn: state.turn,
    replies: newMessages.filter((message) => message.role === 'agent').map((message) => message.text),
    status: state.status,
    outcome: state.outcome,
  };
}

export interface WebhookEvent {
  event: 'conversation.handed_off' | 'conversation.escalated';
  conversationId: number;
  externalId: string | null;
  team: string | null;
  reason: string;
  summary: string | null;
  attributes: Record<string, unknown>;
  procedure: string | null;
  occurredAt: string;
}

/** The webhooks a turn owes: one per handoff or escalation it made (usually none). */
export function webhookEvents(state: ConversationState, trace: readonly TraceEvent[], context: { externalId: string | null; procedure: string | null; at: string }): WebhookEvent[] {
  const attributes = Object.fromEntries(Object.entries(state.attributes).map(([name, entry]) => [name, entry.value]));
  return trace
    .filter((event) => event.type === 'handoff' || event.type === 'escalation')
    .map((event) => ({
      event: event.type === 'handoff' ? 'conversation.handed_off' : 'conversation.escalated',
      conversationId: state.id,
      externalId: context.externalId,
      team: (event.payload.team as string | null | undefined) ?? state.outcome?.team ?? null,
      reason: String(event.payload.reason ?? state.outcome?.reason ?? ''),
      summary: (event.payload.summary as string | null | undefined) ?? state.outcome?.summary ?? null,
      attributes,
      procedure: context.procedure,
      occurredAt: context.at,
    }));
}

/** The main Procedure the conversation is in (the bottom of its stack), if any. */
export function mainProcedure(state: ConversationState): string | null {
  return state.stack[0]?.procedure ?? null;
}
