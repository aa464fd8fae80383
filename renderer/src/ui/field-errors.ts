// The errors a form shows under its fields, from the contract's zod schema: one message a field
// (the first, the one to fix first), keyed by the field the issue's path starts with.
import type { z } from 'zod';

export function errorsByField<Field extends string>(error: z.ZodError): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  for (const issue of error.issues) errors[issue.path[0] as Field] ??= issue.message;
  return errors;
}
