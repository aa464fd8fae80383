// Searching the knowledge hub with FTS5 and BM25 ranking (a title match weighs more than a body
// match, tags in between), with a snippet of the text around the match.
//
// Two phases keep the work bounded on a large hub:
//  1. articles holding every term, best BM25 first;
//  2. if those are too few, articles holding any of the *distinctive* terms fill the list. A term
//     found in more than COMMON_TERM_DOCS articles says little about which article is meant (its
//     BM25 weight is small) and would make the query score most of the hub, so phase 2 leaves it
//     out, unless every term is that common.
// snippet() is costly, so it runs only for the hits returned, not for every article that matches.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { buildQuery } from './knowledge-query';

export interface SearchHit {
  id: number;
  title: string;
  url: string | null;
  tags: string[];
  /** Text around the match, matched terms in **bold**, cut with "…". */
  snippet: string;
  /** BM25 score: lower is better (SQLite's convention). */
  score: number;
}

export const searchOptionsSchema = z.strictObject({
  limit: z.number().int().min(1).max(100).default(5),
});

export const COMMON_TERM_DOCS = 2500;

interface ArticleRow {
  id: number;
  title: string;
  url: string | null;
  tags: string;
}

// Column weights for bm25(): title, body, tags.
const RANK = 'bm25(articles_fts, 8.0, 1.0, 4.0)';

/** Full-text search over the knowledge hub (the runtime's `KnowledgeSearch` port is answered from this). */
export class SqliteKnowledgeSearchRepository {
  private readonly rank;
  private readonly snippets;
  private readonly details;
  private readonly cappedCount;

  constructor(db: Database.Database) {
    this.rank = db.prepare(`SELECT rowid AS id, ${RANK} AS score FROM articles_fts WHERE articles_fts MATCH ? ORDER BY score LIMIT ?`);
    // The hits' ids go in as one JSON array, and each row comes back with its own rowid: FTS5 ignores a
    // `rowid = ?` bound to a JS number (a REAL) next to MATCH, and answered the first article's
    // snippet for every hit.
    this.snippets = db.prepare(
      `SELECT rowid AS id, snippet(articles_fts, 1, '**', '**', '…', 24) AS snippet
       FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))`,
    );
    this.details = db.prepare(`SELECT id, title, url, tags FROM articles WHERE id IN (SELECT value FROM json_each(?))`);
    this.cappedCount = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ${COMMON_TERM_DOCS + 1})`).pluck();
  }

  search(text: string, options: z.input<typeof searchOptionsSchema> = {}): SearchHit[] {
    const { limit } = searchOptionsSchema.parse(options);
    const query = buildQuery(text);
    if (!query) return [];
    const hits = (this.rank.all(query.all, limit) as { id: number; score: number }[]).map((hit) => ({ ...hit, match: query.all }));
    if (hits.length < limit && query.terms.length > 1) {
      const counts = query.terms.map((term) => ({ term, docs: this.cappedCount.get(`"${term}"`) as number }));
      const found = counts.filter(({ docs }) => docs > 0);
      const distinctive = found.filter(({ docs }) => docs <= COMMON_TERM_DOCS);
      const any = (distinctive.length > 0 ? distinctive : found).map(({ term }) => `"${term}"`).join(' OR ');
      const seen = new Set(hits.map((hit) => hit.id));
      const more = any ? (this.rank.all(any, limit + hits.length) as { id: number; score: number }[]) : [];
      for (const hit of more) {
        if (hits.length >= limit) break;
        if (!seen.has(hit.id)) hits.push({ ...hit, match: any });
      }
    }
    const snippets = new Map<number, string>();
    for (const match of new Set(hits.map((hit) => hit.match))) {
      const ids = hits.filter((hit) => hit.match === match).map((hit) => hit.id);
      for (const row of this.snippets.all(match, JSON.stringify(ids)) as { id: number; snippet: string }[]) snippets.set(row.id, row.snippet);
    }
    const details = new Map((this.details.all(JSON.stringify(hits.map((hit) => hit.id))) as ArticleRow[]).map((row) => [row.id, row]));
    return hits.map(({ id, score }) => {
      const row = details.get(id)!;
      return { id, title: row.title, url: row.url, tags: JSON.parse(row.tags) as string[], snippet: snippets.get(id) ?? '', score };
    });
  }
}
