// Works out which attributes a snippet wrote and checks them against the declared types.
//
// Runs in the engine, not in the sandbox: the interpreter only reports the attributes as they ended up
// and the dict the block returned; the trusted side decides what that means.
import { jsonEqual, type JsonObject, type JsonValue } from './json';
import type { AttributeDecl } from './types';

export interface WriteReport {
  /** attributes as the request gave them */
  before: JsonObject;
  /** attributes as the code left them */
  after: JsonObject;
  /** the dict a code block returned, if any */
  returned: JsonObject | null;
  /** line (in the snippet) of the last `attributes[key] = ...` per key */
  writeLines: Record<string, number>;
  /** line (in the snippet) of the `return` that ran */
  returnLine: number | null;
  declared: AttributeDecl[];
}

export type WriteOutcome =
  | { ok: true; writes: Record<string, JsonValue> }
  | { ok: false; message: string; line: number | null };

function isPlainObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Field names that JavaScript gives a meaning of their own. Merging a returned dict, or following a
 * dotted key, assigns fields by name: "customer.__proto__.isAdmin" would set the prototype of the
 * customer object instead of a field. So they are refused as field names in what code returns.
 */
const RESERVED_FIELD_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

/** The first reserved field name anywhere inside `value` (a JSON value, so finite and acyclic). */
function reservedFieldIn(value: JsonValue): string | null {
  const pending: JsonValue[] = [value];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (Array.isArray(current)) pending.push(...current);
    else if (isPlainObject(current)) {
      for (const [key, item] of Object.entries(current)) {
        if (RESERVED_FIELD_NAMES.has(key)) return key;
        pending.push(item);
      }
    }
  }
  return null;
}

const RESERVED_REASON = 'a name JavaScript reserves, which can\'t be a field of an attribute';

function deepMerge(target: JsonValue | undefined, source: JsonObject): JsonObject {
  const merged: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(source)) {
    const existing = merged[key];
    merged[key] = isPlainObject(value) && isPlainObject(existing) ? deepMerge(existing, value) : value;
  }
  return merged;
}

function setPath(target: JsonValue | undefined, path: string[], value: JsonValue): JsonObject {
  const copy: JsonObject = isPlainObject(target) ? { ...target } : {};
  const [head, ...rest] = path;
  if (head === undefined) return copy;
  copy[head] = rest.length === 0 ? value : setPath(copy[head], rest, value);
  return copy;
}

const EXPECTED: Record<AttributeDecl['type'], string> = {
  string: 'text',
  number: 'a number',
  boolean: 'True or False',
  date: 'a date (text like "2024-05-10")',
  enum: 'one of its listed values',
  list: 'a list',
  object: 'a dict',
};

/** How a JSON value looks to someone who wrote Python. */
export function describeValue(value: JsonValue): string {
  if (value === null) return 'None';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `text (${JSON.stringify(shown)})`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  return 'a dict';
}

function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Why `value` doesn't fit `decl`, or null if it does. None (null) always fits: it clears the attribute. */
export function typeProblem(decl: AttributeDecl, value: JsonValue): string | null {
  if (value === null) return null;
  let fits: boolean;
  switch (decl.type) {
    case 'string':
      fits = typeof value === 'string';
      break;
    case 'number':
      fits = typeof value === 'number';
      break;
    case 'boolean':
      fits = typeof value === 'boolean';
      break;
    case 'date':
      fits = typeof value === 'string' && isIsoDate(value);
      break;
    case 'enum':
      fits = typeof value === 'string' && (decl.values === undefined || decl.values.includes(value));
      if (!fits && decl.values) {
        const allowed = decl.values.map((v) => JSON.stringify(v)).join(', ');
        return `attribute '${decl.name}' must be one of ${allowed}, but the code set it to ${describeValue(value)}`;
      }
      break;
    case 'list':
      fits = Array.isArray(value);
      break;
    case 'object':
      fits = isPlainObject(value);
      break;
  }
  if (fits) return null;
  let hint = '';
  if (decl.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) {
    hint = '. Use .date() to keep only the date';
  } else if (decl.type === 'number' && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) {
    hint = '. Convert it with float(...) or int(...)';
  }
  return `attribute '${decl.name}' must be ${EXPECTED[decl.type]}, but the code set it to ${describeValue(value)}${hint}`;
}

export function computeAttributeWrites(report: WriteReport): WriteOutcome {
  const declared = new Map(report.declared.map((decl) => [decl.name, decl]));
  const writes = new Map<string, JsonValue>();
  const lines = new Map<string, number | null>();

  for (const [key, value] of Object.entries(report.after)) {
    if (!jsonEqual(value, report.before[key])) {
      writes.set(key, value);
      lines.set(key, report.writeLines[key] ?? null);
    }
  }
  for (const key of Object.keys(report.before)) {
    if (!(key in report.after)) {
      writes.set(key, null);
      lines.set(key, null);
    }
  }

  for (const [key, value] of Object.entries(report.returned ?? {})) {
    const current = (name: string): JsonValue | undefined => (writes.has(name) ? writes.get(name) : report.after[name]);
    const decl = declared.get(key);
    const dot = key.indexOf('.');
    const reservedInKey = key.split('.').find((part) => RESERVED_FIELD_NAMES.has(part));
    if (reservedInKey !== undefined) {
      return { ok: false, message: `the returned key '${key}' uses '${reservedInKey}', ${RESERVED_REASON}`, line: report.returnLine };
    }
    const reservedInValue = reservedFieldIn(value);
    if (reservedInValue !== null) {
      const target = decl || dot <= 0 ? key : key.slice(0, dot);
      return {
        ok: false,
        message: `the returned dict for attribute '${target}' holds the key '${reservedInValue}', ${RESERVED_REASON}`,
        line: report.returnLine,
      };
    }
    if (decl || dot <= 0) {
      // A whole attribute. A dict returned for an object attribute updates it in place.
      const merged = decl?.type === 'object' && isPlainObject(value) ? deepMerge(current(key), value) : value;
      writes.set(key, merged);
    } else {
      // "customer.tier": a nested key inside an object attribute.
      const head = key.slice(0, dot);
      const path = key.slice(dot + 1).split('.');
      if (path.some((part) => part === '')) {
        return { ok: false, message: `the returned key '${key}' is not a valid attribute path`, line: report.returnLine };
      }
      const headDecl = declared.get(head);
      if (headDecl && headDecl.type !== 'object') {
        return {
          ok: false,
          message: `the returned key '${key}' sets a field inside attribute '${head}', but '${head}' is ${EXPECTED[headDecl.type]}, not a dict`,
          line: report.returnLine,
        };
      }
      writes.set(head, setPath(current(head), path, value));
      lines.set(head, report.returnLine);
      continue;
    }
    lines.set(key, report.returnLine);
  }

  const names = [...declared.keys()].sort().join(', ') || 'none';
  const result: Record<string, JsonValue> = {};
  for (const [key, value] of writes) {
    const decl = declared.get(key);
    const line = lines.get(key) ?? null;
    if (!decl) {
      return {
        ok: false,
        message: `the code sets attribute '${key}', which this Procedure doesn't declare (declared: ${names})`,
        line,
      };
    }
    const problem = typeProblem(decl, value);
    if (problem) return { ok: false, message: problem, line };
    result[key] = value;
  }
  return { ok: true, writes: result };
}
