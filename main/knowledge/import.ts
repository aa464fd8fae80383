// Importing knowledge articles from a folder of Markdown, HTML and text files, from one such
// file, or from a JSON array of articles. A bad file or entry is reported by name and skipped;
// every good one is written, all in one transaction.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { z } from 'zod';
import type { SaveOutcome } from '../store/knowledge';
import type { KnowledgeRepository } from '../store/repositories';
import { describeZodError } from '../validation/zod-error';
import { articleSchema, type Article } from './article';
import { ArticleFileError, readArticleFile } from './formats';

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  /** What was not imported and why, by file name (and index for JSON entries). */
  skipped: { name: string; reason: string }[];
}

interface Candidate {
  article: Article;
  source: string;
}

export function importKnowledge(repository: KnowledgeRepository, path: string): ImportReport {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new ArticleFileError(`There is no file or folder at ${path}.`);
  }
  const skipped: ImportReport['skipped'] = [];
  const candidates: Candidate[] = [];
  if (stat.isDirectory()) {
    for (const file of listFiles(path)) {
      const name = relative(path, file).split(sep).join('/');
      if (extname(file).toLowerCase() === '.json') candidates.push(...readJsonArticles(file, name, skipped));
      else {
        const candidate = readOne(file, name, skipped);
        if (candidate) candidates.push(candidate);
      }
    }
  } else if (extname(path).toLowerCase() === '.json') {
    candidates.push(...readJsonArticles(path, basename(path), skipped));
  } else {
    const candidate = readOne(path, basename(path), skipped);
    if (candidate) candidates.push(candidate);
  }
  const counts: Record<SaveOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  repository.transaction(() => {
    for (const { article, source } of candidates) counts[repository.save(article, source).outcome]++;
  });
  return { ...counts, skipped };
}

/** Articles given directly (e.g. by the app), validated one by one like a JSON import. */
export function importArticles(repository: KnowledgeRepository, entries: unknown[], origin = 'articles'): ImportReport {
  const skipped: ImportReport['skipped'] = [];
  const candidates = validateEntries(entries, origin, skipped);
  const counts: Record<SaveOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  repository.transaction(() => {
    for (const { article, source } of candidates) counts[repository.save(article, source).outcome]++;
  });
  return { ...counts, skipped };
}

function listFiles(folder: string): string[] {
  return (readdirSync(folder, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(folder, file).split(sep).some((part) => part.startsWith('.')))
    .sort();
}

function readOne(file: string, name: string, skipped: ImportReport['skipped']): Candidate | null {
  try {
    const input = readArticleFile(name, readFileSync(file));
    const parsed = articleSchema.safeParse(input);
    if (!parsed.success) throw new ArticleFileError(describeZodError(parsed.error));
    return { article: parsed.data, source: `file:${name}` };
  } catch (error) {
    if (!(error instanceof ArticleFileError) && !(error as NodeJS.ErrnoException).code) throw error;
    skipped.push({ name, reason: (error as Error).message });
    return null;
  }
}

function readJsonArticles(file: string, name: string, skipped: ImportReport['skipped']): Candidate[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    skipped.push({ name, reason: `not valid JSON: ${(error as Error).message}` });
    return [];
  }
  const array = z.array(z.unknown()).safeParse(data);
  if (!array.success) {
    skipped.push({ name, reason: 'a JSON import holds an array of articles, each with a title and a body' });
    return [];
  }
  return validateEntries(array.data, name, skipped);
}

function validateEntries(entries: unknown[], origin: string, skipped: ImportReport['skipped']): Candidate[] {
  const candidates: Candidate[] = [];
  entries.forEach((entry, index) => {
    const parsed = articleSchema.safeParse(entry);
    if (!parsed.success) {
      const title = typeof (entry as { title?: unknown })?.title === 'string' ? ` ("${(entry as { title: string }).title}")` : '';
      skipped.push({ name: `${origin}[${index}]${title}`, reason: describeZodError(parsed.error) });
      return;
    }
    candidates.push({ article: parsed.data, source: `json:${parsed.data.url ?? parsed.data.title}` });
  });
  return candidates;
}
