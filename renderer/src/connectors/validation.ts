// The editor's checks are the engine's own: the definition is parsed with the zod schema the store
// uses (shared/connectors/definition.ts), and each issue is placed next to the field at its path.
import { connectorDefinitionSchema } from '../../../shared/connectors/definition';

/** Issue messages by field path ("baseUrl", "actions.0.retries"); the first issue of a path wins. */
export type FieldErrors = Record<string, string>;

// The schema's messages name its keys ("baseUrl must be an http(s) URL"); next to a field they are
// said with the field's label, as the form shows it.
const FIELD_WORDS: [RegExp, string][] = [
  [/^baseUrl must be an http\(s\) URL$/, 'Base URL must start with http:// or https://'],
  [/^the MCP server url must be http\(s\)$/, 'URL must start with http:// or https://'],
  [/^basic auth takes either username or usernameSecret, not both and not neither$/, 'Basic authentication takes a username or a username secret: one of the two, not both'],
];

/** An engine message in the words of the form's labels. */
export function fieldWords(message: string): string {
  for (const [pattern, words] of FIELD_WORDS) if (pattern.test(message)) return words;
  return message;
}

export function validateDefinition(draft: unknown): FieldErrors {
  const parsed = connectorDefinitionSchema.safeParse(draft);
  if (parsed.success) return {};
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.map(String).join('.');
    errors[key] ??= fieldWords(issue.message);
  }
  return errors;
}

/** The error for a field, including those of its parts (an auth's secret under "auth"). */
export function errorAt(errors: FieldErrors, path: string, nested = false): string | null {
  if (errors[path]) return errors[path]!;
  if (!nested) return null;
  const child = Object.keys(errors).find((key) => key.startsWith(`${path}.`));
  return child ? `${child.slice(path.length + 1)}: ${errors[child]}` : null;
}

/** Errors whose field the form does not show, so none is left unsaid. */
export function unplacedErrors(errors: FieldErrors, placed: readonly string[]): string[] {
  return Object.entries(errors)
    .filter(([key]) => !placed.some((path) => key === path || key.startsWith(`${path}.`)))
    .map(([key, message]) => (key ? `${key}: ${message}` : message));
}

/** A copy of `value` with `path` set; `undefined` removes the key. */
export function setAt<T>(value: T, path: (string | number)[], next: unknown): T {
  if (path.length === 0) return next as T;
  const [head, ...rest] = path;
  const container = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  const child = setAt(container[head!] ?? (typeof rest[0] === 'number' ? [] : {}), rest, next);
  if (child === undefined) delete container[head!];
  else container[head!] = child;
  return container as T;
}
