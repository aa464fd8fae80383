// Applies a response-field selection (./field-paths.ts) to a response: the model sees the result
// and nothing else. Missing fields are left out of a pick and are null in a rename, so the model
// can tell "not there" from a wrong guess.
import { parseFieldPath, type FieldSpec, type PathSegment, type ResponseFields } from './field-paths';

/** What the model may see of `response`. Without a selection, all of it. */
export function selectFields(response: unknown, fields: ResponseFields | undefined): unknown {
  if (fields === undefined) return response;
  if (Array.isArray(fields)) return pick(response, fields);
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) out[name] = extract(response, spec);
  return out;
}

// ----- rename form ----------------------------------------------------------------------------

function extract(value: unknown, spec: FieldSpec): unknown {
  const { path, as, fields } = typeof spec === 'string' ? { path: spec, as: undefined, fields: undefined } : spec;
  let found = get(value, segments(path));
  if (as) found = mapLeaves(found, (leaf) => convert(leaf, as));
  if (fields !== undefined && found !== null) found = Array.isArray(found) ? found.map((item) => selectFields(item, fields)) : selectFields(found, fields);
  return found === undefined ? null : found;
}

/** The value at a path; `[*]` gives a list of what is under each element. */
function get(value: unknown, path: PathSegment[]): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [PathSegment, ...PathSegment[]];
  if (head.kind === 'all') return Array.isArray(value) ? value.map((item) => get(item, rest) ?? null) : null;
  if (head.kind === 'index') return Array.isArray(value) && head.index < value.length ? get(value[head.index], rest) : null;
  return isObject(value) && Object.prototype.hasOwnProperty.call(value, head.name) ? get(value[head.name], rest) : null;
}

function mapLeaves(value: unknown, convertLeaf: (leaf: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map((item) => mapLeaves(item, convertLeaf)) : convertLeaf(value);
}

function convert(value: unknown, as: 'number' | 'string' | 'date'): unknown {
  if (value === null || value === undefined) return null;
  switch (as) {
    case 'number': {
      if (typeof value === 'number') return value;
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      return Number.isFinite(number) ? number : null;
    }
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'date': {
      // Unix seconds (Stripe) → the UTC date; an ISO timestamp (Shopify) → the date as it is written there.
      if (typeof value === 'number') return Number.isFinite(value) ? new Date(value * 1000).toISOString().slice(0, 10) : null;
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
      return null;
    }
  }
}

// ----- pick form --------------------------------------------------------------------------------

/** Which parts of a value to keep: all of it, or some keys and elements. */
type Mask = true | { keys: Map<string, Mask>; elements: Map<number | '*', Mask> };

function pick(value: unknown, paths: string[]): unknown {
  let mask: Mask | undefined;
  for (const path of paths) mask = merge(mask, maskOf(segments(path)));
  return mask === undefined ? {} : (applyMask(value, mask) ?? (Array.isArray(value) ? [] : {}));
}

function maskOf(path: PathSegment[]): Mask {
  if (path.length === 0) return true;
  const [head, ...rest] = path as [PathSegment, ...PathSegment[]];
  const mask: Mask = { keys: new Map(), elements: new Map() };
  if (head.kind === 'key') mask.keys.set(head.name, maskOf(rest));
  else mask.elements.set(head.kind === 'all' ? '*' : head.index, maskOf(rest));
  return mask;
}

function merge(a: Mask | undefined, b: Mask | undefined): Mask | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a === true || b === true) return true;
  const keys = new Map(a.keys);
  for (const [key, mask] of b.keys) keys.set(key, merge(keys.get(key), mask)!);
  const elements = new Map(a.elements);
  for (const [index, mask] of b.elements) elements.set(index, merge(elements.get(index), mask)!);
  return { keys, elements };
}

function applyMask(value: unknown, mask: Mask): unknown {
  if (mask === true) return value;
  if (Array.isArray(value)) {
    if (mask.elements.size === 0) return undefined;
    const kept: unknown[] = [];
    value.forEach((item, index) => {
      const elementMask = merge(mask.elements.get(index), mask.elements.get('*'));
      if (elementMask === undefined) return;
      const picked = applyMask(item, elementMask);
      if (picked !== undefined) kept.push(picked);
    });
    return kept;
  }
  if (isObject(value)) {
    if (mask.keys.size === 0) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, keyMask] of mask.keys) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      const picked = applyMask(value[key], keyMask);
      if (picked !== undefined) out[key] = picked;
    }
    return out;
  }
  return undefined;
}

function segments(path: string): PathSegment[] {
  const parsed = parseFieldPath(path);
  // Definitions are validated before they run, so this only guards against a programming error.
  if (typeof parsed === 'string') throw new TypeError(parsed);
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
