// Published versions, newest first, and the diff of any two of them (or of a version and the draft).
import { useEffect, useState } from 'react';
import type { ProcedureDiff, VersionRef, VersionSummary } from '../../../shared/api';
import { useApi } from '../api/context';
import { Check, X } from 'lucide-react';
import { DiffView } from '../editor/DiffView';
import { Badge, Button, IconButton, Panel, Select } from '../ui';
import { diffSummary } from './diff-summary';

const refLabel = (ref: VersionRef) => (ref === 'draft' ? 'Draft' : ref === 'live' ? 'Live' : `v${ref}`);

export function HistoryPanel({ name, live, onClose }: { name: string; live: number | null; onClose: () => void }) {
  const api = useApi();
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [from, setFrom] = useState<VersionRef | null>(null);
  const [to, setTo] = useState<VersionRef>('draft');
  const [diff, setDiff] = useState<ProcedureDiff | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api['procedures.history']({ name }).then((history) => {
      setVersions(history);
      if (history[0]) setFrom(history[1] ? history[1].version : history[0].version);
      if (history[1]) setTo(history[0]!.version);
    }, (caught: Error) => setError(caught.message));
  }, [api, name, live]);

  const compare = async () => {
    if (from === null) return;
    try {
      setDiff(await api['procedures.diff']({ name, from, to }));
      setError(null);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  const summary = diff ? diffSummary(diff) : null;
  const options: VersionRef[] = ['draft', ...(versions ?? []).map((version) => version.version)];
  return (
    <Panel as="aside" elevation="overlay" className="history-panel" aria-label="History" title={<>History <span className="history-of">{name}</span></>} actions={<IconButton icon={X} label="Close history" onClick={onClose} />}>
      {error && <p className="error">{error}</p>}
      {versions?.length === 0 && <p className="muted">Not published yet.</p>}
      <ol className="versions">
        {versions?.map((version) => (
          <li key={version.version} data-version={version.version}>
            <div className="version-line">
              <strong className="version-number">v{version.version}</strong>
              {version.version === live && (
                <Badge tone="success" className="status-live" dot>
                  live
                </Badge>
              )}
              <span className="version-date">{new Date(version.publishedAt).toLocaleString()}</span>
              {version.republishes !== null && <span className="version-date">republishes v{version.republishes}</span>}
            </div>
            <div className="note">{version.note || <em className="muted-inline">no note</em>}</div>
          </li>
        ))}
      </ol>
      {versions && versions.length > 0 && (
        <div className="compare">
          <VersionSelect label="From" options={options} value={from} onChange={setFrom} />
          <VersionSelect label="To" options={options} value={to} onChange={setTo} />
          <Button variant="primary" size="sm" onClick={() => void compare()}>
            Compare
          </Button>
        </div>
      )}
      {diff && summary && (
        <div className="diff-panel">
          {summary.same ? (
            <p className="diff-summary diff-same" role="status">
              <Check aria-hidden size={14} /> {summary.text}
            </p>
          ) : (
            <>
              <p className="diff-summary">
                {summary.text} <span className="added" aria-hidden>+{summary.added}</span> <span className="removed" aria-hidden>−{summary.removed}</span>
              </p>
              <DiffView original={diff.from.text} modified={diff.to.text} />
            </>
          )}
        </div>
      )}
    </Panel>
  );
}

function parseRef(value: string): VersionRef {
  return value === 'draft' || value === 'live' ? value : Number(value);
}

function VersionSelect({ label, options, value, onChange }: { label: string; options: VersionRef[]; value: VersionRef | null; onChange: (ref: VersionRef) => void }) {
  return (
    <span className="compare-field">
      <span aria-hidden>{label}</span>
      <Select label={`${label} version`} size="sm" value={String(value)} onValueChange={(next) => onChange(parseRef(next))} options={options.map((ref) => ({ value: String(ref), label: refLabel(ref) }))} />
    </span>
  );
}
