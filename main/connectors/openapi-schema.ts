// Reading an OpenAPI 3 document (JSON or YAML): the parts the importer uses, checked with zod, and
// local `$ref`s resolved. Everything else in the document is left alone.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeZodError } from '../validation/zod-error';

const refObject = z.looseObject({ $ref: z.string() });
const anyObject = z.record(z.string(), z.unknown());

export const parameterSchema = z.looseObject({
  name: z.string().min(1),
  in: z.enum(['path', 'query', 'header', 'cookie']),
  description: z.string().optional(),
  required: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  schema: anyObject.optional(),
  content: z.record(z.string(), z.looseObject({ schema: anyObject.optional() })).optional(),
});
export type OpenApiParameter = z.infer<typeof parameterSchema>;

export const operationSchema = z.looseObject({
  operationId: z.string().optional(),
  summary: z.string().optional(),
  description: z.string().optional(),
  deprecated: z.boolean().optional(),
  parameters: z.array(z.union([refObject, anyObject])).optional(),
  requestBody: z.union([refObject, anyObject]).optional(),
  responses: z.record(z.string(), z.unknown()).optional(),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});
export type OpenApiOperationObject = z.infer<typeof operationSchema>;

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

export const openApiDocumentSchema = z.looseObject({
  openapi: z.string().regex(/^3\.\d+(\.\d+)?/, 'this is not an OpenAPI 3 document (Swagger 2.0 needs converting first)'),
  info: z.looseObject({ title: z.string().default(''), version: z.string().optional(), description: z.string().optional() }).default({ title: '' }),
  servers: z.array(z.looseObject({ url: z.string(), variables: z.record(z.string(), z.looseObject({ default: z.string() })).optional() })).optional(),
  paths: z.record(z.string(), z.looseObject({ parameters: z.array(z.unknown()).optional() })),
  components: z.looseObject({ securitySchemes: z.record(z.string(), z.unknown()).optional() }).optional(),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});
export type OpenApiDocument = z.infer<typeof openApiDocumentSchema>;

/** Thrown for a document or a choice the importer cannot use; the message says which and why. */
export class OpenApiImportError extends Error {
  override name = 'OpenApiImportError';
}

/** Parses JSON or YAML text into a checked OpenAPI 3 document. */
export function readOpenApi(text: string, source = 'the document'): OpenApiDocument {
  let raw: unknown;
  try {
    raw = /^\s*\{/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 });
  } catch (error) {
    throw new OpenApiImportError(`${source} is neither JSON nor YAML: ${(error as Error).message}`);
  }
  const parsed = openApiDocumentSchema.safeParse(raw);
  if (!parsed.success) throw new OpenApiImportError(`${source} is not an OpenAPI 3 document: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** Follows a local `$ref` ("#/components/schemas/Issue"). Remote references are not fetched. */
export function resolveRef(document: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new OpenApiImportError(`The reference "${ref}" points outside the document; only local references (#/…) are read.`);
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(key in node)) throw new OpenApiImportError(`The reference "${ref}" does not resolve: there is no "${key}".`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** An object that may be a `$ref`, resolved (following chains of references). */
export function deref<T = Record<string, unknown>>(document: OpenApiDocument, value: unknown, seen: Set<string> = new Set()): T {
  let current = value;
  while (typeof current === 'object' && current !== null && typeof (current as { $ref?: unknown }).$ref === 'string') {
    const ref = (current as { $ref: string }).$ref;
    if (seen.has(ref)) throw new OpenApiImportError(`The reference "${ref}" refers back to itself.`);
    seen.add(ref);
    current = resolveRef(document, ref);
  }
  return current as T;
}
