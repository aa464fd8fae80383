// The export dialog: choose the Procedures (live or draft), see what the bundle will hold (the
// Procedures they call, connectors, teams with their definitions, knowledge), the secret names
// production must provide and the simulation warnings, then save the signed file.
import { Download } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { BundleExport, ProcedureSummary } from '../../../shared/api';
import { useApi } from '../api/context';
import { shellBridge } from '../api/shell-bridge';
import { Badge, Banner, Button, Select, showMessage, toast } from '../ui';
import { saveTextFile } from './download';

export function ExportPanel() {
  const api = useApi();
  const [procedures, setProcedures] = useState<ProcedureSummary[]>([]);
  const [chosen, setChosen] = useState<string[]>([]);
  const [source, setSource] = useState<'live' | 'draft'>('live');
  const [includeKnowledge, setIncludeKnowledge] = useState(false);
  const [result, setResult] = useState<BundleExport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api['procedures.list']({}).then(setProcedures, (problem: Error) => setError(problem.message));
  }, [api]);

  // Each change of choice builds the bundle again, so what is shown is what will be saved.
  useEffect(() => {
    if (chosen.length === 0) {
      setResult(null);
      setError(null);
      return;
    }
    let current = true;
    setBusy(true);
    api['bundles.export']({ procedures: chosen, source, includeKnowledge }).then(
      (value) => current && (setResult(value), setError(null)),
      (problem: Error) => current && (setResult(null), setError(problem.message)),
    ).finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
  }, [api, chosen, source, includeKnowledge]);

  const toggle = (name: string, on: boolean) => setChosen((list) => (on ? [...list, name] : list.filter((item) => item !== name)));
  const available = procedures.filter((procedure) => source === 'draft' || procedure.liveVersion !== null);

  return (
    <div className="bundles-panel bundles-export">
      <div className="bundles-columns">
        <fieldset className="bundles-group">
          <legend>Procedures</legend>
          <div className="bundles-row">
            <Select
              label="Export what"
              value={source}
              onValueChange={(value) => setSource(value as 'live' | 'draft')}
              options={[
                { value: 'live', label: 'Live versions' },
                { value: 'draft', label: 'Drafts' },
              ]}
            />
            <label className="bundles-check">
              <input type="checkbox" checked={includeKnowledge} onChange={(event) => setIncludeKnowledge(event.target.checked)} /> Include the knowledge hub
            </label>
          </div>
          <ul className="bundles-choices" aria-label="Procedures to export">
            {available.map((procedure) => (
              <li key={procedure.name}>
                <label className="bundles-check">
                  <input type="checkbox" checked={chosen.includes(procedure.name)} onChange={(event) => toggle(procedure.name, event.target.checked)} />
                  {procedure.name}
                  {source === 'live' && <Badge tone="success">v{procedure.liveVersion}</Badge>}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <section className="bundles-group" aria-label="What the bundle holds" aria-busy={busy}>
          <h2>What the bundle holds</h2>
          {chosen.length === 0 && <p className="muted">Choose the Procedures to export.</p>}
          {error && <Banner tone="error">{error}</Banner>}
          {result && <Closure result={result} />}
          <div className="bundles-buttons">
            <Button
              variant="primary"
              icon={Download}
              disabled={!result || busy}
              onClick={() => {
                if (!result) return;
                // In Electron the main process builds the bundle again and writes it where its save dialog says.
                const shell = shellBridge();
                if (!shell) {
                  saveTextFile(result.fileName, result.text);
                  toast({ title: `Saved ${result.fileName}`, description: `Signed with ${result.fingerprint}.`, tone: 'success' });
                  return;
                }
                setBusy(true);
                shell
                  .saveBundle({ procedures: chosen, source, includeKnowledge })
                  .then((answer) => {
                    if (!answer.ok) return void showMessage('Bundle not saved', answer.error.message);
                    if (answer.value.saved) toast({ title: `Saved ${answer.value.path}`, description: `Signed with ${answer.value.fingerprint}.`, tone: 'success' });
                  }, (problem: Error) => void showMessage('Bundle not saved', problem.message))
                  .finally(() => setBusy(false));
              }}
            >
              Save bundle
            </Button>
          </div>
        </section>
      </div>
    </div>
  );
}

function Closure({ result }: { result: BundleExport }) {
  const called = result.procedures.filter((procedure) => !procedure.requested);
  return (
    <div className="bundles-closure">
      <dl>
        <dt>Procedures</dt>
        <dd>
          {result.procedures.filter((procedure) => procedure.requested).map((procedure) => procedure.name).join(', ')}
          {called.length > 0 && <span className="muted"> and what they call: {called.map((procedure) => procedure.name).join(', ')}</span>}
        </dd>
        <dt>Connectors</dt>
        <dd>{result.connectors.length === 0 ? 'none' : result.connectors.join(', ')}</dd>
        <dt>Teams handed off to</dt>
        <dd>
          {result.teams.length === 0 ? 'none' : result.teams.join(', ')}
          {result.undefinedTeams.length > 0 && <span className="muted"> (not defined in this workspace, so only named: {result.undefinedTeams.join(', ')})</span>}
        </dd>
        <dt>Simulations</dt>
        <dd>{result.simulations}</dd>
        <dt>Knowledge articles</dt>
        <dd>{result.articles === 0 ? 'not included' : result.articles}</dd>
      </dl>
      <h3>Secrets production must provide</h3>
      {result.secretsNeeded.length === 0 ? (
        <p className="muted">None: the connectors need no secrets.</p>
      ) : (
        <ul className="bundles-secrets" aria-label="Secrets production must provide">
          {result.secretsNeeded.map((name) => (
            <li key={name}>
              <code>{name}</code>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">Values never go into a bundle, only these names.</p>
      {result.warnings.length > 0 && (
        <Banner tone="warning" title="Simulations to look at first">
          <ul className="bundles-warnings">
            {result.warnings.map((warning) => (
              <li key={`${warning.procedure}-${warning.code}`}>{warning.message}</li>
            ))}
          </ul>
        </Banner>
      )}
    </div>
  );
}
