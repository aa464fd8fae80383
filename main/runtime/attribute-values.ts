// Checks an attribute value against its declared type, with a message the model can act on.
import type { AttributeDecl, AttributeType } from '../../shared/procedure';

export type ValueCheck = { ok: true; value: unknown } | { ok: false; message: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkAttributeValue(decl: AttributeDecl, value: unknown): ValueCheck {
  const problem = typeProblem(decl.type, value, decl);
  return problem ? { ok: false, message: `${decl.name} must be ${problem}; got ${describe(value)}.` } : { ok: true, value };
}

function typeProblem(type: AttributeType, value: unknown, decl: Pick<AttributeDecl, 'values' | 'items'>): string | null {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? null : 'text';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'a number (not text)';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'true or false';
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ? null : 'a date written YYYY-MM-DD';
    case 'enum':
      return typeof value === 'string' && (decl.values ?? []).includes(value) ? null : `one of ${(decl.values ?? []).join(', ')}`;
    case 'list': {
      if (!Array.isArray(value)) return 'a list';
      if (!decl.items) return null;
      const bad = value.findIndex((item) => typeProblem(decl.items!, item, {}) !== null);
      return bad === -1 ? null : `a list of ${decl.items} values (item ${bad + 1} is not)`;
    }
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? null : 'an object';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
