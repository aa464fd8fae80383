// The OpenAPI 3.1 document served at /openapi.json, generated from the zod schemas the server
// validates with (api-schemas.ts), so the two cannot drift apart.
import { z } from 'zod';
import * as api from './api-schemas';

type Schema = z.ZodType;

function json(schema: Schema, io: 'input' | 'output' = 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { description: 'An error: a code and a message.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));

const ok = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema: json(schema) } } });

function queryParameters(schema: z.ZodObject) {
  const properties = (json(schema, 'input').properties ?? {}) as Record<string, unknown>;
  return Object.entries(properties).map(([name, property]) => ({ name, in: 'query', required: false, schema: property }));
}

const idParameter = { name: 'id', in: 'path', required: true, schema: json(api.conversationIdSchema, 'input') };

export function openApiDocument(options: { maxMessageChars: number; version: string }) {
  return {
    openapi: '3.1.0',
    info: { title: 'Stepwise production server', version: options.version, description: 'Conversations with the support agent, on signed bundles. Every route but /healthz, /readyz and /openapi.json needs a bearer API key.' },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A client API key (stepwise serve-keys create).' } },
      schemas: { Error: json(api.errorSchema) },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/v1/conversations': {
        post: {
          summary: 'Create a conversation (idempotent on externalId)',
          requestBody: { required: true, content: { 'application/json': { schema: json(api.createConversationSchema, 'input') } } },
          responses: { '201': ok(api.conversationStateSchema, 'Created.'), '200': ok(api.conversationStateSchema, 'A conversation with this externalId already existed.'), ...errors(400, 401, 403, 413, 415, 422, 429) },
        },
        get: { summary: 'List conversations, newest first', parameters: queryParameters(api.listConversationsQuerySchema), responses: { '200': ok(api.conversationListSchema, 'The page.'), ...errors(400, 401, 403, 429) } },
      },
      '/v1/conversations/{id}': { get: { summary: "A conversation's state", parameters: [idParameter], responses: { '200': ok(api.conversationStateSchema, 'The state.'), ...errors(400, 401, 403, 404, 429) } } },
      '/v1/conversations/{id}/messages': {
        post: {
          summary: "Post the customer's message; the agent's turn answers (whole, or as server-sent events)",
          parameters: [idParameter, { name: 'Idempotency-Key', in: 'header', required: false, schema: json(api.idempotencyKeySchema, 'input'), description: 'A retried post with the same key returns the same turn and never runs it twice.' }],
          requestBody: { required: true, content: { 'application/json': { schema: json(api.postMessageSchema(options.maxMessageChars), 'input') } } },
          responses: {
            '200': {
              description: 'The turn. With stream: text/event-stream of `reply` events (the reply so far), then one `turn` event holding the same JSON as the whole answer.',
              content: { 'application/json': { schema: json(api.turnResponseSchema) }, 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      '/v1/conversations/{id}/transcript': { get: { summary: 'The transcript', parameters: [idParameter], responses: { '200': ok(api.transcriptSchema, 'Messages in order.'), ...errors(401, 403, 404, 429) } } },
      '/v1/conversations/{id}/trace': { get: { summary: 'The trace', parameters: [idParameter], responses: { '200': ok(api.traceSchema, 'Trace events in order.'), ...errors(401, 403, 404, 429) } } },
      '/v1/conversations/{id}/close': { post: { summary: 'Close a conversation (later messages are refused)', parameters: [idParameter], responses: { '200': ok(api.conversationStateSchema, 'Closed.'), ...errors(401, 403, 404, 429) } } },
      '/v1/admin/reload': { post: { summary: 'Reload the bundles (admin)', responses: { '200': ok(api.reloadSchema, 'The new set serves new conversations.'), ...errors(401, 403, 422, 429) } } },
      '/v1/admin/bundles': { get: { summary: 'Loaded bundles and Procedures (admin)', responses: { '200': ok(api.bundlesSchema, 'The current set.'), ...errors(401, 403, 429) } } },
      '/v1/admin/keys': { get: { summary: 'API key fingerprints (admin)', responses: { '200': ok(api.keysSchema, 'Every key, never its token.'), ...errors(401, 403, 429) } } },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { '200': { description: 'The process answers.' } } } },
      '/readyz': { get: { summary: 'Readiness: bundles loaded and the database reachable', security: [], responses: { '200': { description: 'Ready.' }, '503': { description: 'Not ready.' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics (admin key unless metrics are public)', responses: { '200': { description: 'Prometheus text format.' } } } },
    },
  };
}
