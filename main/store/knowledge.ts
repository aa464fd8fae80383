// Knowledge articles. The FTS5 index follows the table through triggers (see migration 2).
import type Database from 'better-sqlite3';
import { articleSchema, type ArticleInput, type StoredArticle } from '../../shared/knowledge/article';
import { describeZodError } from '../../shared/zod-error';
import { StoreError } from './errors';
import { now } from './hash';
import { writeTransaction } from './write-transaction';

interface ArticleRow {
  id: number;
  title: string;
  body: string;
  url: string | null;
  tags: string;
  source: string | null;
  created_at: string;
  updated_at: string;
}

export type SaveOutcome = 'created' | 'updated' | 'unchanged';

export class SqliteKnowledgeRepository {
  private readonly upsertStatement;
  private readonly findBySource;

  constructor(private readonly db: Database.Database) {
    this.upsertStatement = db.prepare(
      `INSERT INTO articles (title, body, url, tags, source, created_at, updated_at) VALUES (@title, @body, @url, @tags, @source, @at, @at)
       ON CONFLICT (source) DO UPDATE SET title = excluded.title, body = excluded.body, url = excluded.url, tags = excluded.tags, updated_at = excluded.updated_at`,
    );
    this.findBySource = db.prepare('SELECT title, body, url, tags FROM articles WHERE source = ?');
  }

  /**
   * Adds an article, or updates the one imported from the same `source`. Validates first: an
   * invalid article is refused with what is wrong and nothing is written.
   */
  save(input: ArticleInput | unknown, source: string | null = null): { id: number; outcome: SaveOutcome } {
    const parsed = articleSchema.safeParse(input);
    if (!parsed.success) throw new StoreError(`Article is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const article = parsed.data;
    const values = { title: article.title, body: article.body, url: article.url ?? null, tags: JSON.stringify(article.tags), source, at: now() };
    return writeTransaction(this.db, () => this.upsert(values));
  }

  private upsert(values: { title: string; body: string; url: string | null; tags: string; source: string | null; at: string }): { id: number; outcome: SaveOutcome } {
    const source = values.source;
    if (source !== null) {
      const existing = this.findBySource.get(source) as Pick<ArticleRow, 'title' | 'body' | 'url' | 'tags'> | undefined;
      if (existing) {
        const id = this.db.prepare('SELECT id FROM articles WHERE source = ?').pluck().get(source) as number;
        if (existing.title === values.title && existing.body === values.body && existing.url === values.url && existing.tags === values.tags) {
          return { id, outcome: 'unchanged' };
        }
        this.upsertStatement.run(values);
        return { id, outcome: 'updated' };
      }
    }
    const id = Number(this.upsertStatement.run(values).lastInsertRowid);
    return { id, outcome: 'created' };
  }

  get(id: number): StoredArticle | null {
    const row = this.db.prepare('SELECT * FROM articles WHERE id = ?').get(id) as ArticleRow | undefined;
    return row ? toArticle(row) : null;
  }

  findByTitle(title: string): StoredArticle[] {
    return (this.db.prepare('SELECT * FROM articles WHERE title = ? ORDER BY id').all(title) as ArticleRow[]).map(toArticle);
  }

  list(options: { limit?: number; offset?: number } = {}): StoredArticle[] {
    const rows = this.db.prepare('SELECT * FROM articles ORDER BY id LIMIT ? OFFSET ?').all(options.limit ?? -1, options.offset ?? 0) as ArticleRow[];
    return rows.map(toArticle);
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM articles').pluck().get() as number;
  }

  /** Replaces an article's title, body, URL and tags (its source stays); false when there is none with that id. */
  update(id: number, input: ArticleInput | unknown): boolean {
    const parsed = articleSchema.safeParse(input);
    if (!parsed.success) throw new StoreError(`Article is not valid: ${describeZodError(parsed.error)}`, 'invalid');
    const article = parsed.data;
    return (
      this.db
        .prepare('UPDATE articles SET title = ?, body = ?, url = ?, tags = ?, updated_at = ? WHERE id = ?')
        .run(article.title, article.body, article.url ?? null, JSON.stringify(article.tags), now(), id).changes > 0
    );
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM articles WHERE id = ?').run(id).changes > 0;
  }

  /** Runs `work` in one write transaction: a bulk import commits all of its articles or none. */
  transaction<T>(work: () => T): T {
    return writeTransaction(this.db, work);
  }
}

function toArticle(row: ArticleRow): StoredArticle {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    url: row.url,
    tags: JSON.parse(row.tags) as string[],
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
