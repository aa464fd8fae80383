// The connectors screen's calls: list the workspace's HTTP connectors and MCP servers (each action
// with the Procedures that name it, each secret with whether a value is stored, the last try),
// save and delete a definition, set and delete secrets by name (a value goes in, never comes out),
// try an action mocked or live, import OpenAPI operations, and list an MCP server's tools.
import { z } from 'zod';

const connectorName = z.string().trim().min(1).max(100);
const jsonObject = z.record(z.string(), z.unknown());

export const ConnectorTryStatusSchema = z.strictObject({
  ok: z.boolean(),
  action: z.string(),
  mode: z.enum(['mock', 'live']),
  /** ISO time of the try. */
  at: z.string(),
  /** The error of a failed try. */
  error: z.string().nullable(),
});

export const ConnectorSecretStatusSchema = z.strictObject({
  name: z.string(),
  /** Whether the secret store holds a value for it. The value itself never leaves the engine. */
  present: z.boolean(),
});

export const ConnectorActionViewSchema = z.strictObject({
  name: z.string(),
  description: z.string(),
  confirm: z.boolean(),
  /** Names of the Procedures whose draft names `@connector.action`. */
  usedBy: z.array(z.string()),
});

export const ConnectorViewSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['http', 'mcp']),
  description: z.string(),
  /** The stored definition (secrets appear in it by name only). */
  definition: jsonObject,
  actions: z.array(ConnectorActionViewSchema),
  secrets: z.array(ConnectorSecretStatusSchema),
  /** What it asks for that nobody approved: it does not run live until someone does. */
  pending: z.array(z.strictObject({ kind: z.enum(['command', 'secret', 'internal-hosts']), name: z.string(), description: z.string() })),
  lastTry: ConnectorTryStatusSchema.nullable(),
});
export type ConnectorView = z.infer<typeof ConnectorViewSchema>;

export const ConnectorTryInputSchema = z.strictObject({
  /** `connector.action` */
  action: z.string().trim().min(3).max(300),
  input: jsonObject.default({}),
  mode: z.enum(['mock', 'live']).default('mock'),
  world: z.string().trim().min(1).max(200).optional(),
});

export const ConnectorTryResultSchema = z.strictObject({
  action: z.string(),
  mode: z.enum(['mock', 'live']),
  ok: z.boolean(),
  /** What was sent (live) or would have been (mock), secrets masked. */
  request: z.unknown(),
  status: z.number().nullable(),
  durationMs: z.number(),
  attempts: z.number(),
  response: z.unknown(),
  /** The selected fields: what the model sees. Null when the call failed. */
  shown: z.unknown(),
  error: z.string().nullable(),
  world: z.strictObject({ changed: z.boolean(), after: jsonObject }).optional(),
});
export type ConnectorTryResult = z.infer<typeof ConnectorTryResultSchema>;

export const OpenApiOperationSchema = z.strictObject({ id: z.string(), method: z.string(), path: z.string(), summary: z.string(), deprecated: z.boolean() });
export type OpenApiOperation = z.infer<typeof OpenApiOperationSchema>;

const openApiText = z.string().min(1, 'choose an OpenAPI file').max(10_000_000);

export const McpToolViewSchema = z.strictObject({ name: z.string(), description: z.string(), inputSchema: jsonObject, allowed: z.boolean() });

export const WorldSummarySchema = z.strictObject({ name: z.string(), description: z.string(), updatedAt: z.string() });
const worldName = z.string().trim().min(1).max(64);

const ok = z.strictObject({ ok: z.literal(true) });
const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });

export const connectorCallSpecs = {
  'connectors.list': call('Every connector and MCP server, with its actions, their users, its secrets and its last try.', z.strictObject({}), z.array(ConnectorViewSchema)),
  'connectors.save': call(
    'Saves a definition, checked by the engine\'s own schema; nothing is saved when it is invalid. A new connector is approved by this act; an edit keeps the approvals it had and gains none.',
    /** `create`: a new connector; a name already taken is refused instead of replaced. */
    z.strictObject({ definition: z.unknown(), create: z.boolean().default(false) }),
    ConnectorViewSchema,
  ),
  'connectors.approve': call(
    'Approves what a connector asks for (a command, a secret, internal hosts), each named and checked against its definition as it stands.',
    z.strictObject({ name: connectorName, capabilities: z.array(z.strictObject({ kind: z.enum(['command', 'secret', 'internal-hosts']), name: z.string().max(100).default('') })).min(1, 'say what to approve') }),
    ConnectorViewSchema,
  ),
  'connectors.delete': call('Deletes a connector (refused while a Procedure names one of its actions).', z.strictObject({ name: connectorName }), ok),
  'connectors.setSecret': call(
    'Stores a secret value under its name for a connector that names it; the value is never sent back.',
    z.strictObject({ connector: connectorName, name: z.string().trim().min(1).max(100), value: z.string().min(1, 'type the value').max(100_000) }),
    ConnectorSecretStatusSchema,
  ),
  'connectors.deleteSecret': call('Deletes a stored secret value by name.', z.strictObject({ name: z.string().trim().min(1).max(100) }), ConnectorSecretStatusSchema),
  'connectors.try': call('Runs one action with sample input, mocked or live: the request (secrets masked), the response, what the model sees, the time.', ConnectorTryInputSchema, ConnectorTryResultSchema),
  'connectors.openApiOperations': call('The operations of an OpenAPI 3 document (JSON or YAML text).', z.strictObject({ document: openApiText }), z.array(OpenApiOperationSchema)),
  'connectors.importOpenApi': call(
    'Creates actions from chosen OpenAPI operations; `preview` returns them without saving.',
    z.strictObject({ document: openApiText, name: connectorName, operations: z.array(z.string().min(1)).min(1, 'pick at least one operation'), baseUrl: z.string().trim().max(2000).optional(), preview: z.boolean().default(false) }),
    z.strictObject({ definition: jsonObject, warnings: z.array(z.string()), saved: z.boolean() }),
  ),
  'connectors.mcpTools': call(
    "Connects to an MCP server and lists its tools with their schemas; `allow` saves the allow-list. A failure to connect is an answer (state 'failed' with the error), not an error.",
    z.strictObject({ name: connectorName, allow: z.array(z.string().min(1)).optional() }),
    z.strictObject({ state: z.enum(['connected', 'failed']), error: z.string().nullable(), tools: z.array(McpToolViewSchema) }),
  ),
  'connectors.worlds': call('The mock worlds mocked runs start from.', z.strictObject({}), z.array(WorldSummarySchema)),
  'connectors.world': call('One mock world, as JSON.', z.strictObject({ name: worldName }), z.strictObject({ name: z.string(), description: z.string(), world: jsonObject })),
  'connectors.saveWorld': call('Adds or replaces a mock world; it must be a JSON object, or nothing is saved.', z.strictObject({ name: worldName, description: z.string().max(2000).default(''), world: z.unknown() }), WorldSummarySchema),
  'connectors.runWorld': call(
    "A mocked run's final world beside the world it started from (null where there is none: a run that never changed its world).",
    z.strictObject({ conversationId: z.number().int().positive() }),
    z.strictObject({ conversationId: z.number(), startedFrom: z.string().nullable(), initial: jsonObject.nullable(), final: jsonObject.nullable() }),
  ),
} as const;
