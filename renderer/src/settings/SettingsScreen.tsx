// Model settings: provider, API key (kept in the secret store; never shown again), base URL and a
// model for each role, and a button that tests the connection with what is saved.
import { useEffect, useState } from 'react';
import { MODEL_PROVIDERS, MODEL_ROLES, type ConnectionTest, type SettingsView } from '../../../shared/api';
import { useApi } from '../api/context';

const ROLE_HELP: Record<(typeof MODEL_ROLES)[number], string> = {
  agent: 'answers customers in conversations',
  customer: 'plays the customer in Simulations',
  judge: 'scores Simulations',
  author: 'helps write Procedures',
};

export function SettingsScreen() {
  const api = useApi();
  const [view, setView] = useState<SettingsView | null>(null);
  const [provider, setProvider] = useState<(typeof MODEL_PROVIDERS)[number]>('anthropic');
  const [baseURL, setBaseURL] = useState('');
  const [models, setModels] = useState<Record<string, string>>({});
  const [apiKey, setApiKey] = useState('');
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = (next: SettingsView) => {
    setView(next);
    setProvider(next.provider);
    setBaseURL(next.baseURL ?? '');
    setModels(next.models);
    setApiKey('');
  };
  useEffect(() => {
    api['settings.get']({}).then(apply, (error: Error) => setStatus({ kind: 'error', text: error.message }));
  }, [api]);

  const save = async (key: string | null | undefined) => {
    setBusy(true);
    try {
      apply(await api['settings.save']({ provider, baseURL: baseURL.trim() || null, models: models as SettingsView['models'], ...(key !== undefined ? { apiKey: key } : {}) }));
      setStatus({ kind: 'ok', text: 'Settings saved.' });
      return true;
    } catch (error) {
      setStatus({ kind: 'error', text: (error as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const testConnection = async () => {
    if (!(await save(apiKey.trim() ? apiKey.trim() : undefined))) return;
    setBusy(true);
    setTest(null);
    try {
      setTest(await api['settings.testConnection']({}));
    } catch (error) {
      setTest({ ok: false, model: models.agent ?? '', latencyMs: 0, message: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  if (!view) return status ? <p className="error">{status.text}</p> : <p className="muted">Loading…</p>;
  return (
    <section className="settings" aria-label="Settings">
      <h1>Model settings</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save(apiKey.trim() ? apiKey.trim() : undefined);
        }}
      >
        <label>
          <span>Provider</span>
          <select value={provider} onChange={(event) => setProvider(event.target.value as typeof provider)}>
            {MODEL_PROVIDERS.map((name) => (
              <option key={name} value={name}>
                {name === 'anthropic' ? 'Anthropic (Messages API)' : name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>API key</span>
          <input type="password" autoComplete="off" value={apiKey} placeholder={view.hasApiKey ? 'A key is saved; type a new one to replace it' : 'No key saved'} onChange={(event) => setApiKey(event.target.value)} />
          <small className="muted">
            Kept in the {view.secretStore}, never in the workspace.{' '}
            {view.hasApiKey && (
              <button type="button" className="link danger" onClick={() => void save(null)}>
                Remove the saved key
              </button>
            )}
          </small>
        </label>
        <label>
          <span>Base URL</span>
          <input value={baseURL} placeholder="The provider's default" onChange={(event) => setBaseURL(event.target.value)} />
          <small className="muted">For a proxy or a compatible server; leave empty for the provider's own.</small>
        </label>
        <fieldset>
          <legend>Models</legend>
          {MODEL_ROLES.map((role) => (
            <label key={role}>
              <span>
                {role[0]!.toUpperCase() + role.slice(1)} <small className="muted">({ROLE_HELP[role]})</small>
              </span>
              <input aria-label={`Model for the ${role}`} value={models[role] ?? ''} onChange={(event) => setModels({ ...models, [role]: event.target.value })} />
            </label>
          ))}
        </fieldset>
        <div className="settings-buttons">
          <button type="submit" className="primary" disabled={busy}>
            Save
          </button>
          <button type="button" disabled={busy} onClick={() => void testConnection()}>
            Test connection
          </button>
        </div>
      </form>
      {status && <p className={status.kind === 'ok' ? 'ok' : 'error'} role="status">{status.text}</p>}
      {test && (
        <p className={test.ok ? 'ok' : 'error'} data-testid="connection-test">
          {test.message}
        </p>
      )}
    </section>
  );
}
