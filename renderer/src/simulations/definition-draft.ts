// A simulation being edited: the definition as a plain object (what the form and the raw view both
// edit), checked with the very schema the engine runs simulations with, its problems keyed by field
// path so each shows next to its field. The raw view is YAML (JSON is YAML too, so either pastes in).
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { simulationDefinitionSchema } from '../../../shared/simulations/definition';

export type Draft = Record<string, unknown>;

/** Problems by field path ("customer.persona", "criteria.0.name"); "" for the whole definition. */
export type Problems = Record<string, string>;

export const EMPTY_DEFINITION: Draft = {
  description: '',
  customer: { persona: '', reason: '', known: '', unknown: '', behaviour: [] },
  connectors: { mode: 'mock' },
  criteria: [{ name: '', assertion: '' }],
  maxTurns: 10,
  tags: [],
};

export function problemsOf(draft: Draft): Problems {
  const parsed = simulationDefinitionSchema.safeParse(draft);
  if (parsed.success) return {};
  const problems: Problems = {};
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    // Unknown keys: zod names them in the message, not the path.
    const key = issue.code === 'unrecognized_keys' ? [path, ...issue.keys].filter(Boolean).join('.') : path;
    problems[key] ??= issue.message;
  }
  return problems;
}

/** The problem at a path, or one inside it ("criteria.0" shows "criteria.0.name"'s). */
export function problemAt(problems: Problems, path: string): string | null {
  if (problems[path]) return problems[path]!;
  const inside = Object.keys(problems).find((key) => key.startsWith(`${path}.`));
  return inside ? problems[inside]! : null;
}

export function toYaml(draft: Draft): string {
  return stringifyYaml(draft, { lineWidth: 0 });
}

/** The raw text back as a definition object, or why it is not one. */
export function fromYaml(text: string): { draft: Draft } | { error: string } {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    return { error: `Not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'A simulation is an object of fields (persona, criteria…), not a list or a single value.' };
  return { draft: value as Draft };
}

/** Reads a field by path. */
export function getAt(draft: Draft, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), draft);
}

/** A copy with the field at `path` set (undefined removes it), creating objects and lists on the way. */
export function setAt(draft: Draft, path: string, value: unknown): Draft {
  const [head, ...rest] = path.split('.');
  const copy: Record<string, unknown> | unknown[] = Array.isArray(draft) ? [...(draft as unknown[])] : { ...draft };
  const key = head!;
  const current = (copy as Record<string, unknown>)[key];
  const next = rest.length === 0 ? value : setAt((current !== null && typeof current === 'object' ? current : /^\d+$/.test(rest[0]!) ? [] : {}) as Draft, rest.join('.'), value);
  if (next === undefined && !Array.isArray(copy)) delete (copy as Record<string, unknown>)[key];
  else (copy as Record<string, unknown>)[key] = next;
  return copy as Draft;
}

/** Tags as typed ("smoke, refunds") to the list the definition holds. */
export function tagsFromText(text: string): string[] {
  return text.split(/[,\s]+/).map((tag) => tag.trim()).filter(Boolean);
}
