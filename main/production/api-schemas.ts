// The production HTTP API's requests and answers, declared once with zod: the server validates
// every request with these, and /openapi.json is generated from the very same schemas.
import { z } from 'zod';
import { CONVERSATION_STATUSES } from '../../shared/conversation-status';

export const MAX_MESSAGE_CHARS = 20_000;

const externalId = z.string().trim().min(1).max(200).describe('Your id for this conversation (a ticket or chat id). Creating again with the same id returns the first conversation.');
const attributeValue = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);

export const createConversationSchema = z.strictObject({
  externalId: externalId.optional(),
  attributes: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'attribute names are letters, digits and "_", starting with a letter or "_"'), attributeValue)
    .refine((record) => Object.keys(record).length <= 50, 'at most 50 attributes')
    .optional()
    .describe('What the channel already knows about the customer (name, email, plan…), set before the first message.'),
  procedure: z.string().min(1).max(200).optional().describe('Start straight in this live Procedure instead of routing the first message.'),
});

const postMessageSchemas = new Map<number, ReturnType<typeof buildPostMessageSchema>>();

/** The message schema for a server's limit, built once per limit (building a zod schema per request shows in profiles). */
export function postMessageSchema(maxChars: number) {
  let schema = postMessageSchemas.get(maxChars);
  if (!schema) postMessageSchemas.set(maxChars, (schema = buildPostMessageSchema(maxChars)));
  return schema;
}

function buildPostMessageSchema(maxChars: number) {
  return z.strictObject({
    text: z.string().trim().min(1, 'The message is empty.').max(maxChars, `The message is longer than ${maxChars.toLocaleString('en')} characters.`),
    stream: z.boolean().optional().describe('Answer with server-sent events (also chosen by Accept: text/event-stream).'),
  });
}

export const listConversationsQuerySchema = z.strictObject({
  status: z.enum(CONVERSATION_STATUSES).optional(),
  procedure: z.string().min(1).max(200).optional(),
  startedAfter: z.iso.datetime().optional(),
  startedBefore: z.iso.datetime().optional(),
  before: z.coerce.number().int().positive().optional().describe('Only conversations with a smaller id (the next page: the last id of this one).'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const conversationIdSchema = z.coerce
  .number({ error: 'it must be a whole number, as in /v1/conversations/42' })
  .int({ error: 'it must be a whole number, as in /v1/conversations/42' })
  .positive({ error: 'it must be 1 or more' });

export const idempotencyKeySchema = z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const outcomeSchema = z.object({ kind: z.enum(['ended', 'handed_off', 'escalated']), reason: z.string(), team: z.string().nullable(), summary: z.string().nullable() }).nullable();

export const conversationSchema = z.object({
  id: z.number().int(),
  externalId: z.string().nullable(),
  status: z.enum(CONVERSATION_STATUSES),
  procedure: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});

export const conversationStateSchema = conversationSchema.extend({
  turn: z.number().int(),
  attributes: z.record(z.string(), z.unknown()),
  outcome: outcomeSchema,
  stack: z.array(z.object({ procedure: z.string(), version: z.string(), stepId: z.string() })),
  usage: z.object({ modelCalls: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() }),
});

export const turnResponseSchema = z.object({
  conversationId: z.number().int(),
  turn: z.number().int(),
  replies: z.array(z.string()),
  status: z.enum(CONVERSATION_STATUSES),
  outcome: outcomeSchema,
});

export const transcriptSchema = z.object({ messages: z.array(z.object({ seq: z.number(), role: z.string(), content: z.string(), createdAt: z.string() })) });
export const traceSchema = z.object({ events: z.array(z.object({ seq: z.number(), type: z.string(), stepId: z.string().nullable(), payload: z.record(z.string(), z.unknown()), at: z.string() })) });
export const conversationListSchema = z.object({ conversations: z.array(conversationSchema), next: z.number().int().nullable() });

export const bundlesSchema = z.object({
  setHash: z.string(),
  loadedAt: z.string(),
  bundles: z.array(z.object({ file: z.string(), fingerprint: z.string(), manifestHash: z.string(), createdAt: z.string(), procedures: z.array(z.string()) })),
  procedures: z.array(z.object({ name: z.string(), version: z.string(), trigger: z.string().nullable(), subProcedure: z.boolean() })),
});
export const keysSchema = z.object({ keys: z.array(z.object({ name: z.string(), scope: z.enum(['conversations', 'admin']), fingerprint: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })) });
export const reloadSchema = z.object({ reloaded: z.boolean(), setHash: z.string() });
