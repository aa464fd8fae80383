// OpenAPI schema objects → plain JSON Schema for an action's `input_schema`: local `$ref`s inlined
// (recursion cut off), OpenAPI 3.0's `nullable` and boolean `exclusiveMinimum` rewritten, read-only
// properties dropped from inputs, and documentation-only keys (examples, xml, `x-…`) left out, so
// the model gets a schema it can follow and Ajv one it can compile.
import { deref, type OpenApiDocument } from './openapi-schema';

const KEPT = new Set([
  'type', 'description', 'enum', 'const', 'format', 'default', 'title',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
  'properties', 'required', 'items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'nullable',
]);

const MAX_DEPTH = 8;
const MAX_DESCRIPTION = 600;

export function toJsonSchema(document: OpenApiDocument, schema: unknown, options: { input: boolean }, depth = 0, refs: string[] = []): Record<string, unknown> {
  if (typeof schema !== 'object' || schema === null) return {};
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') {
    if (refs.includes(ref)) return { description: `(recursive: ${ref.split('/').pop()})` };
    return toJsonSchema(document, deref(document, schema), options, depth, [...refs, ref]);
  }
  if (depth > MAX_DEPTH) return {};
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!KEPT.has(key)) continue;
    switch (key) {
      case 'properties': {
        const properties: Record<string, unknown> = {};
        for (const [name, property] of Object.entries((value ?? {}) as Record<string, unknown>)) {
          const resolved = resolved_(document, property);
          if (options.input && resolved.readOnly === true) continue;
          properties[name] = toJsonSchema(document, property, options, depth + 1, refs);
        }
        out.properties = properties;
        break;
      }
      case 'items':
      case 'not':
        out[key] = toJsonSchema(document, value, options, depth + 1, refs);
        break;
      case 'additionalProperties':
        out[key] = typeof value === 'boolean' ? value : toJsonSchema(document, value, options, depth + 1, refs);
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf':
        if (Array.isArray(value)) out[key] = value.map((item) => toJsonSchema(document, item, options, depth + 1, refs));
        break;
      case 'description':
        if (typeof value === 'string' && value.trim()) out.description = shorten(value);
        break;
      case 'nullable':
        break;
      default:
        out[key] = value;
    }
  }
  // OpenAPI 3.0: `exclusiveMinimum: true` qualifies `minimum`; JSON Schema gives the bound itself.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else delete out[flag];
    }
  }
  if (source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  if (Array.isArray(out.required) && out.properties && typeof out.properties === 'object') {
    const present = out.properties as Record<string, unknown>;
    out.required = (out.required as string[]).filter((name) => name in present);
    if ((out.required as string[]).length === 0) delete out.required;
  }
  return out;
}

function resolved_(document: OpenApiDocument, schema: unknown): Record<string, unknown> {
  try {
    return deref(document, schema);
  } catch {
    return {};
  }
}

export function shorten(text: string, max = MAX_DESCRIPTION): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
