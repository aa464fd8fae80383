// Imports actions from an OpenAPI 3 document: list its operations, pick some, and get a connector
// whose actions call them, each with an input schema built from the operation's parameters and
// request body. Writes get `confirm: true`; reads one retry. The response fields to show start as
// the success response's top-level plain fields: review them, since the model sees nothing else.
//
//   const document = readOpenApi(text);
//   listOperations(document);                                  // what can be imported
//   const { connector, warnings } = importOpenApi(document, { name: 'github', operations: ['issues/create'] });
import { connectorDefinitionSchema, type ConnectorAuth, type HttpConnector } from './definition';
import { shorten, toJsonSchema } from './openapi-json-schema';
import { deref, HTTP_METHODS, OpenApiImportError, operationSchema, parameterSchema, type OpenApiDocument, type OpenApiOperationObject } from './openapi-schema';
import { describeZodError } from '../validation/zod-error';

export { OpenApiImportError, readOpenApi } from './openapi-schema';

export interface OperationSummary {
  /** operationId, or "METHOD /path" when the operation has none. */
  id: string;
  method: string;
  path: string;
  summary: string;
  deprecated: boolean;
}

export interface ImportOptions {
  /** The connector's name (lowercase letters, digits, "_"). */
  name: string;
  /** operationIds, or "METHOD /path". */
  operations: string[];
  /** Overrides the document's first server. */
  baseUrl?: string;
  /** Actions to keep (another import into the same connector): imported actions replace those of the same name. */
  existing?: HttpConnector;
}

export interface ImportResult {
  connector: HttpConnector;
  /** Things the import could not carry over, one sentence each. */
  warnings: string[];
}

interface Located {
  method: (typeof HTTP_METHODS)[number];
  path: string;
  operation: OpenApiOperationObject;
  pathParameters: unknown[];
}

export function listOperations(document: OpenApiDocument): OperationSummary[] {
  return locate(document).map(({ method, path, operation }) => ({
    id: operation.operationId ?? `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    path,
    summary: operation.summary ?? '',
    deprecated: operation.deprecated ?? false,
  }));
}

export function importOpenApi(document: OpenApiDocument, options: ImportOptions): ImportResult {
  if (options.operations.length === 0) throw new OpenApiImportError('Pick at least one operation to import (see the list of operations).');
  const all = locate(document);
  const warnings: string[] = [];
  const picked = options.operations.map((wanted) => {
    const found = all.find(({ method, path, operation }) => operation.operationId === wanted || `${method} ${path}`.toLowerCase() === wanted.toLowerCase().replace(/\s+/, ' '));
    if (!found) throw new OpenApiImportError(`The document has no operation "${wanted}". Use an operationId or "METHOD /path".`);
    return found;
  });

  const usedNames = new Set(options.existing?.actions.map((action) => action.name));
  const imported = picked.map((located) => {
    const name = uniqueName(actionName(located), usedNames, options.existing !== undefined);
    return buildAction(document, located, name, warnings);
  });
  const importedNames = new Set(imported.map((action) => action.name));
  const actions = [...(options.existing?.actions.filter((action) => !importedNames.has(action.name)) ?? []), ...imported];

  const auth = options.existing?.auth ?? authFor(document, picked, options.name, warnings);
  const candidate = {
    kind: 'http',
    name: options.name,
    description: options.existing?.description ?? shorten(`${document.info.title}${document.info.version ? ` (${document.info.version})` : ''}`, 300),
    baseUrl: options.baseUrl ?? options.existing?.baseUrl ?? serverUrl(document),
    auth,
    allowedHosts: options.existing?.allowedHosts ?? [],
    allowInternalHosts: options.existing?.allowInternalHosts ?? false,
    actions,
  };
  const parsed = connectorDefinitionSchema.safeParse(candidate);
  if (!parsed.success) throw new OpenApiImportError(`The imported connector is not valid: ${describeZodError(parsed.error)}`);
  return { connector: parsed.data as HttpConnector, warnings };
}

function locate(document: OpenApiDocument): Located[] {
  const found: Located[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const raw = (item as Record<string, unknown>)[method];
      if (raw === undefined) continue;
      const operation = operationSchema.safeParse(raw);
      if (!operation.success) throw new OpenApiImportError(`${method.toUpperCase()} ${path} is not a valid operation: ${describeZodError(operation.error)}`);
      found.push({ method, path, operation: operation.data, pathParameters: item.parameters ?? [] });
    }
  }
  return found;
}

function actionName({ method, path, operation }: Located): string {
  const base = operation.operationId ?? `${method}_${path}`;
  const snake = base
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '');
  return (snake || method).slice(0, 60);
}

function uniqueName(name: string, used: Set<string>, replacing: boolean): string {
  let candidate = name;
  for (let index = 2; used.has(candidate) && !replacing; index++) candidate = `${name}_${index}`;
  used.add(candidate);
  return candidate;
}

function buildAction(document: OpenApiDocument, located: Located, name: string, warnings: string[]) {
  const { method, path, operation } = located;
  const where = `${method.toUpperCase()} ${path}`;
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  const inputName = (wanted: string) => {
    let candidate = wanted.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z_]+/, '') || 'value';
    for (let index = 2; candidate in properties; index++) candidate = `${wanted}_${index}`;
    return candidate;
  };

  // Operation parameters override path-level ones with the same name and place.
  const parameters = new Map<string, ReturnType<typeof parameterSchema.parse>>();
  for (const raw of [...located.pathParameters, ...(operation.parameters ?? [])]) {
    const parsed = parameterSchema.safeParse(deref(document, raw));
    if (!parsed.success) throw new OpenApiImportError(`${where} has a parameter that is not valid: ${describeZodError(parsed.error)}`);
    parameters.set(`${parsed.data.in}:${parsed.data.name}`, parsed.data);
  }
  let pathTemplate = path;
  for (const parameter of parameters.values()) {
    if (parameter.in === 'cookie') {
      warnings.push(`${where}: the cookie parameter "${parameter.name}" was left out; connectors do not send cookies.`);
      continue;
    }
    if (parameter.in === 'header' && ['authorization', 'proxy-authorization', 'cookie'].includes(parameter.name.toLowerCase())) continue;
    const property = inputName(parameter.name);
    const schema = toJsonSchema(document, parameter.schema ?? Object.values(parameter.content ?? {})[0]?.schema ?? { type: 'string' }, { input: true });
    properties[property] = { ...schema, ...(parameter.description ? { description: shorten(parameter.description) } : {}) };
    if (parameter.required || parameter.in === 'path') required.push(property);
    const placeholder = `{{input.${property}}}`;
    if (parameter.in === 'path') pathTemplate = pathTemplate.split(`{${parameter.name}}`).join(placeholder);
    else if (parameter.in === 'query') query[parameter.name] = placeholder;
    else headers[parameter.name] = placeholder;
  }

  let body: unknown;
  let bodyEncoding: 'json' | 'form' | undefined;
  if (operation.requestBody !== undefined) {
    const requestBody = deref<{ content?: Record<string, { schema?: unknown }>; required?: boolean }>(document, operation.requestBody);
    const content = requestBody.content ?? {};
    const type = Object.keys(content).find((candidate) => /json/i.test(candidate)) ?? Object.keys(content).find((candidate) => candidate === 'application/x-www-form-urlencoded');
    if (!type) {
      warnings.push(`${where}: its request body is ${Object.keys(content).join(', ') || 'empty'}, which connectors do not send; the action sends no body.`);
    } else {
      bodyEncoding = /json/i.test(type) ? 'json' : 'form';
      const schema = toJsonSchema(document, content[type]!.schema ?? {}, { input: true });
      const fields = schema.type === 'object' || schema.properties ? ((schema.properties ?? {}) as Record<string, unknown>) : null;
      if (fields && Object.keys(fields).length > 0) {
        const template: Record<string, string> = {};
        const requiredFields = new Set((schema.required as string[] | undefined) ?? []);
        for (const [field, fieldSchema] of Object.entries(fields)) {
          const property = field in properties ? inputName(`body_${field}`) : inputName(field);
          properties[property] = fieldSchema;
          template[field] = `{{input.${property}}}`;
          if (requestBody.required !== false && requiredFields.has(field)) required.push(property);
        }
        body = template;
      } else {
        properties.body = schema;
        if (requestBody.required) required.push('body');
        body = '{{input.body}}';
        if (bodyEncoding === 'form') bodyEncoding = 'json';
      }
    }
  }

  const isWrite = method !== 'get';
  const responseFields = responseFieldsFor(document, operation);
  if (!responseFields) warnings.push(`${where}: no response fields could be picked from its success response, so the model sees the whole response; choose responseFields.`);
  // The summary and the description's first paragraph: enough for the model to choose the action.
  const firstParagraph = operation.description?.trim().split(/\n\s*\n/)[0];
  const description = shorten([operation.summary, firstParagraph].filter((part): part is string => typeof part === 'string' && part.trim() !== '').join('. ') || `Calls ${where}.`, 400);
  if (operation.deprecated) warnings.push(`${where} is deprecated in the document.`);
  return {
    name,
    description,
    inputSchema: { type: 'object' as const, properties, ...(required.length > 0 ? { required: [...new Set(required)] } : {}) },
    method: method.toUpperCase() as 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: pathTemplate,
    ...(Object.keys(query).length > 0 ? { query } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(body !== undefined ? { body, bodyEncoding } : {}),
    ...(responseFields ? { responseFields } : {}),
    ...(isWrite ? { confirm: true } : { retries: 1 }),
  };
}

/** The plain (string, number, boolean) top-level fields of the success response, at most 20. */
function responseFieldsFor(document: OpenApiDocument, operation: OpenApiOperationObject): string[] | undefined {
  const responses = operation.responses ?? {};
  const key = ['200', '201', '202', '2XX', 'default'].find((candidate) => candidate in responses) ?? Object.keys(responses).find((candidate) => candidate.startsWith('2'));
  if (!key) return undefined;
  const response = deref<{ content?: Record<string, { schema?: unknown }> }>(document, responses[key]);
  const type = Object.keys(response.content ?? {}).find((candidate) => /json/i.test(candidate));
  if (!type) return undefined;
  const schema = toJsonSchema(document, response.content![type]!.schema ?? {}, { input: false });
  const scalars = (object: Record<string, unknown>) =>
    Object.entries((object.properties ?? {}) as Record<string, Record<string, unknown>>)
      .filter(([, property]) => {
        const types = ([] as unknown[]).concat(property.type ?? []);
        return types.some((candidate) => ['string', 'number', 'integer', 'boolean'].includes(candidate as string));
      })
      .map(([name]) => name)
      .slice(0, 20);
  if (schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))) {
    const fields = scalars((schema.items ?? {}) as Record<string, unknown>).map((name) => `[*].${name}`);
    return fields.length > 0 ? fields : undefined;
  }
  const fields = scalars(schema);
  return fields.length > 0 ? fields : undefined;
}

function serverUrl(document: OpenApiDocument): string {
  const server = document.servers?.[0];
  if (!server) throw new OpenApiImportError('The document names no server; give the base URL.');
  let url = server.url;
  for (const [variable, spec] of Object.entries(server.variables ?? {})) url = url.split(`{${variable}}`).join(spec.default);
  if (!/^https?:\/\//.test(url)) throw new OpenApiImportError(`The document's server "${server.url}" is not an absolute http(s) URL; give the base URL.`);
  return url.replace(/\/+$/, '');
}

/** The auth of the first security scheme the picked operations use; secrets named after the connector. */
function authFor(document: OpenApiDocument, picked: Located[], connector: string, warnings: string[]): ConnectorAuth {
  const requirements = picked.flatMap(({ operation }) => operation.security ?? document.security ?? []);
  const schemes = (document.components?.securitySchemes ?? {}) as Record<string, unknown>;
  for (const requirement of requirements) {
    for (const schemeName of Object.keys(requirement)) {
      const scheme = deref<{ type?: string; scheme?: string; in?: string; name?: string }>(document, schemes[schemeName]);
      if (!scheme) continue;
      if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') return { type: 'bearer', secret: `${connector}_token` };
      if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'basic') return { type: 'basic', usernameSecret: `${connector}_username`, passwordSecret: `${connector}_password` };
      if (scheme.type === 'apiKey' && (scheme.in === 'header' || scheme.in === 'query') && scheme.name) return { type: 'apiKey', in: scheme.in, name: scheme.name, secret: `${connector}_api_key` };
      if (scheme.type === 'oauth2' || scheme.type === 'openIdConnect') {
        warnings.push(`The API uses ${scheme.type}; the connector sends a bearer token from the secret "${connector}_token", which you obtain yourself.`);
        return { type: 'bearer', secret: `${connector}_token` };
      }
      warnings.push(`The security scheme "${schemeName}" (${scheme.type ?? 'unknown'}) is not supported; set the connector's auth yourself.`);
    }
  }
  return { type: 'none' };
}
