// The "Try action" form, generated from an action's input schema: one control per property, typed
// by the schema (text, number, yes/no, a choice of its enum; anything else as JSON).
export type InputControl =
  | { kind: 'text' | 'number' | 'integer' | 'boolean' | 'json'; name: string; required: boolean; description: string }
  | { kind: 'enum'; name: string; required: boolean; description: string; options: string[] };

export function inputControls(schema: unknown): InputControl[] {
  const object = (schema ?? {}) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const required = new Set(object.required ?? []);
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const base = { name, required: required.has(name), description: typeof property.description === 'string' ? property.description : '' };
    if (Array.isArray(property.enum) && property.enum.every((option) => typeof option === 'string')) return { ...base, kind: 'enum', options: property.enum as string[] };
    switch (property.type) {
      case 'string':
        return { ...base, kind: 'text' };
      case 'number':
        return { ...base, kind: 'number' };
      case 'integer':
        return { ...base, kind: 'integer' };
      case 'boolean':
        return { ...base, kind: 'boolean' };
      default:
        return { ...base, kind: 'json' };
    }
  });
}

/** The input object from the form's texts: empty fields left out, numbers and JSON parsed. Throws naming the field at fault. */
export function inputFromForm(controls: readonly InputControl[], values: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const control of controls) {
    const raw = values[control.name] ?? '';
    if (control.kind === 'boolean') {
      if (raw !== '') input[control.name] = raw === 'true';
      continue;
    }
    if (raw.trim() === '') continue;
    if (control.kind === 'number' || control.kind === 'integer') {
      const number = Number(raw);
      if (!Number.isFinite(number) || (control.kind === 'integer' && !Number.isInteger(number))) throw new Error(`${control.name}: type ${control.kind === 'integer' ? 'a whole number' : 'a number'}`);
      input[control.name] = number;
    } else if (control.kind === 'json') {
      try {
        input[control.name] = JSON.parse(raw);
      } catch {
        throw new Error(`${control.name}: type a JSON value`);
      }
    } else input[control.name] = raw;
  }
  return input;
}
