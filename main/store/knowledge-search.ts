// Searching the knowledge hub with FTS5 and BM25 ranking (a title match weighs more than a body
// match, tags in between), with a snippet of the text around the match.
//
// Two phases keep the work bounded on a large hub:
//  1. articles holding every term, best BM25 first;
//  2. if those are too few, articles holding any of the *distinctive* terms fill the list. A term
//     found in more than COMMON_TERM_DOCS articles says little about which article is meant (its
//     BM25 weight is small) and would make the query score most of the hub, so phase 2 leaves it
//     out, unless every term is that common. Phase 2 ranks the articles holding the rarest terms
//     first and scores the rest of the hub only if those are too few (see fallbackRankings): ranking
//     every article holding any term was what made the search's p95 several times plain FTS5's.
// snippet() is costly, so it runs only for the hits returned, not for every article that matches.
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { buildQuery } from './knowledge-query';
import { MARK_CLOSE, MARK_OPEN, plainSnippet } from './knowledge-snippet';

export interface SearchHit {
  id: number;
  title: string;
  url: string | null;
  tags: string[];
  /** Plain text around the match (Markdown syntax removed, knowledge-snippet.ts), matched terms in **bold**, cut with "…". */
  snippet: string;
  /** BM25 score: lower is better (SQLite's convention). */
  score: number;
}

export const searchOptionsSchema = z.strictObject({
  limit: z.number().int().min(1).max(100).default(5),
});

export const COMMON_TERM_DOCS = 2500;
/** How many articles phase 2 ranks first: those holding the rarest terms, up to this many in all. */
export const FALLBACK_CANDIDATE_DOCS = 1000;

interface TermCount {
  term: string;
  docs: number;
}

/**
 * Splits phase 2's terms into the rarest ones, while the articles holding them stay within `budget`
 * (always at least the rarest one), and the others.
 */
export function splitRarest(terms: TermCount[], budget: number): { rare: TermCount[]; other: TermCount[] } {
  const rarest = [...terms].sort((a, b) => a.docs - b.docs);
  let count = 0;
  let docs = 0;
  while (count < rarest.length && (count === 0 || docs + rarest[count]!.docs <= budget)) docs += rarest[count++]!.docs;
  return { rare: rarest.slice(0, count), other: rarest.slice(count) };
}

function orOf(terms: TermCount[]): string {
  return terms.map(({ term }) => `"${term}"`).join(' OR ');
}

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
      `SELECT rowid AS id, snippet(articles_fts, 1, '${MARK_OPEN}', '${MARK_CLOSE}', '…', 24) AS snippet
       FROM articles_fts WHERE articles_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))`,
    );
    this.details = db.prepare(`SELECT id, title, url, tags FROM articles WHERE id IN (SELECT value FROM json_each(?))`);
    this.cappedCount = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ${COMMON_TERM_DOCS + 1})`).pluck();
  }

  /**
   * Phase 2's rankings, tried in turn until the list is full. Ranking every article that holds any
   * term made the tail slow, so the articles holding one of the rarest terms (within
   * FALLBACK_CANDIDATE_DOCS) come first. They are ranked on every term, as one any-term query would:
   * BM25 counts each phrase of the query once, and those holding none of the other terms score
   * nothing for them, so the two queries' scores are the same scale and merge. Only if they are too
   * few, the articles holding the other terms alone are ranked too (the old single query).
   */
  private *fallbackRankings(terms: TermCount[], allTerms: number, wanted: number): Generator<{ id: number; score: number }[]> {
    if (terms.length === 0) return; // no term is in any article
    if (terms.every(({ docs }) => docs > COMMON_TERM_DOCS)) {
      // Every term the hub holds is common: rank the articles holding all of them (unless that was
      // phase 1, no term being missing from the hub), then those with one in the title or tags
      // (where BM25's weights put the best matches anyway), before scoring most of the hub.
      if (terms.length > 1 && terms.length < allTerms) yield this.rank.all(terms.map(({ term }) => `"${term}"`).join(' '), wanted) as { id: number; score: number }[];
      yield this.rank.all(`{title tags} : (${orOf(terms)})`, wanted) as { id: number; score: number }[];
      yield this.rank.all(orOf(terms), wanted) as { id: number; score: number }[];
      return;
    }
    const { rare, other } = splitRarest(terms, FALLBACK_CANDIDATE_DOCS);
    if (other.length > 0) {
      const withOther = this.rank.all(`(${orOf(rare)}) AND (${orOf(other)})`, wanted) as { id: number; score: number }[];
      const rareOnly = this.rank.all(`(${orOf(rare)}) NOT (${orOf(other)})`, wanted) as { id: number; score: number }[];
      yield [...withOther, ...rareOnly].sort((a, b) => a.score - b.score);
    }
    yield this.rank.all(orOf(terms), wanted) as { id: number; score: number }[];
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
      const terms = distinctive.length > 0 ? distinctive : found;
      const seen = new Set(hits.map((hit) => hit.id));
      const any = orOf(terms);
      for (const ranked of this.fallbackRankings(terms, query.terms.length, limit + hits.length)) {
        for (const hit of ranked) {
          if (hits.length >= limit) break;
          if (!seen.has(hit.id)) {
            seen.add(hit.id);
            hits.push({ ...hit, match: any });
          }
        }
        if (hits.length >= limit) break;
      }
    }
    const snippets = new Map<number, string>();
    for (const match of new Set(hits.map((hit) => hit.match))) {
      const ids = hits.filter((hit) => hit.match === match).map((hit) => hit.id);
      for (const row of this.snippets.all(match, JSON.stringify(ids)) as { id: number; snippet: string }[]) snippets.set(row.id, plainSnippet(row.snippet));
    }
    const details = new Map((this.details.all(JSON.stringify(hits.map((hit) => hit.id))) as ArticleRow[]).map((row) => [row.id, row]));
    return hits.map(({ id, score }) => {
      const row = details.get(id)!;
      return { id, title: row.title, url: row.url, tags: JSON.parse(row.tags) as string[], snippet: snippets.get(id) ?? '', score };
    });
  }
}
