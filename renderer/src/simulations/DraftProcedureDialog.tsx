// "Draft a Procedure with AI": an outline, knowledge articles chosen by search and past transcripts
// go to the author model; its draft comes back as a proposal (a diff from nothing, with what
// validate still finds), and becomes a new Procedure only when the person accepts it. Nothing is
// saved on a rejection or an error.
import { useEffect, useState } from 'react';
import { Check, Plus, Sparkles, Trash2, X } from 'lucide-react';
import type { DraftProposal } from '../../../shared/api';
import { useApi } from '../api/context';
import { navigate } from '../app/navigation';
import { Banner, Button, Dialog, Field, IconButton, toast } from '../ui';
import { DiffText } from './DiffText';
import './simulations.css';

interface ChosenArticle {
  id: number;
  title: string;
}

export function DraftProcedureDialog({ open, onOpenChange }: { open: boolean; onOpenChange(open: boolean): void }) {
  const api = useApi();
  const [outline, setOutline] = useState('');
  const [articles, setArticles] = useState<ChosenArticle[]>([]);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<ChosenArticle[]>([]);
  const [transcripts, setTranscripts] = useState<string[]>([]);
  const [busy, setBusy] = useState<'drafting' | 'saving' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [proposal, setProposal] = useState<DraftProposal | null>(null);

  // A fresh form each time it opens: a rejected or failed draft leaves nothing behind.
  useEffect(() => {
    if (!open) return;
    setOutline('');
    setArticles([]);
    setQuery('');
    setHits([]);
    setTranscripts([]);
    setBusy(null);
    setError(null);
    setProposal(null);
  }, [open]);

  useEffect(() => {
    if (!query.trim()) {
      setHits([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api['knowledge.search']({ text: query.trim(), limit: 6 }).then(
        (found) => current && setHits(found.map((hit) => ({ id: hit.id, title: hit.title }))),
        () => current && setHits([]),
      );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, query]);

  const draft = async () => {
    setBusy('drafting');
    setError(null);
    try {
      setProposal(await api['authoring.draft']({ outline, articleIds: articles.map((article) => article.id), transcripts: transcripts.filter((text) => text.trim()) }));
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const accept = async () => {
    if (!proposal) return;
    setBusy('saving');
    setError(null);
    try {
      const { name } = await api['authoring.acceptDraft']({ text: proposal.text });
      onOpenChange(false);
      toast({ title: 'Drafted', description: `"${name}" is a new draft: read it through before you publish it.`, tone: 'success' });
      await navigate({ screen: 'procedure', name });
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const footer = proposal ? (
    <>
      <Button variant="ghost" icon={X} onClick={() => setProposal(null)} disabled={busy !== null}>
        Reject
      </Button>
      <Button variant="primary" icon={Check} onClick={() => void accept()} disabled={!proposal.valid || busy !== null}>
        {busy === 'saving' ? 'Saving…' : 'Accept and open'}
      </Button>
    </>
  ) : (
    <>
      <Button variant="ghost" onClick={() => onOpenChange(false)} disabled={busy !== null}>
        Cancel
      </Button>
      <Button variant="primary" icon={Sparkles} onClick={() => void draft()} disabled={!outline.trim() || busy !== null}>
        {busy === 'drafting' ? 'The author model is drafting…' : 'Draft'}
      </Button>
    </>
  );

  return (
    <Dialog open={open} onOpenChange={(next) => busy === null && onOpenChange(next)} title="Draft a Procedure with AI" size="lg" footer={footer}
      description={proposal ? 'The proposed Procedure. Nothing is saved until you accept it.' : 'The author model writes a Procedure from your outline, checked with validate. You see it before anything is saved.'}
    >
      <div className="sim-draft" data-testid="draft-procedure">
        {error && (
          <Banner tone="error" title="No draft">
            {error}
          </Banner>
        )}
        {proposal ? (
          <section className="sim-proposal" aria-label="Proposed Procedure" data-testid="draft-proposal">
            <p className="sim-facts">
              {proposal.name ? <strong>{proposal.name}</strong> : 'No name'}
              {proposal.summary ? ` · ${proposal.summary}` : ''}
              {proposal.repairs > 0 ? ` · repaired ${proposal.repairs} time${proposal.repairs === 1 ? '' : 's'} from validate` : ''}
            </p>
            {!proposal.valid && (
              <Banner tone="error" title="It does not pass validate, so it cannot be accepted">
                <ul className="sim-draft-problems">
                  {proposal.problems.map((problem) => (
                    <li key={problem}>{problem}</li>
                  ))}
                </ul>
              </Banner>
            )}
            {proposal.warnings.length > 0 && <Banner tone="warning" title="Warnings">{proposal.warnings.join('; ')}</Banner>}
            <DiffText patch={proposal.patch} label="Proposed Procedure" />
          </section>
        ) : (
          <>
            <Field label="Outline" help="What the Procedure should do, step by step, in your own words.">
              <textarea className="sw-input sw-textarea sim-draft-outline" value={outline} onChange={(event) => setOutline(event.target.value)} disabled={busy !== null} />
            </Field>
            <Field label="Knowledge articles" help="Search the knowledge hub; the articles you add are sent along for their policies.">
              <input className="sw-input" type="search" value={query} onChange={(event) => setQuery(event.target.value)} disabled={busy !== null} />
            </Field>
            {hits.length > 0 && (
              <ul className="sim-draft-list" aria-label="Matching articles">
                {hits.map((hit) => {
                  const chosen = articles.some((article) => article.id === hit.id);
                  return (
                    <li key={hit.id}>
                      <span className="sim-draft-title">{hit.title}</span>
                      <Button size="sm" variant="ghost" icon={chosen ? Check : Plus} disabled={chosen || busy !== null} onClick={() => setArticles([...articles, hit])} aria-label={`${chosen ? 'Added' : 'Add'} the article ${hit.title}`}>
                        {chosen ? 'Added' : 'Add'}
                      </Button>
                    </li>
                  );
                })}
              </ul>
            )}
            {articles.length > 0 && (
              <ul className="sim-draft-list" aria-label="Chosen articles">
                {articles.map((article) => (
                  <li key={article.id}>
                    <span>{article.title}</span>
                    <IconButton icon={Trash2} size="sm" variant="ghost" label={`Remove the article ${article.title}`} onClick={() => setArticles(articles.filter((entry) => entry.id !== article.id))} disabled={busy !== null} />
                  </li>
                ))}
              </ul>
            )}
            {transcripts.map((transcript, index) => (
              <div key={index} className="sim-rows-line">
                <Field label={`Past transcript ${index + 1}`}>
                  <textarea className="sw-input sw-textarea" value={transcript} onChange={(event) => setTranscripts(transcripts.map((text, at) => (at === index ? event.target.value : text)))} disabled={busy !== null} />
                </Field>
                <IconButton icon={Trash2} size="sm" variant="ghost" label={`Remove transcript ${index + 1}`} onClick={() => setTranscripts(transcripts.filter((_, at) => at !== index))} disabled={busy !== null} />
              </div>
            ))}
            {transcripts.length < 10 && (
              <div>
                <Button size="sm" variant="secondary" icon={Plus} onClick={() => setTranscripts([...transcripts, ''])} disabled={busy !== null}>
                  Add a past transcript
                </Button>
              </div>
            )}
          </>
        )}
      </div>
    </Dialog>
  );
}
