// The conversation engine: starts conversations, runs one agent turn per customer message, persists
// the state after every turn and streams trace events to listeners. Plain Node: the app's preview,
// simulations and the production server all drive this same class.
import { z } from 'zod';
import { EscalationPolicySchema, type EscalationPolicy } from './escalation';
import { mayResumeAfterOutage } from './outage';
import type { RuntimeServices } from './services';
import { ZERO_USAGE } from '../model/usage';
import { Turn } from './turn';
import { DEFAULT_LIMITS, type TurnLimits } from './turn-rules';
import type { ConversationPersistence, ConversationState, TraceEvent } from './types';

export interface ConversationEngineOptions extends RuntimeServices {
  persistence: ConversationPersistence;
  limits?: Partial<TurnLimits>;
  escalation?: Partial<EscalationPolicy>;
  /** The conversation clock is frozen at start from this. */
  clock?: () => Date;
}

export interface TurnResult {
  conversationId: number;
  replies: string[];
  status: ConversationState['status'];
  outcome: ConversationState['outcome'];
  modelCalls: number;
  toolCalls: number;
  /** Handed off by a model outage, and the customer's next message will resume the conversation. */
  resumable: boolean;
  /** The turn's trace events in order: the same events `subscribe` listeners received, and saved with the turn. */
  trace: TraceEvent[];
}

export type EngineListener = (conversationId: number, event: TraceEvent) => void;
/**
 * A reply as the model writes it (streaming only); the finished reply also arrives as an event.
 * `withdrawn`: the response broke off mid-way, drop the partial text (see ReplyStreamListener).
 */
export type ReplyListener = (conversationId: number, textSoFar: string, withdrawn?: boolean) => void;

export class ConversationClosedError extends Error {}

const RECENT_STATES = 200;

const customerMessageSchema = z.string().trim().min(1, 'The message is empty.').max(20_000, 'The message is longer than 20,000 characters.');

export class ConversationEngine {
  private readonly listeners = new Set<EngineListener>();
  private readonly replyListeners = new Set<ReplyListener>();
  private readonly queues = new Map<number, Promise<unknown>>();
  /**
   * States of recent conversations as saved after their last turn, so the next turn need not read
   * them back. Only this engine drives its conversations; a turn that fails drops its entry, and
   * the stored state is read again.
   */
  private readonly recent = new Map<number, ConversationState>();
  private readonly limits: TurnLimits;
  private readonly policy: EscalationPolicy;

  constructor(private readonly options: ConversationEngineOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.policy = EscalationPolicySchema.parse(options.escalation ?? {});
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  subscribeReplies(listener: ReplyListener): () => void {
    this.replyListeners.add(listener);
    return () => this.replyListeners.delete(listener);
  }

  /** Starts a conversation, optionally straight into a Procedure and with attributes the channel knows. */
  async start(options: { kind: 'preview' | 'simulation' | 'production'; procedure?: string; attributes?: Record<string, unknown> } = { kind: 'preview' }): Promise<number> {
    const id = await this.options.persistence.create(options.kind);
    const state = initialState(id, (this.options.clock ?? (() => new Date()))());
    const trace: TraceEvent[] = [];
    for (const [name, value] of Object.entries(options.attributes ?? {})) {
      state.attributes[name] = { value, source: 'context', turn: 0 };
      trace.push({ type: 'attribute_set', payload: { name, value, source: 'context' } });
    }
    if (options.procedure) {
      const procedure = await this.options.catalog.load(options.procedure, { draft: this.options.draft });
      if (!procedure) throw new Error(`There is no ${this.options.draft ? '' : 'live '}Procedure called "${options.procedure}".`);
      const first = procedure.steps[0]?.id ?? '';
      state.stack.push({ procedure: procedure.name, version: procedure.version, stepId: first, decided: {}, ran: [], kind: 'main' });
      state.visited.push({ procedure: procedure.name, stepId: first, turn: 0 });
      trace.push({ type: 'procedure_start', stepId: first, payload: { procedure: procedure.name, version: procedure.version, kind: 'main' } });
      trace.push({ type: 'step_enter', stepId: first, payload: { procedure: procedure.name, revisit: false } });
    }
    for (const event of trace) this.notify(id, event);
    await this.options.persistence.saveTurn(id, state, [], trace);
    return id;
  }

  /** One customer message in; the agent's turn out. Turns of one conversation run one at a time. */
  send(conversationId: number, text: string): Promise<TurnResult> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.runTurn(conversationId, text));
    this.queues.set(conversationId, next);
    // The last turn queued removes the entry: an engine that serves for months keeps none per idle conversation.
    const settled = () => {
      if (this.queues.get(conversationId) === next) this.queues.delete(conversationId);
    };
    next.then(settled, settled);
    return next;
  }

  /**
   * Drops the state this engine remembers of a conversation: another engine is running its turn,
   * and the next turn here must read the state that turn saves.
   */
  forget(conversationId: number): void {
    this.recent.delete(conversationId);
  }

  async state(conversationId: number): Promise<ConversationState | null> {
    return await this.options.persistence.load(conversationId);
  }

  private remember(conversationId: number, state: ConversationState) {
    this.recent.delete(conversationId);
    this.recent.set(conversationId, state);
    if (this.recent.size > RECENT_STATES) this.recent.delete(this.recent.keys().next().value!);
  }

  private async runTurn(conversationId: number, text: string): Promise<TurnResult> {
    const message = customerMessageSchema.parse(text);
    const stored = this.recent.get(conversationId) ?? (await this.options.persistence.load(conversationId));
    this.recent.delete(conversationId);
    if (!stored) throw new Error(`There is no conversation ${conversationId}.`);
    // A new message after the end opens a new topic in the same conversation.
    const state: ConversationState = stored.status === 'ended' ? { ...stored, outcome: null, status: 'active' } : stored;
    // A handoff made because the model was down is the exception: the Turn re-opens it (outage.ts).
    if ((state.status === 'handed_off' || state.status === 'escalated') && !mayResumeAfterOutage(state, this.policy)) {
      throw new ConversationClosedError(`Conversation ${conversationId} is with a person now (${state.outcome?.team ?? 'a team'}).`);
    }
    const turn = new Turn(
      state,
      this.options,
      this.limits,
      this.policy,
      (event) => this.notify(conversationId, event),
      (text, withdrawn) => {
        for (const listener of this.replyListeners) {
          try {
            listener(conversationId, text, withdrawn);
          } catch {
            // Called from inside the model stream: a failing listener must not look like a broken response.
          }
        }
      },
    );
    const output = await turn.run(message);
    const next = output.state;
    await this.options.persistence.saveTurn(conversationId, next, output.newMessages, output.trace);
    this.remember(conversationId, next);
    return {
      conversationId,
      replies: output.replies,
      status: next.status,
      outcome: next.outcome,
      modelCalls: output.modelCalls,
      toolCalls: output.toolCalls,
      resumable: mayResumeAfterOutage(next, this.policy),
      trace: output.trace,
    };
  }

  private notify(conversationId: number, event: TraceEvent) {
    for (const listener of this.listeners) {
      try {
        listener(conversationId, event);
      } catch {
        // A failing listener (a closed window, say) must not break the conversation.
      }
    }
  }
}

/** A new conversation's state: nothing known yet, the clock frozen at `now`. */
export function initialState(id: number, now: Date): ConversationState {
  return {
    id,
    status: 'waiting',
    turn: 0,
    clock: { now: now.toISOString() },
    stack: [],
    paused: [],
    attributes: {},
    data: {},
    visited: [],
    transcript: [],
    history: [],
    pendingToolResults: [],
    pendingConfirmation: null,
    progress: { lastProgressTurn: 0, connectorFailures: 0, loopStrikes: 0 },
    outcome: null,
    outage: null,
    tags: [],
    usage: { ...ZERO_USAGE, costUsd: 0, modelCalls: 0 },
  };
}
