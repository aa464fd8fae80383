// `{{input.x}}` placeholders in URLs, query values, headers and bodies, filled from an action's
// input. Only the input is reachable: secrets never go through templates (they come from the
// connector's auth), so a template cannot leak one into a URL or a body.
//
// A template that is exactly one placeholder takes the input's value as it is (a list stays a list in
// a JSON body), and is left out when the input has no such value. Inside longer text the value is
// written as text, encoded for where it goes (a URL path segment, a form field).

const PLACEHOLDER = /\{\{\s*input((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*)\s*\}\}/g;
const WHOLE = /^\{\{\s*input((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\])*)\s*\}\}$/;
const ANY_BRACES = /\{\{[^}]*\}\}/;

/** Thrown when a template cannot be filled: names the placeholder and where it is. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

export const MISSING = Symbol('missing');

/** The input value a placeholder path names, or MISSING. */
function lookup(input: unknown, path: string): unknown {
  let value: unknown = input;
  for (const part of path.match(/[A-Za-z_][A-Za-z0-9_-]*|\d+/g) ?? []) {
    if (Array.isArray(value) && /^\d+$/.test(part)) value = value[Number(part)];
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, part)) value = (value as Record<string, unknown>)[part];
    else return MISSING;
    if (value === undefined) return MISSING;
  }
  return value;
}

export function asText(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function checkPlaceholders(template: string, where: string) {
  const stripped = template.replace(PLACEHOLDER, '');
  const stray = ANY_BRACES.exec(stripped);
  if (stray) throw new TemplateError(`${where}: "${stray[0]}" is not a placeholder; write {{input.name}} with a field of the action's input`);
}

/**
 * Fills a text template. `encode` is applied to each inserted value. A missing value is an error
 * when `required`, else empty text. A template that is one placeholder with a missing value gives MISSING.
 */
export function fillText(template: string, input: unknown, where: string, options: { encode?: (text: string) => string; required?: boolean } = {}): string | typeof MISSING {
  checkPlaceholders(template, where);
  const whole = WHOLE.exec(template);
  if (whole && !options.required && lookup(input, whole[1]!) === MISSING) return MISSING;
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const value = lookup(input, path);
    if (value === MISSING) {
      if (options.required) throw new TemplateError(`${where}: the input has no value for {{input${path}}}, which the URL needs`);
      return '';
    }
    const text = asText(value);
    return options.encode ? options.encode(text) : text;
  });
}

/** `.` or `..`, also percent-encoded (`%2e%2E`): URL parsing removes these and the one before. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Fills a URL or path template. Each value is percent-encoded, so an input cannot add a segment
 * (`/`), a query or a fragment. An input that turns a whole path segment into `.` or `..` is refused:
 * `/orders/{{input.id}}/items` with `..` would otherwise reach `/items` of the level above.
 */
export function fillUrlTemplate(template: string, input: unknown, where: string): string {
  checkPlaceholders(template, where);
  const end = template.search(/[?#]/);
  const path = end === -1 ? template : template.slice(0, end);
  const rest = end === -1 ? '' : template.slice(end);
  const fill = (text: string) => fillText(text, input, where, { encode: encodeURIComponent, required: true }) as string;
  // Placeholders never contain "/", so each segment of the template is filled on its own.
  const segments = path.split('/').map((segment) => {
    const filled = fill(segment);
    if (filled !== segment && DOT_SEGMENT.test(filled)) {
      throw new TemplateError(`${where}: the input makes the path segment "${filled}", which would move up the URL's path; "." and ".." are not allowed as values here`);
    }
    return filled;
  });
  return segments.join('/') + fill(rest);
}

/** Fills every string of a JSON value. Whole-placeholder strings keep the input's value and type; missing ones drop their key. */
export function fillJson(value: unknown, input: unknown, where: string): unknown {
  if (typeof value === 'string') {
    checkPlaceholders(value, where);
    const whole = WHOLE.exec(value);
    if (whole) return lookup(input, whole[1]!);
    return fillText(value, input, where);
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      const filled = fillJson(item, input, `${where}[${index}]`);
      return filled === MISSING ? null : filled;
    });
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const filled = fillJson(item, input, `${where}.${key}`);
      if (filled !== MISSING) out[key] = filled;
    }
    return out;
  }
  return value;
}

/** application/x-www-form-urlencoded with bracketed nesting (`metadata[order]=1043`, `items[0]=a`), as Stripe reads it. */
export function formEncode(value: Record<string, unknown>): string {
  const pairs: string[] = [];
  const add = (key: string, item: unknown) => {
    if (item === undefined || item === MISSING) return;
    if (Array.isArray(item)) item.forEach((element, index) => add(`${key}[${index}]`, element));
    else if (typeof item === 'object' && item !== null) for (const [child, nested] of Object.entries(item)) add(`${key}[${child}]`, nested);
    else pairs.push(`${encodeURIComponent(key)}=${encodeURIComponent(asText(item))}`);
  };
  for (const [key, item] of Object.entries(value)) add(key, item);
  return pairs.join('&');
}
