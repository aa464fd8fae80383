// Conversations of the production server: the engine's ConversationPersistence over the
// conversation store, saving each turn through the production repository so the turn, its webhook
// outbox rows and its idempotency record land in one transaction. What the engine does not pass
// (the external id of a new conversation, the Idempotency-Key of a post) travels with the request
// in an AsyncLocalStorage context.
import { AsyncLocalStorage } from 'node:async_hooks';
import { WorkspacePersistence } from '../runtime/workspace-services';
import type { ConversationPersistence, ConversationState, TraceEvent } from '../runtime/types';
import type { ProductionRepository } from '../store/production';
import type { ConversationStore } from '../store/repositories';
import { mainProcedure, turnResponse, webhookEvents, type TurnResponse } from './turn-response';

export interface RequestContext {
  externalId?: string | null;
  idempotency?: { keyId: number; key: string; requestHash: string };
  /** Set by the save of the customer's turn: what the API answers (and a retry gets again). */
  saved?: TurnResponse;
}

const requestContext = new AsyncLocalStorage<RequestContext>();

export function withRequestContext<T>(context: RequestContext, work: () => Promise<T>): Promise<T> {
  return requestContext.run(context, work);
}

export class ProductionPersistence implements ConversationPersistence {
  private readonly base: WorkspacePersistence;

  /** `currentSet`: the bundle set new conversations start on, recorded with each conversation's first save. */
  constructor(
    private readonly store: ConversationStore,
    private readonly production: ProductionRepository,
    private readonly currentSet: () => string | null = () => null,
  ) {
    this.base = new WorkspacePersistence(store);
  }

  async create(): Promise<number> {
    const externalId = requestContext.getStore()?.externalId ?? null;
    return (await this.store.conversations.create({ kind: 'production', externalId })).id;
  }

  async saveTurn(conversationId: number, state: ConversationState, newMessages: { role: 'customer' | 'agent'; text: string }[], trace: TraceEvent[]): Promise<void> {
    const context = requestContext.getStore() ?? {};
    const { history, ...rest } = state;
    const procedure = mainProcedure(state);
    const at = new Date().toISOString();
    const customerTurn = newMessages.some((message) => message.role === 'customer');
    const response = turnResponse(state, newMessages);
    // The external id is read only for a turn that owes a webhook (few do).
    const owesWebhook = trace.some((event) => event.type === 'handoff' || event.type === 'escalation');
    const externalId = owesWebhook ? ((await this.store.conversations.get(conversationId))?.externalId ?? null) : null;
    const outbox = webhookEvents(state, trace, { externalId, procedure, at }).map((event) => ({ event: event.event, body: JSON.stringify(event) }));
    await this.production.saveTurn(
      conversationId,
      {
        state: rest,
        history,
        status: state.status,
        newMessages: newMessages.map((message) => ({ role: message.role, content: message.text })),
        trace: trace.map((event) => ({ type: event.type, stepId: event.stepId ?? null, payload: event.payload })),
      },
      {
        procedure,
        // Kept only by the first save (the store keeps the first one): a later turn may run on an earlier set.
        bundleSet: this.currentSet(),
        outbox,
        ...(context.idempotency && customerTurn ? { idempotency: { ...context.idempotency, response: JSON.stringify(response) } } : {}),
      },
    );
    if (customerTurn) context.saved = response;
  }

  load(conversationId: number): Promise<ConversationState | null> {
    return this.base.load(conversationId);
  }
}
