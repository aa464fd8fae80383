// Field paths and the shape of a response-field selection (what the model may see of a response).
//
//   ["id", "data[0].status", "items[*].sku"]      pick: keep these fields where they are
//   { "status": "data[0].status",                  rename: one output field per entry, from a path
//     "started_on": { "path": "data[0].start_date", "as": "date" },
//     "items": { "path": "line_items", "fields": { "sku": "sku", "price": { "path": "price", "as": "number" } } } }
//
// A path is dot-separated names, each optionally followed by `[n]` (one element) or `[*]` (every
// element); a path may start with `[n]`/`[*]` when the response is a list.
import { z } from 'zod';

export type PathSegment = { kind: 'key'; name: string } | { kind: 'index'; index: number } | { kind: 'all' };

const SEGMENT = /([^.[\]]+)|\[(\d+|\*)\]/y;

/** Parses a field path, or returns why it is not one. */
export function parseFieldPath(path: string): PathSegment[] | string {
  const segments: PathSegment[] = [];
  let i = 0;
  while (i < path.length) {
    if (segments.length > 0 && path[i] === '.') {
      if (path[i + 1] === '[' || path[i + 1] === '.' || i + 1 >= path.length) return `"${path}" has a "." with no name after it`;
      i++;
    }
    SEGMENT.lastIndex = i;
    const match = SEGMENT.exec(path);
    if (!match) return `"${path}" is not a field path: write names separated by ".", with [0] or [*] for lists`;
    if (match[1] !== undefined) {
      if (segments.length > 0 && path[i - 1] !== '.') return `"${path}" needs a "." before "${match[1]}"`;
      segments.push({ kind: 'key', name: match[1] });
    } else {
      segments.push(match[2] === '*' ? { kind: 'all' } : { kind: 'index', index: Number(match[2]) });
    }
    i = SEGMENT.lastIndex;
  }
  if (segments.length === 0) return 'a field path cannot be empty';
  return segments;
}

export const fieldPathSchema = z.string().superRefine((path, context) => {
  const parsed = parseFieldPath(path);
  if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed });
});

export type FieldSpec = string | { path: string; as?: 'number' | 'string' | 'date' | undefined; fields?: ResponseFields | undefined };
export type ResponseFields = string[] | Record<string, FieldSpec>;

const outputName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'an output field name is letters, digits, "_" and "-"');

export const fieldSpecSchema: z.ZodType<FieldSpec> = z.union([
  fieldPathSchema,
  z.strictObject({
    path: fieldPathSchema,
    /** Converts the value: "24.00" → 24 (number), 1043 → "1043" (string), a timestamp → "2026-11-10" (date). */
    as: z.enum(['number', 'string', 'date']).optional(),
    /** A selection applied to the value (to each element of a list). */
    get fields() {
      return responseFieldsSchema.optional();
    },
  }),
]);

export const responseFieldsSchema: z.ZodType<ResponseFields> = z.union([
  z.array(fieldPathSchema).min(1, 'list at least one field, or leave responseFields out to show the whole response'),
  z.record(outputName, fieldSpecSchema).refine((fields) => Object.keys(fields).length > 0, { message: 'name at least one field' }),
]);
