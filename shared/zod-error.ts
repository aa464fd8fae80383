// One line per problem zod found, each with where it is, for error messages people read.
import type { z } from 'zod';

export function describeZodError(error: z.ZodError, limit = 5): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[') : '(top level)';
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > limit) lines.push(`…and ${error.issues.length - limit} more`);
  return lines.join('; ');
}
