// The knowledge screen: search the hub (snippets with the matched terms marked, a score) or list
// its articles on the left; on the right an article to read and edit, a new one, or an import.
// Opened from a Procedure's knowledge link, it starts with that search and article.
import { BookOpen, FileUp, Plus, Search } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { KnowledgeArticle, KnowledgeHit } from '../../../shared/api';
import { useApi } from '../api/context';
import { Banner, Button, EmptyState, formatCount, plural } from '../ui';
import { ArticleEditor } from './ArticleEditor';
import { KnowledgeImport } from './KnowledgeImport';
import { LatestOnlySearch } from './latest-search';
import { RelevanceMeter } from './RelevanceMeter';
import { relevanceOf } from './relevance';
import { Snippet } from './Snippet';
import './knowledge.css';

type Listed = Omit<KnowledgeArticle, 'body'>;
type Selection = { kind: 'article'; id: number } | { kind: 'new' } | { kind: 'import' } | null;
const PAGE = 200;

export function KnowledgeScreen({ initialQuery = '', initialArticle = null }: { initialQuery?: string; initialArticle?: number | null } = {}) {
  const api = useApi();
  const [query, setQuery] = useState(initialQuery);
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  // The text the shown results answer (the list carries it as data-query, for timing keystroke to results).
  const [hitsFor, setHitsFor] = useState('');
  const [listed, setListed] = useState<{ total: number; articles: Listed[] } | null>(null);
  const [selection, setSelection] = useState<Selection>(initialArticle === null ? null : { kind: 'article', id: initialArticle });
  const [article, setArticle] = useState<KnowledgeArticle | null>(null);
  const [error, setError] = useState<string | null>(null);
  const relevance = useMemo(() => relevanceOf((hits ?? []).map((hit) => hit.score)), [hits]);
  // One search in flight at a time, then the newest text typed meanwhile; only its answer is shown.
  const searcher = useMemo(
    () =>
      new LatestOnlySearch<KnowledgeHit[]>(
        (text) => api['knowledge.search']({ text, limit: 20 }),
        (text, found) => (setHits(found), setHitsFor(text), setError(null)),
        setError,
      ),
    [api],
  );
  // The text in the box now, for a refresh called from an import that started before it was typed.
  const queryNow = useRef('');

  const reloadList = useCallback(() => api['knowledge.list']({ offset: 0, limit: PAGE }).then(setListed, (problem: Error) => setError(problem.message)), [api]);
  useEffect(() => {
    void reloadList();
  }, [reloadList]);

  /** `fresh` after the hub changed (an import, a save), so the answer shown before is asked for again. */
  const search = useCallback(
    (text: string, fresh = false) => {
      queryNow.current = text;
      if (text.trim() === '') {
        searcher.clear();
        setHits(null);
        return;
      }
      searcher.ask(text, fresh);
    },
    [searcher],
  );

  // The search a link opened the screen with.
  useEffect(() => {
    if (initialQuery) search(initialQuery);
  }, [initialQuery, search]);

  useEffect(() => {
    if (selection?.kind !== 'article') return setArticle(null);
    let current = true;
    api['knowledge.get']({ id: selection.id }).then((found) => current && setArticle(found), (problem: Error) => current && setError(problem.message));
    return () => {
      current = false;
    };
  }, [api, selection]);

  const refresh = () => {
    void reloadList();
    search(queryNow.current, true);
  };

  return (
    <section className="knowledge" aria-label="Knowledge">
      <aside className="knowledge-side">
        <header className="knowledge-side-head">
          <h1>Knowledge</h1>
          <span className="muted">{listed ? plural(listed.total, 'article') : ''}</span>
        </header>
        <div className="knowledge-side-buttons">
          <Button size="sm" icon={FileUp} onClick={() => setSelection({ kind: 'import' })}>
            Import
          </Button>
          <Button size="sm" icon={Plus} onClick={() => setSelection({ kind: 'new' })}>
            New article
          </Button>
        </div>
        <label className="knowledge-search">
          <Search size={15} strokeWidth={1.75} aria-hidden />
          <input
            className="sw-input"
            type="search"
            aria-label="Search the knowledge hub"
            placeholder="Search the knowledge hub"
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              search(event.target.value);
            }}
          />
        </label>
        {error && <Banner tone="error">{error}</Banner>}
        {hits !== null ? (
          <ul className="knowledge-list" aria-label="Search results" data-query={hitsFor}>
            {hits.length === 0 && <li className="muted">No article matches.</li>}
            {hits.map((hit, index) => (
              <li key={hit.id} data-article={hit.title}>
                <button type="button" className={`knowledge-item${selection?.kind === 'article' && selection.id === hit.id ? ' active' : ''}`} onClick={() => setSelection({ kind: 'article', id: hit.id })}>
                  <span className="knowledge-item-title">
                    {hit.title}
                    <RelevanceMeter relevance={relevance[index]!} />
                  </span>
                  <Snippet text={hit.snippet} />
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <ul className="knowledge-list" aria-label="Articles">
            {(listed?.articles ?? []).map((item) => (
              <li key={item.id} data-article={item.title}>
                <button type="button" className={`knowledge-item${selection?.kind === 'article' && selection.id === item.id ? ' active' : ''}`} onClick={() => setSelection({ kind: 'article', id: item.id })}>
                  <span className="knowledge-item-title">{item.title}</span>
                  {item.tags.length > 0 && <span className="muted">{item.tags.join(', ')}</span>}
                </button>
              </li>
            ))}
            {listed && listed.total > listed.articles.length && <li className="muted">The first {formatCount(listed.articles.length)} of {formatCount(listed.total)}: search to find the others.</li>}
          </ul>
        )}
      </aside>
      <div className="knowledge-main">
        {selection?.kind === 'import' && <KnowledgeImport onImported={refresh} />}
        {selection?.kind === 'new' && (
          <ArticleEditor
            key="new"
            article={null}
            onSaved={(saved) => {
              refresh();
              setSelection({ kind: 'article', id: saved.id });
            }}
            onDeleted={() => setSelection(null)}
          />
        )}
        {selection?.kind === 'article' && article && article.id === selection.id && (
          <ArticleEditor
            key={`${article.id}-${article.updatedAt}`}
            article={article}
            onSaved={(saved) => {
              refresh();
              setArticle(saved);
            }}
            onDeleted={() => {
              refresh();
              setSelection(null);
            }}
          />
        )}
        {selection === null && (
          <EmptyState icon={BookOpen} title="The knowledge hub" action={<Button icon={FileUp} variant="primary" onClick={() => setSelection({ kind: 'import' })}>Import articles</Button>}>
            What the agent finds when a Procedure says to search the knowledge hub. Search it on the left, or import articles.
          </EmptyState>
        )}
      </div>
    </section>
  );
}
