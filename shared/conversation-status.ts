// The one vocabulary for where a conversation stands, used by the runtime, the store and the API.
// `escalated` (a person must take over because a threshold was crossed) is not `handed_off` (the
// Procedure itself handed the customer to a team): reports and webhooks tell them apart.
export const CONVERSATION_STATUSES = ['active', 'waiting', 'handed_off', 'ended', 'escalated'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** Statuses in which the conversation is over for the agent (until a new message re-opens an ended one). */
export const CLOSED_STATUSES: readonly ConversationStatus[] = ['ended', 'handed_off', 'escalated'];

export function isClosedStatus(status: ConversationStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}
