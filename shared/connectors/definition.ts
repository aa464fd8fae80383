// The connector definition model: what a connector is called, where it calls, how it
// authenticates and which actions a Procedure may name as `@connector.action`.
// Two kinds share one namespace: HTTP data connectors (`kind: "http"`, the default, so definitions
// stored before MCP servers existed still read) and MCP servers (`kind: "mcp"`), whose allow-listed
// tools are the actions `@server.tool`.
// Secrets appear only as names; their values live in a SecretStore. The schemas are strict, so a
// definition carrying anything else (a pasted token, say) is refused rather than stored.
import { z } from 'zod';
import { responseFieldsSchema } from './field-paths';

export type { ResponseFields, FieldSpec } from './field-paths';

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'use lowercase letters, digits and underscores, starting with a letter (it is written as @connector.action)');

/** An MCP tool's action name: what a Procedure can write after `@server.` (letters, digits, `_`, `-`). */
const toolActionName = z
  .string()
  .max(64)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'use letters, digits, "_" and "-", starting with a letter or "_" (it is written as @server.tool)');

export const secretName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'a secret is referenced by a name of letters, digits, "_", "." and "-", not by its value');

/** A string that may hold `{{input.x}}` placeholders, filled in when the action runs. */
const template = z.string().max(4000);

export const connectorAuthSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('bearer'), secret: secretName }),
  z
    .strictObject({
      type: z.literal('basic'),
      username: z.string().optional(),
      usernameSecret: secretName.optional(),
      passwordSecret: secretName,
    })
    .refine((auth) => (auth.username === undefined) !== (auth.usernameSecret === undefined), {
      message: 'basic auth takes either username or usernameSecret, not both and not neither',
    }),
  z.strictObject({ type: z.literal('apiKey'), in: z.enum(['header', 'query']), name: z.string().min(1), secret: secretName }),
]);

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const headersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'a header name is a single token, like X-Request-Id'), template)
  .refine((headers) => !Object.keys(headers).some((name) => CREDENTIAL_HEADERS.includes(name.toLowerCase())), {
    message: "credentials do not go in headers: set them with the connector's auth, which refers to secrets by name",
  });

/** A JSON Schema for the action's input; it must describe an object. */
export const inputSchemaSchema = z.looseObject({
  type: z.literal('object'),
  properties: z.record(z.string(), z.unknown()).optional(),
  required: z.array(z.string()).optional(),
});

// ----- mocks ------------------------------------------------------------------------------------

/**
 * A canned answer for previews and simulations. `when` matches the action's input (every key given
 * must be equal); `status` and `body` are the response the action would get; `error` injects a
 * failure of the transport instead; `times` limits it to the first N matching calls of a run.
 */
export const staticMockSchema = z
  .strictObject({
    when: z.record(z.string(), z.unknown()).optional(),
    status: z.number().int().min(100).max(599).default(200),
    body: z.unknown().optional(),
    error: z.enum(['timeout', 'network']).optional(),
    delayMs: z.number().int().min(0).max(60_000).optional(),
    times: z.number().int().min(1).optional(),
  })
  .refine((mock) => mock.error === undefined || mock.body === undefined, { message: 'a mock either injects an error or gives a body, not both' });

/** Python source, as one string or a list of lines (easier to read in JSON). */
const pythonSource = z
  .union([z.string(), z.array(z.string())])
  .transform((source) => (Array.isArray(source) ? source.join('\n') : source))
  .refine((source) => source.trim().length > 0, { message: 'the handler has no code' });

export const actionMocksSchema = z
  .strictObject({
    /** Tried in order; the first that matches answers. */
    responses: z.array(staticMockSchema).default([]),
    /**
     * A Python block run in the sandbox when no static response matches. It reads the action's input
     * as `data["input"]`, reads and changes the run's world in place as `attributes["world"]`, and
     * returns `{"response": {...}}` (and optionally `"status": 404`).
     */
    handler: pythonSource.optional(),
  })
  .refine((mocks) => mocks.responses.length > 0 || mocks.handler !== undefined, { message: 'give static responses, a handler, or both' });

// ----- HTTP connectors --------------------------------------------------------------------------

const IDEMPOTENT_METHODS = ['GET', 'PUT', 'DELETE'];

export const connectorActionSchema = z
  .strictObject({
    name: identifier,
    description: z.string().min(1, 'describe what the action does: the agent reads it'),
    inputSchema: inputSchemaSchema,
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    /** Path appended to the connector's baseUrl… */
    path: template.optional(),
    /** …or a full URL (its host must be allowed). */
    url: template.optional(),
    query: z.record(z.string(), template).optional(),
    /** A JSON value whose strings may hold placeholders, or a string sent as it is once filled in. */
    body: z.unknown().optional(),
    /** How the body is sent. Default: json for an object or list, form for a string. */
    bodyEncoding: z.enum(['json', 'form', 'text']).optional(),
    headers: headersSchema.optional(),
    /** The fields of the response the model may see; absent means all. See ./field-paths.ts. */
    responseFields: responseFieldsSchema.optional(),
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Extra attempts after a timeout, a dropped connection, 429 or 502–504. Idempotent calls only. */
    retries: z.number().int().min(0).max(5).optional(),
    /** A write the customer must confirm before it runs. */
    confirm: z.boolean().optional(),
    mocks: actionMocksSchema.optional(),
  })
  .superRefine((action, context) => {
    if ((action.path === undefined) === (action.url === undefined)) context.addIssue({ code: 'custom', path: ['path'], message: 'an action has either a path or a url' });
    const idempotencyKey = Object.keys(action.headers ?? {}).some((name) => name.toLowerCase() === 'idempotency-key');
    if ((action.retries ?? 0) > 0 && !IDEMPOTENT_METHODS.includes(action.method) && !idempotencyKey) {
      context.addIssue({
        code: 'custom',
        path: ['retries'],
        message: `a ${action.method} is not idempotent, so it is not retried: set retries to 0, or send an Idempotency-Key header the API honours`,
      });
    }
    if (action.method === 'GET' && action.body !== undefined) context.addIssue({ code: 'custom', path: ['body'], message: 'a GET sends no body; use query' });
    if (action.bodyEncoding === 'form' && action.body !== undefined && typeof action.body !== 'string' && !isPlainObject(action.body)) {
      context.addIssue({ code: 'custom', path: ['body'], message: 'a form body is a string or an object of fields' });
    }
  });

const uniqueActionNames = (connector: { actions: { name: string }[] }, context: z.RefinementCtx) => {
  const seen = new Set<string>();
  connector.actions.forEach((action, index) => {
    if (seen.has(action.name)) context.addIssue({ code: 'custom', path: ['actions', index, 'name'], message: `two actions are called "${action.name}"` });
    seen.add(action.name);
  });
};

export const httpConnectorSchema = z
  .strictObject({
    kind: z.literal('http'),
    name: identifier,
    description: z.string().default(''),
    baseUrl: z.url({ protocol: /^https?$/, message: 'baseUrl must be an http(s) URL' }),
    auth: connectorAuthSchema,
    /** Hosts the connector may call besides baseUrl's. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Whether private and loopback addresses may be called (mock servers, on-premise APIs). */
    allowInternalHosts: z.boolean().default(false),
    /** Largest response body read, in bytes; a bigger one fails the call. */
    maxResponseBytes: z.number().int().min(1024).max(50_000_000).default(1_000_000),
    actions: z.array(connectorActionSchema).min(1, 'a connector needs at least one action'),
  })
  .superRefine(uniqueActionNames);

// ----- MCP servers ------------------------------------------------------------------------------

const SECRET_LOOKING_ENV = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

const stdioTransportSchema = z.strictObject({
  type: z.literal('stdio'),
  command: z.string().min(1, 'say which program starts the server'),
  args: z.array(z.string()).default([]),
  /** The server's environment: plain values, or `{ "secret": "name" }` resolved when it starts. */
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and "_"'),
      z.union([z.string(), z.strictObject({ secret: secretName })]),
    )
    .default({})
    .superRefine((env, context) => {
      for (const [name, value] of Object.entries(env)) {
        if (typeof value === 'string' && SECRET_LOOKING_ENV.test(name) && value !== '') {
          context.addIssue({ code: 'custom', path: [name], message: `${name} looks like a credential: store it as a secret and write { "secret": "<name>" }` });
        }
      }
    }),
  cwd: z.string().min(1).optional(),
});

const httpTransportSchema = z.strictObject({
  type: z.literal('http'),
  /** The server's Streamable HTTP endpoint. */
  url: z.url({ protocol: /^https?$/, message: 'the MCP server url must be http(s)' }),
  auth: connectorAuthSchema.default({ type: 'none' }),
  headers: headersSchema.optional(),
});

export const mcpActionSchema = z.strictObject({
  /** What Procedures write after `@server.`; the tool's own name unless it has characters that can't be written there. */
  name: toolActionName,
  /** The server's name for the tool, when it differs from `name`. */
  tool: z.string().min(1).max(128).optional(),
  description: z.string().min(1, 'describe what the tool does: the agent reads it'),
  /** The tool's input schema as the server listed it. */
  inputSchema: inputSchemaSchema,
  confirm: z.boolean().optional(),
  /** Applied to the tool's structured content (or to its text parsed as JSON). */
  responseFields: responseFieldsSchema.optional(),
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
  mocks: actionMocksSchema.optional(),
});

export const mcpServerSchema = z
  .strictObject({
    kind: z.literal('mcp'),
    name: identifier,
    description: z.string().default(''),
    transport: z.discriminatedUnion('type', [stdioTransportSchema, httpTransportSchema]),
    /** Whether an http transport may reach private and loopback addresses. */
    allowInternalHosts: z.boolean().default(false),
    /** How long connecting may take, in milliseconds. */
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
    /** The allow-list: the server's tools Procedures may use, each an action. */
    actions: z.array(mcpActionSchema).default([]),
  })
  .superRefine(uniqueActionNames);

// ----- either -----------------------------------------------------------------------------------

export const connectorDefinitionSchema = z.preprocess(
  // Definitions from before MCP servers have no kind: they are HTTP connectors.
  (value) => (isPlainObject(value) && !('kind' in value) ? { kind: 'http', ...value } : value),
  z.discriminatedUnion('kind', [httpConnectorSchema, mcpServerSchema], { error: 'kind is "http" (a data connector) or "mcp" (an MCP server)' }),
);

export type HttpConnector = z.infer<typeof httpConnectorSchema>;
export type McpServer = z.infer<typeof mcpServerSchema>;
export type ConnectorDefinition = z.infer<typeof connectorDefinitionSchema>;
export type ConnectorDefinitionInput = z.input<typeof httpConnectorSchema> | Omit<z.input<typeof httpConnectorSchema>, 'kind'> | z.input<typeof mcpServerSchema>;
export type ConnectorAuth = z.infer<typeof connectorAuthSchema>;
export type ConnectorAction = z.infer<typeof connectorActionSchema>;
export type McpAction = z.infer<typeof mcpActionSchema>;
export type StaticMock = z.infer<typeof staticMockSchema>;
export type ActionMocks = z.infer<typeof actionMocksSchema>;

/** The names of the secrets an auth setting needs. */
export function authSecretNames(auth: ConnectorAuth): string[] {
  switch (auth.type) {
    case 'none':
      return [];
    case 'bearer':
    case 'apiKey':
      return [auth.secret];
    case 'basic':
      return [auth.passwordSecret, ...(auth.usernameSecret ? [auth.usernameSecret] : [])];
  }
}

/** The names of the secrets a connector needs. */
export function secretNames(connector: ConnectorDefinition): string[] {
  if (connector.kind === 'http') return authSecretNames(connector.auth);
  const { transport } = connector;
  if (transport.type === 'http') return authSecretNames(transport.auth);
  return Object.values(transport.env).flatMap((value) => (typeof value === 'string' ? [] : [value.secret]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
