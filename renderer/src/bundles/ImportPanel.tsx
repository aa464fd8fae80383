// The import dialog: choose a bundle file; see its signer (trusted or not), what will change item
// by item (new, changed with a diff, same), and what its connectors ask to do; choose keep mine,
// take theirs or keep both for each changed item, approve capabilities one by one; nothing is
// written before "Import".
import { FileUp, ShieldAlert, ShieldCheck } from 'lucide-react';
import { useState } from 'react';
import { changeKey, type BundleChange, type BundleImportReport, type BundleInspection, type ConflictChoice } from '../../../shared/api';
import { useApi } from '../api/context';
import { DiffView } from '../editor/DiffView';
import { Badge, Banner, Button, plural, toast, type BadgeTone } from '../ui';

const STATUS: Record<BundleChange['status'], { label: string; tone: BadgeTone }> = {
  new: { label: 'New', tone: 'accent' },
  changed: { label: 'Changed', tone: 'warning' },
  same: { label: 'Same', tone: 'neutral' },
};

export function ImportPanel() {
  const api = useApi();
  const [text, setText] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const [inspection, setInspection] = useState<BundleInspection | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [choices, setChoices] = useState<Record<string, ConflictChoice>>({});
  const [approve, setApprove] = useState<string[]>([]);
  const [trust, setTrust] = useState(false);
  const [diffOf, setDiffOf] = useState<string | null>(null);
  const [report, setReport] = useState<BundleImportReport | null>(null);
  const [busy, setBusy] = useState(false);

  async function open(file: File) {
    setInspection(null);
    setReport(null);
    setChoices({});
    setApprove([]);
    setTrust(false);
    setFileName(file.name);
    const content = await file.text();
    setText(content);
    try {
      setInspection(await api['bundles.inspect']({ text: content }));
      setError(null);
    } catch (problem) {
      setError((problem as Error).message);
    }
  }

  const changed = inspection?.changes.filter((change) => change.status === 'changed') ?? [];
  const unanswered = changed.filter((change) => !choices[changeKey(change)]).length;
  const needsTrust = inspection !== null && !inspection.trusted && !trust;

  async function runImport() {
    if (!text) return;
    setBusy(true);
    try {
      const done = await api['bundles.import']({ text, choices, approve, trust });
      setReport(done);
      setInspection(null);
      toast({ title: `Imported ${fileName}`, tone: 'success' });
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="bundles-panel bundles-import">
      <label className="bundles-file">
        <FileUp size={16} strokeWidth={1.75} aria-hidden />
        <span>Choose a bundle file</span>
        <input
          type="file"
          accept=".json,application/json"
          aria-label="Bundle file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void open(file);
            event.target.value = '';
          }}
        />
      </label>
      {error && <Banner tone="error">{error}</Banner>}
      {inspection && (
        <section className="bundles-group" aria-label="What will change">
          <div className="bundles-signer">
            {inspection.trusted ? <ShieldCheck size={18} strokeWidth={1.75} aria-hidden /> : <ShieldAlert size={18} strokeWidth={1.75} aria-hidden />}
            <span>
              {fileName}: signed by <code className="bundles-fingerprint">{inspection.fingerprint}</code> on {inspection.createdAt.slice(0, 10)}
            </span>
            <Badge tone={inspection.trusted ? 'success' : 'warning'}>{inspection.trusted ? 'Trusted signer' : 'Unknown signer'}</Badge>
          </div>
          {!inspection.trusted && (
            <label className="bundles-check">
              <input type="checkbox" checked={trust} onChange={(event) => setTrust(event.target.checked)} /> I know this signer: trust {inspection.fingerprint} and import
            </label>
          )}
          <h2>What will change</h2>
          <table className="bundles-changes">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Status</th>
                <th scope="col">Choice</th>
              </tr>
            </thead>
            <tbody>
              {inspection.changes.map((change) => {
                const key = changeKey(change);
                return (
                  <tr key={key} data-change={`${change.kind}:${change.name}`}>
                    <td>
                      <span className="muted">{change.kind}</span> {change.name}
                      {change.status === 'changed' && (
                        <Button size="sm" variant="ghost" onClick={() => setDiffOf(diffOf === key ? null : key)} aria-expanded={diffOf === key}>
                          {diffOf === key ? 'Hide diff' : 'Show diff'}
                        </Button>
                      )}
                    </td>
                    <td>
                      <Badge tone={STATUS[change.status].tone}>{STATUS[change.status].label}</Badge>
                    </td>
                    <td>
                      {change.status === 'changed' ? (
                        <div role="radiogroup" aria-label={`What to do with ${change.name}`} className="bundles-choice">
                          {(
                            [
                              ['keep-mine', 'Keep mine'],
                              ['take-theirs', 'Take theirs'],
                              ['keep-both', `Keep both (theirs as “${change.renameTo ?? ''}”)`],
                            ] as const
                          ).map(([value, label]) => (
                            <label key={value} className="bundles-check">
                              <input type="radio" name={key} value={value} checked={choices[key] === value} onChange={() => setChoices((all) => ({ ...all, [key]: value }))} /> {label}
                            </label>
                          ))}
                        </div>
                      ) : (
                        <span className="muted">{change.status === 'new' ? 'Added' : 'Nothing to do'}</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {diffOf &&
            (() => {
              const change = inspection.changes.find((candidate) => changeKey(candidate) === diffOf);
              return change ? (
                <div className="bundles-diff" aria-label={`Diff of ${change.name}: yours on the left, the bundle's on the right`} role="region">
                  <DiffView original={change.mine ?? ''} modified={change.theirs ?? ''} />
                </div>
              ) : null;
            })()}
          {inspection.capabilities.length > 0 && (
            <>
              <h2>What its connectors ask to do on this machine</h2>
              <ul className="bundles-capabilities" aria-label="Capabilities">
                {inspection.capabilities.map((capability) => (
                  <li key={capability.key}>
                    {capability.granted ? (
                      <span>
                        <Badge tone="success">Approved</Badge> {capability.connector} {capability.description}
                      </span>
                    ) : (
                      <label className="bundles-check">
                        <input
                          type="checkbox"
                          checked={approve.includes(capability.key)}
                          onChange={(event) => setApprove((list) => (event.target.checked ? [...list, capability.key] : list.filter((item) => item !== capability.key)))}
                        />
                        Approve: {capability.connector} {capability.description}
                      </label>
                    )}
                  </li>
                ))}
              </ul>
              <p className="muted">A connector runs live only for what is approved; the rest can be approved later on the connectors screen.</p>
            </>
          )}
          <div className="bundles-buttons">
            <Button variant="primary" disabled={busy || unanswered > 0 || needsTrust} onClick={() => void runImport()}>
              Import
            </Button>
            <span className="muted">
              {needsTrust ? 'Trust the signer to import. ' : ''}
              {unanswered > 0 ? `Choose for ${plural(unanswered, 'changed item')}.` : ''}
            </span>
          </div>
        </section>
      )}
      {report && (
        <section className="bundles-group" aria-label="Import report">
          <h2>Imported</h2>
          <ul className="bundles-report">
            {report.items.map((item) => (
              <li key={`${item.kind}:${item.name}`}>
                <span className="muted">{item.kind}</span> {item.name}: {item.outcome}
                {item.as ? ` as “${item.as}”` : ''}
              </li>
            ))}
          </ul>
          {report.pending.length > 0 && (
            <Banner tone="warning" title="Not approved">
              {report.pending.join('; ')}
            </Banner>
          )}
        </section>
      )}
    </div>
  );
}
