// Reading one knowledge file (Markdown, HTML or plain text) into an article. Problems are thrown
// as ArticleFileError with a reason a person can act on; the importer reports them by file name.
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { normaliseTextFile } from '../../shared/text-file';
import type { ArticleInput } from './article';
import { htmlToText } from './html';

export class ArticleFileError extends Error {}

export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.html', '.htm', '.txt'];

const frontMatterSchema = z.looseObject({
  title: z.string().optional(),
  url: z.string().optional(),
  tags: z.union([z.array(z.string()), z.string().transform((tags) => tags.split(',').map((tag) => tag.trim()).filter(Boolean))]).optional(),
});

export function readArticleFile(name: string, bytes: Buffer): ArticleInput {
  const extension = extname(name).toLowerCase();
  if (!SUPPORTED_EXTENSIONS.includes(extension)) throw new ArticleFileError('not a Markdown (.md), HTML (.html) or text (.txt) file');
  const text = decodeText(bytes);
  if (text.trim().length === 0) throw new ArticleFileError('the file is empty');
  const fallbackTitle = titleFromFileName(name);
  if (extension === '.html' || extension === '.htm') return fromHtml(text, fallbackTitle);
  if (extension === '.txt') return fromText(text, fallbackTitle);
  return fromMarkdown(text, fallbackTitle);
}

function decodeText(bytes: Buffer): string {
  if (bytes.includes(0)) throw new ArticleFileError('the file holds binary data, not text');
  try {
    return normaliseTextFile(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ArticleFileError('the file is not UTF-8 text');
  }
}

function fromMarkdown(text: string, fallbackTitle: string): ArticleInput {
  let body = text;
  let meta: z.infer<typeof frontMatterSchema> = {};
  const frontMatter = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  if (frontMatter) {
    let data: unknown;
    try {
      data = parseYaml(frontMatter[1]!);
    } catch (error) {
      throw new ArticleFileError(`its front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    const parsed = frontMatterSchema.safeParse(data ?? {});
    if (!parsed.success) throw new ArticleFileError(`its front matter is not valid: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    meta = parsed.data;
    body = text.slice(frontMatter[0].length);
  }
  let title = meta.title;
  if (!title) {
    const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(body);
    if (heading && body.slice(0, heading.index).trim() === '') {
      title = heading[1];
      body = body.slice(heading.index + heading[0].length);
    }
  }
  return { title: title ?? fallbackTitle, body: body.trim(), url: meta.url ?? null, tags: meta.tags ?? [] };
}

function fromHtml(html: string, fallbackTitle: string): ArticleInput {
  const converted = htmlToText(html);
  return { title: converted.title ?? fallbackTitle, body: converted.text, url: converted.canonicalUrl, tags: converted.keywords };
}

function fromText(text: string, fallbackTitle: string): ArticleInput {
  const lines = text.trim().split('\n');
  const first = lines[0]!.trim();
  if (lines.length > 1 && first.length <= 120 && !/[.!?]$/.test(first)) return { title: first, body: lines.slice(1).join('\n').trim(), tags: [] };
  return { title: fallbackTitle, body: text.trim(), tags: [] };
}

function titleFromFileName(name: string): string {
  const stem = basename(name, extname(name)).replace(/[-_]+/g, ' ').trim();
  return stem.charAt(0).toUpperCase() + stem.slice(1);
}
