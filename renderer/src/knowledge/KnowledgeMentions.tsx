// The Procedure screen's knowledge link (issue 18): where the text tells the agent to "search the
// knowledge hub", the articles a search would find there for a test query (the agent sees the first
// five, as here), each a link to the knowledge screen with that search and the article open.
import { BookOpen } from 'lucide-react';
import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { KnowledgeHit } from '../../../shared/api';
import { useApi } from '../api/context';
import { navigate } from '../app/navigation';
import { routeHash, type Route } from '../app/route';
import { formatCount, plural, Popover } from '../ui';
import { knowledgeMentions, type KnowledgeMention } from './mentions';
import { RelevanceMeter } from './RelevanceMeter';
import { relevanceOf } from './relevance';
import { Snippet } from './Snippet';
import './knowledge.css';

/** As many hits as the runtime's search_knowledge gives the agent (main/runtime/rules-conversation.ts). */
const AGENT_SEES = 5;

export function KnowledgeMentions({ version, getText }: { version: number; getText: () => string }) {
  const [open, setOpen] = useState(false);
  // Found again when the text changes (version), not on every render.
  const mentions = useMemo(() => knowledgeMentions(getText()), [version, getText]);
  if (mentions.length === 0) return null;
  const label = `Knowledge hub: ${plural(mentions.length, 'mention')}`;
  return (
    <Popover
      label="Knowledge hub mentions"
      side="top"
      align="start"
      open={open}
      onOpenChange={setOpen}
      trigger={
        <button type="button" className="knowledge-mentions-trigger" aria-label={label} data-testid="knowledge-mentions">
          <BookOpen aria-hidden size={13} /> Knowledge hub ({formatCount(mentions.length)})
        </button>
      }
    >
      <div className="knowledge-mentions">
        <h3 className="knowledge-mentions-title">Search the knowledge hub</h3>
        <p className="knowledge-mentions-help">What the agent would find where this Procedure says to search the knowledge hub, for a test query you can change.</p>
        <ol className="knowledge-mentions-list">
          {mentions.map((mention, index) => (
            <MentionResults key={`${index}:${mention.sentence}`} mention={mention} />
          ))}
        </ol>
      </div>
    </Popover>
  );
}

function MentionResults({ mention }: { mention: KnowledgeMention }) {
  const api = useApi();
  const [query, setQuery] = useState(mention.query);
  const [hits, setHits] = useState<KnowledgeHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the answer to the latest query is shown, whatever order the answers arrive in.
  const latest = useRef(0);

  useEffect(() => {
    const ticket = ++latest.current;
    if (query.trim() === '') {
      setHits([]);
      return;
    }
    api['knowledge.search']({ text: query, limit: AGENT_SEES }).then(
      (found) => ticket === latest.current && (setHits(found), setError(null)),
      (problem: Error) => ticket === latest.current && setError(problem.message),
    );
  }, [api, query]);

  const where = `Line ${mention.line}${mention.step ? `, ${mention.step}` : ''}`;
  return (
    <li className="knowledge-mention" data-line={mention.line}>
      <div className="knowledge-mention-where">{where}</div>
      <p className="knowledge-mention-sentence">{mention.sentence}</p>
      <label className="knowledge-mention-query">
        <span>Test query</span>
        <input className="sw-input" type="search" value={query} onChange={(event) => setQuery(event.target.value)} aria-label={`Test query for line ${mention.line}`} />
      </label>
      {error && <p className="knowledge-mention-error">{error}</p>}
      {hits !== null && hits.length === 0 && !error && <p className="knowledge-mention-none">No article matches: the agent would find nothing here.</p>}
      {hits !== null && hits.length > 0 && (
        <ul className="knowledge-mention-hits" aria-label={`Articles found for line ${mention.line}`}>
          {hits.map((hit, index) => (
            <li key={hit.id}>
              <RouteLink route={{ screen: 'knowledge', query, article: hit.id }} className="knowledge-mention-hit">
                {hit.title}
              </RouteLink>
              <RelevanceMeter relevance={relevanceOf(hits.map((other) => other.score))[index]!} />
              <Snippet text={hit.snippet} />
            </li>
          ))}
        </ul>
      )}
      {query.trim() !== '' && <RouteLink route={{ screen: 'knowledge', query }}>Open this search in the knowledge hub</RouteLink>}
    </li>
  );
}

/** A real link (open in a new tab, copy its address), that goes through the app's unsaved-changes guard when followed here. */
function RouteLink({ route, className, children }: { route: Route; className?: string; children: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void navigate(route);
  };
  return (
    <a href={routeHash(route)} className={className} onClick={follow}>
      {children}
    </a>
  );
}
