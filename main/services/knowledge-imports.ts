// A knowledge import from the app, in steps the screen can show and cancel: files arrive in
// batches and are read and checked at once (each unreadable file or duplicate reported by name),
// but only staged; the commit writes every staged article in one transaction, and a cancel (or an
// import never committed) leaves the hub as it was. Nothing half-imported is ever kept.
import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { z } from 'zod';
import { articleSchema, type Article } from '../knowledge/article';
import { ArticleFileError, readArticleFile } from '../knowledge/formats';
import type { SaveOutcome } from '../store/knowledge';
import type { Workspace } from '../store/workspace';
import { describeZodError } from '../../shared/zod-error';
import { ServiceError } from './errors';

export interface FileOutcome {
  name: string;
  /** Articles staged from the file (a JSON file may hold many). */
  articles: number;
  /** Why (part of) the file was not taken: unreadable, invalid, or a duplicate of another file. */
  problems: string[];
}

interface Staged {
  article: Article;
  source: string;
}

interface Pending {
  staged: Staged[];
  /** Article text → the file it came from, to report duplicates within the import. */
  seen: Map<string, string>;
  startedAt: number;
}

/** Imports left open longer than this are dropped (a window closed mid-import). */
const ABANDONED_MS = 30 * 60 * 1000;
const MAX_OPEN = 20;

export class KnowledgeImports {
  private readonly open = new Map<string, Pending>();

  constructor(private readonly workspace: Workspace) {}

  start(): string {
    this.dropAbandoned();
    if (this.open.size >= MAX_OPEN) throw new ServiceError('conflict', 'Too many knowledge imports are open at once; finish or cancel one first.');
    const id = randomUUID();
    this.open.set(id, { staged: [], seen: new Map(), startedAt: Date.now() });
    return id;
  }

  /** Reads and checks a batch of files; stages what is good, says per file what is not. */
  add(id: string, files: { name: string; bytes: Buffer }[]): FileOutcome[] {
    const pending = this.require(id);
    return files.map(({ name, bytes }) => {
      const outcome: FileOutcome = { name, articles: 0, problems: [] };
      let articles: { article: Article; source: string; label: string }[] = [];
      try {
        articles = extname(name).toLowerCase() === '.json' ? readJson(name, bytes, outcome.problems) : [{ ...readOne(name, bytes), label: name }];
      } catch (error) {
        if (!(error instanceof ArticleFileError)) throw error;
        outcome.problems.push(error.message);
      }
      for (const { article, source, label } of articles) {
        const key = `${article.title}\u0000${article.body}`;
        const first = pending.seen.get(key);
        if (first !== undefined) {
          outcome.problems.push(`${label === name ? 'the same article' : `${label} is the same article`} as ${first}: imported once`);
          continue;
        }
        pending.seen.set(key, label);
        pending.staged.push({ article, source });
        outcome.articles++;
      }
      return outcome;
    });
  }

  /** Writes every staged article in one transaction. */
  commit(id: string): Record<SaveOutcome, number> {
    const pending = this.require(id);
    const counts: Record<SaveOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
    this.workspace.knowledge.transaction(() => {
      for (const { article, source } of pending.staged) counts[this.workspace.knowledge.save(article, source).outcome]++;
    });
    this.open.delete(id);
    return counts;
  }

  cancel(id: string): void {
    this.open.delete(id);
  }

  private require(id: string): Pending {
    const pending = this.open.get(id);
    if (!pending) throw new ServiceError('not-found', 'This knowledge import is no longer open (it was finished, cancelled or abandoned); start it again.');
    return pending;
  }

  private dropAbandoned() {
    const now = Date.now();
    for (const [id, pending] of this.open) if (now - pending.startedAt > ABANDONED_MS) this.open.delete(id);
  }
}

function readOne(name: string, bytes: Buffer): Staged {
  const parsed = articleSchema.safeParse(readArticleFile(name, bytes));
  if (!parsed.success) throw new ArticleFileError(describeZodError(parsed.error));
  return { article: parsed.data, source: `file:${name}` };
}

function readJson(name: string, bytes: Buffer, problems: string[]): { article: Article; source: string; label: string }[] {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ArticleFileError(`not valid JSON: ${(error as Error).message}`);
  }
  const array = z.array(z.unknown()).safeParse(data);
  if (!array.success) throw new ArticleFileError('a JSON import holds an array of articles, each with a title and a body');
  const articles: { article: Article; source: string; label: string }[] = [];
  array.data.forEach((entry, index) => {
    const parsed = articleSchema.safeParse(entry);
    if (!parsed.success) problems.push(`entry ${index}: ${describeZodError(parsed.error)}`);
    else articles.push({ article: parsed.data, source: `json:${parsed.data.url ?? parsed.data.title}`, label: `${name}[${index}]` });
  });
  return articles;
}
