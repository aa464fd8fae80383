// The knowledge screen's calls: staged imports (main/services/knowledge-imports.ts), the list,
// search over the hub's FTS index, and reading, editing and deleting an article.
import type { CallArgs, CallOutput } from '../../shared/api';
import { KnowledgeImports } from '../services/knowledge-imports';
import { ServiceError } from '../services/errors';
import type { Workspace } from '../store/workspace';

export function knowledgeHandlers(workspace: Workspace) {
  const imports = new KnowledgeImports(workspace);
  const article = (id: number): CallOutput<'knowledge.get'> => {
    const found = workspace.knowledge.get(id);
    if (!found) throw new ServiceError('not-found', `There is no article ${id}: it may have been deleted.`);
    return { id: found.id, title: found.title, body: found.body, url: found.url, tags: found.tags, source: found.source, updatedAt: found.updatedAt };
  };
  return {
    'knowledge.importStart': (): CallOutput<'knowledge.importStart'> => ({ importId: imports.start() }),
    'knowledge.importFiles': ({ importId, files }: CallArgs<'knowledge.importFiles'>): CallOutput<'knowledge.importFiles'> =>
      imports.add(importId, files.map((file) => ({ name: file.name, bytes: Buffer.from(file.base64, 'base64') }))),
    'knowledge.importCommit': ({ importId }: CallArgs<'knowledge.importCommit'>): CallOutput<'knowledge.importCommit'> => imports.commit(importId),
    'knowledge.importCancel': ({ importId }: CallArgs<'knowledge.importCancel'>): CallOutput<'knowledge.importCancel'> => {
      imports.cancel(importId);
      return { ok: true };
    },
    'knowledge.list': ({ offset, limit }: CallArgs<'knowledge.list'>): CallOutput<'knowledge.list'> => ({
      total: workspace.knowledge.count(),
      articles: workspace.knowledge.list({ offset, limit }).map(({ id, title, url, tags, source, updatedAt }) => ({ id, title, url, tags, source, updatedAt })),
    }),
    'knowledge.search': ({ text, limit }: CallArgs<'knowledge.search'>): CallOutput<'knowledge.search'> =>
      // BM25 is lower-is-better in SQLite; the screen shows higher-is-better.
      text.trim() === '' ? [] : workspace.search.search(text, { limit }).map((hit) => ({ id: hit.id, title: hit.title, tags: hit.tags, snippet: hit.snippet, score: Math.round(-hit.score * 100) / 100 })),
    'knowledge.get': ({ id }: CallArgs<'knowledge.get'>) => article(id),
    'knowledge.save': ({ id, ...input }: CallArgs<'knowledge.save'>): CallOutput<'knowledge.save'> => {
      if (id === undefined) return article(workspace.knowledge.save(input).id);
      if (!workspace.knowledge.update(id, input)) throw new ServiceError('not-found', `There is no article ${id}: it may have been deleted.`);
      return article(id);
    },
    'knowledge.delete': ({ id }: CallArgs<'knowledge.delete'>): CallOutput<'knowledge.delete'> => {
      if (!workspace.knowledge.delete(id)) throw new ServiceError('not-found', `There is no article ${id}: it may have been deleted.`);
      return { ok: true };
    },
  };
}
