// The knowledge screen's calls: import files in steps (start, add batches of files read and
// checked at once but only staged, commit in one transaction, or cancel: nothing half-imported is
// kept); list and search the articles (snippets with the matched terms marked, a score); read,
// edit and delete one.
import { z } from 'zod';

const call = <I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O) => ({ summary, input, output });
const importId = z.string().uuid();
const articleId = z.number().int().positive();

export const KnowledgeArticleSchema = z.strictObject({
  id: z.number(),
  title: z.string(),
  body: z.string(),
  url: z.string().nullable(),
  tags: z.array(z.string()),
  source: z.string().nullable(),
  updatedAt: z.string(),
});
export type KnowledgeArticle = z.infer<typeof KnowledgeArticleSchema>;

export const KnowledgeHitSchema = z.strictObject({
  id: z.number(),
  title: z.string(),
  tags: z.array(z.string()),
  /** Text around the match, the matched terms between ** and **. */
  snippet: z.string(),
  /** Relevance, higher is better. */
  score: z.number(),
});
export type KnowledgeHit = z.infer<typeof KnowledgeHitSchema>;

export const KnowledgeFileOutcomeSchema = z.strictObject({ name: z.string(), articles: z.number().int(), problems: z.array(z.string()) });
export type KnowledgeFileOutcome = z.infer<typeof KnowledgeFileOutcomeSchema>;

export const KnowledgeArticleInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'an article needs a title').max(500, 'a title has at most 500 characters'),
  body: z.string().refine((body) => body.trim().length > 0, 'the article has no text'),
  // '' and null both mean no URL: the client sends what this schema gave it, so its own output must pass again.
  url: z.union([z.literal(''), z.null(), z.url({ protocol: /^https?$/, message: 'the URL must start with http:// or https://' })]).transform((url) => url || null),
  tags: z.array(z.string().trim().min(1).max(100)).max(50, 'at most 50 tags'),
});

export const knowledgeCallSpecs = {
  'knowledge.importStart': call('Opens an import; nothing is written until it is committed.', z.strictObject({}), z.strictObject({ importId })),
  'knowledge.importFiles': call(
    'Reads and checks a batch of files (Markdown, text, HTML, JSON; base64), staging the good articles; says per file what was taken and what was not.',
    z.strictObject({ importId, files: z.array(z.strictObject({ name: z.string().min(1).max(1000), base64: z.string().max(20_000_000) })).min(1).max(500) }),
    z.array(KnowledgeFileOutcomeSchema),
  ),
  'knowledge.importCommit': call('Writes every staged article in one transaction.', z.strictObject({ importId }), z.strictObject({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() })),
  'knowledge.importCancel': call('Drops an import; the hub stays as it was.', z.strictObject({ importId }), z.strictObject({ ok: z.literal(true) })),
  'knowledge.list': call(
    'A page of articles, in the order they were added, with the total.',
    z.strictObject({ offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(100) }),
    z.strictObject({ total: z.number().int(), articles: z.array(KnowledgeArticleSchema.omit({ body: true })) }),
  ),
  'knowledge.search': call('The best matches for the text, with snippets and scores.', z.strictObject({ text: z.string().max(1000), limit: z.number().int().min(1).max(100).default(20) }), z.array(KnowledgeHitSchema)),
  'knowledge.get': call('One article.', z.strictObject({ id: articleId }), KnowledgeArticleSchema),
  'knowledge.save': call('Saves an article: a new one without an id, an edit with one.', KnowledgeArticleInputSchema.extend({ id: articleId.optional() }), KnowledgeArticleSchema),
  'knowledge.delete': call('Deletes an article.', z.strictObject({ id: articleId }), z.strictObject({ ok: z.literal(true) })),
};
