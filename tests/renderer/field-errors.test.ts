// The errors the knowledge and team forms show under their fields (renderer/src/ui/field-errors.ts):
// the first message of each field the contract's schema refused, a nested issue under its field.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KnowledgeArticleInputSchema } from '../../shared/api';
import { errorsByField } from '../../renderer/src/ui/field-errors';

function refused(schema: z.ZodType, input: unknown): z.ZodError {
  const checked = schema.safeParse(input);
  if (checked.success) throw new Error('expected the schema to refuse the input');
  return checked.error;
}

describe('errors by field', () => {
  it('gives each refused field its message, and none to the fields that passed', () => {
    const error = refused(KnowledgeArticleInputSchema, { title: ' ', body: 'Text.', url: 'ftp://x', tags: [] });
    expect(errorsByField(error)).toEqual({ title: 'an article needs a title', url: 'the URL must start with http:// or https://' });
  });

  it("keeps a field's first message when it has several, and files a nested issue under its field", () => {
    const schema = z.object({ name: z.string().min(3, 'too short').regex(/^[a-z]+$/, 'lower case only'), tags: z.array(z.string().min(1, 'an empty tag')) });
    expect(errorsByField(refused(schema, { name: 'A', tags: ['ok', ''] }))).toEqual({ name: 'too short', tags: 'an empty tag' });
  });
});
