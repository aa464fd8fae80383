// A knowledge article: a title, a Markdown body, an optional URL and tags.
import { z } from 'zod';

export const articleSchema = z.strictObject({
  title: z.string().trim().min(1, 'an article needs a title').max(500),
  body: z.string().refine((body) => body.trim().length > 0, 'the article has no text'),
  url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }).nullish(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
});

export type ArticleInput = z.input<typeof articleSchema>;
export type Article = z.infer<typeof articleSchema>;

export interface StoredArticle {
  id: number;
  title: string;
  body: string;
  url: string | null;
  tags: string[];
  /** Where it was imported from (a file path, a JSON entry), so a re-import updates it. */
  source: string | null;
  createdAt: string;
  updatedAt: string;
}
