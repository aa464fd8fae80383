// The connector definition model: what a connector is called, where it calls, how it
// authenticates and which actions a Procedure may name as `@connector.action`.
// Secrets appear only as names; their values live in a SecretStore. The schemas are strict, so a
// definition carrying anything else (a pasted token, say) is refused rather than stored.
import { z } from 'zod';

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'use lowercase letters, digits and underscores, starting with a letter (it is written as @connector.action)');

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

/** A JSON Schema for the action's input; it must describe an object. */
export const inputSchemaSchema = z.looseObject({
  type: z.literal('object'),
  properties: z.record(z.string(), z.unknown()).optional(),
  required: z.array(z.string()).optional(),
});

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
    body: z.unknown().optional(),
    headers: z
      .record(z.string(), template)
      .refine((headers) => !Object.keys(headers).some((name) => CREDENTIAL_HEADERS.includes(name.toLowerCase())), {
        message: 'credentials do not go in headers: set them with the connector\'s auth, which refers to secrets by name',
      })
      .optional(),
    /** The fields of the response the model may see, as dotted paths; absent means all. */
    responseFields: z.array(z.string().min(1)).optional(),
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    retries: z.number().int().min(0).max(5).optional(),
    /** A write the customer must confirm before it runs. */
    confirm: z.boolean().optional(),
  })
  .refine((action) => (action.path === undefined) !== (action.url === undefined), { message: 'an action has either a path or a url' });

export const connectorDefinitionSchema = z
  .strictObject({
    name: identifier,
    description: z.string().default(''),
    baseUrl: z.url({ protocol: /^https?$/, message: 'baseUrl must be an http(s) URL' }),
    auth: connectorAuthSchema,
    /** Hosts the connector may call besides baseUrl's. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Whether private and loopback addresses may be called (mock servers, on-premise APIs). */
    allowInternalHosts: z.boolean().default(false),
    actions: z.array(connectorActionSchema).min(1, 'a connector needs at least one action'),
  })
  .superRefine((connector, context) => {
    const seen = new Set<string>();
    connector.actions.forEach((action, index) => {
      if (seen.has(action.name)) context.addIssue({ code: 'custom', path: ['actions', index, 'name'], message: `two actions are called "${action.name}"` });
      seen.add(action.name);
    });
  });

export type ConnectorDefinition = z.infer<typeof connectorDefinitionSchema>;
export type ConnectorDefinitionInput = z.input<typeof connectorDefinitionSchema>;
export type ConnectorAuth = z.infer<typeof connectorAuthSchema>;
export type ConnectorAction = z.infer<typeof connectorActionSchema>;

/** The names of the secrets a connector needs. */
export function secretNames(connector: ConnectorDefinition): string[] {
  const { auth } = connector;
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
