// The conversation runtime's state and the interfaces it works through. State is plain JSON so it
// can be persisted after every turn and a conversation resumed after a restart.
import { z } from 'zod';
import type { CompiledProcedure } from './compiled-procedure';

import { CONVERSATION_STATUSES, type ConversationStatus } from '../../shared/conversation-status';

export { CONVERSATION_STATUSES, type ConversationStatus };

export type AttributeSource = 'customer' | 'connector' | 'code' | 'context';

const frameSchema = z.object({
  procedure: z.string(),
  version: z.string(),
  stepId: z.string(),
  /** Where the conversation is inside the step: node id → outcome (code ran, branch chosen…). */
  decided: z.record(z.string(), z.string()),
  /** Connector actions that ran during this visit of the step. */
  ran: z.array(z.string()),
  /** What this run of the Procedure has established at its gates, across steps (reach.ts): node id → outcome. */
  gates: z.record(z.string(), z.string()).optional(),
  /** For sub-procedures: the frame below continues when this one ends. For a topic switch: no return. */
  kind: z.enum(['main', 'sub', 'switched']),
});
export type Frame = z.infer<typeof frameSchema>;

const outageSchema = z.object({
  /** The turn the model failed in. */
  turn: z.number(),
  /** The fault's kind (faults.ts), kept as text so a renamed kind never makes a saved state unreadable. */
  fault: z.string(),
  detail: z.string(),
  /** Where the conversation stood: a resumed conversation carries on here. */
  procedure: z.string().nullable(),
  stepId: z.string().nullable(),
  /** Whether a later customer message may re-open the conversation (decided when it failed). */
  resumable: z.boolean(),
  /** Customer messages the model never received, oldest first: a resumed turn hands them over. */
  unanswered: z.array(z.string()),
});
export type OutageRecord = z.infer<typeof outageSchema>;

export const conversationStateSchema = z.object({
  id: z.number().int().positive(),
  status: z.enum(CONVERSATION_STATUSES),
  turn: z.number().int().nonnegative(),
  /** Frozen clock: code steps see the same today() in every replay. */
  clock: z.object({ now: z.string() }),
  /** Active Procedures, innermost last. */
  stack: z.array(frameSchema),
  /** Stacks paused by a change of topic, resumed when the new topic ends. */
  paused: z.array(z.array(frameSchema)),
  attributes: z.record(z.string(), z.object({ value: z.unknown(), source: z.enum(['customer', 'connector', 'code', 'context']), turn: z.number() })),
  /** Latest result of each connector action, keyed `connector.action`. */
  data: z.record(z.string(), z.unknown()),
  visited: z.array(z.object({ procedure: z.string(), stepId: z.string(), turn: z.number() })),
  transcript: z.array(z.object({ role: z.enum(['customer', 'agent']), text: z.string(), turn: z.number() })),
  /** The model's message history, append-only so the prompt prefix stays cacheable (a long one is sent from a later point: promptMemory.window). */
  history: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.unknown() })),
  /** tool_result blocks owed to the model, sent at the start of the next user message. */
  pendingToolResults: z.array(z.unknown()),
  /** A write action waiting for the customer's explicit agreement. */
  pendingConfirmation: z.object({ action: z.string(), input: z.unknown(), turn: z.number() }).nullable(),
  /** The input each connector action last ran with, as JSON: the runtime looks a read-only action up itself only for a new input. */
  actionInputs: z.record(z.string(), z.string()).optional(),
  progress: z.object({ lastProgressTurn: z.number(), connectorFailures: z.number(), loopStrikes: z.number() }),
  outcome: z
    .object({ kind: z.enum(['ended', 'handed_off', 'escalated']), reason: z.string(), team: z.string().nullable(), summary: z.string().nullable() })
    .nullable(),
  /**
   * Set while the conversation is handed off because the model failed (see outage.ts): where it
   * stopped, why, and the customer messages the model never saw. Absent in states saved before.
   */
  outage: outageSchema.nullable().optional(),
  /**
   * What the model has been shown (prompt.ts, prompt-ids.ts): each Procedure's id tag (only ever
   * added to), and the state lines it was last told with their turn (null: tell it the whole
   * state, as after the history was trimmed). Absent in states saved before.
   */
  promptMemory: z
    .object({
      tags: z.record(z.string(), z.string()),
      told: z.record(z.string(), z.string()).nullable(),
      turn: z.number().nullable(),
      /** Where the messages sent start in `history`, and the summary of what lies before (history-trim.ts). */
      window: z.object({ from: z.number().int().nonnegative(), summary: z.string().nullable() }).optional(),
    })
    .optional(),
  /** Labels from @tag in the parts of Procedures the conversation went through, for reporting. */
  tags: z.array(z.string()).default([]),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), cacheReadTokens: z.number(), cacheWriteTokens: z.number(), costUsd: z.number(), modelCalls: z.number() }),
});
export type ConversationState = z.infer<typeof conversationStateSchema>;

// ----- what the runtime works through -----------------------------------------------------------

export interface ProcedureCatalog {
  /** Live Procedures that can start a conversation (not sub-procedures). */
  routable(): Promise<{ name: string; trigger: string }[]>;
  /** A Procedure by name: the live version, or the draft when `draft`, or exactly `version` when given and still known. */
  load(name: string, options: { draft: boolean; version?: string }): Promise<CompiledProcedure | null>;
}

export interface ActionInfo {
  /** `connector.action` */
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  /** A write action: it needs the customer's explicit agreement before it runs. */
  confirm: boolean;
  /**
   * It only reads (an HTTP GET that needs no agreement): the runtime may call it on its own once
   * the step names it and its input is known (eager-actions.ts). Absent: it may change something.
   */
  readOnly?: boolean;
}

/** `record` is the whole exchange (redacted by the connector) for the trace; the model sees only `data`. */
export type ActionResult = ({ ok: true; data: unknown } | { ok: false; error: string }) & { record?: unknown };

export interface Connectors {
  describe(action: string): ActionInfo | undefined;
  execute(action: string, input: unknown, context: { conversationId: number; signal?: AbortSignal }): Promise<ActionResult>;
}

export interface KnowledgeHit {
  id: number;
  title: string;
  snippet: string;
  url: string | null;
}

export interface KnowledgeSearch {
  search(query: string, limit: number): KnowledgeHit[] | Promise<KnowledgeHit[]>;
}

export interface TraceEvent {
  type: string;
  /** Graph id of the step (or node) the event concerns, when there is one. */
  stepId?: string | null;
  payload: Record<string, unknown>;
}

/** Where conversations are kept: a network store (PostgreSQL) answers with promises, which the engine awaits. */
export interface ConversationPersistence {
  create(kind: 'preview' | 'simulation' | 'production'): number | Promise<number>;
  /** Saves the state, the new transcript lines and the trace of a turn, all or nothing. */
  saveTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): void | Promise<void>;
  load(conversationId: number): ConversationState | null | Promise<ConversationState | null>;
}
