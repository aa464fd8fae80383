// Model settings: provider, API key (kept in the secret store; never shown again), base URL and a
// model for each role, and a button that tests the connection with what is saved.
import { useEffect, useState } from 'react';
import { MODEL_PROVIDERS, MODEL_ROLES, type ConnectionTest, type SettingsView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Button, Field, Select, setTheme, Tabs, useTheme, type Theme } from '../ui';

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
  const modelForm = (
    <form
      className="settings-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save(apiKey.trim() ? apiKey.trim() : undefined);
      }}
    >
      <Field label="Provider">
        <Select label="Provider" value={provider} onValueChange={(next) => setProvider(next as typeof provider)} options={MODEL_PROVIDERS.map((name) => ({ value: name, label: name === 'anthropic' ? 'Anthropic (Messages API)' : name }))} />
      </Field>
      <Field label="API key" help={`Kept in the ${view.secretStore}, never in the workspace.`}>
        <input className="sw-input" type="password" autoComplete="off" value={apiKey} placeholder={view.hasApiKey ? 'A key is saved; type a new one to replace it' : 'No key saved'} onChange={(event) => setApiKey(event.target.value)} />
      </Field>
      {view.hasApiKey && (
        <button type="button" className="link danger settings-remove-key" onClick={() => void save(null)}>
          Remove the saved key
        </button>
      )}
      <Field label="Base URL" help="For a proxy or a compatible server; leave empty for the provider's own.">
        <input className="sw-input" value={baseURL} placeholder="The provider's default" onChange={(event) => setBaseURL(event.target.value)} />
      </Field>
      <fieldset className="settings-models">
        <legend>Models</legend>
        {MODEL_ROLES.map((role) => (
          <div className="sw-field settings-model" key={role}>
            <label className="sw-field-label" htmlFor={`settings-model-${role}`}>
              {role[0]!.toUpperCase() + role.slice(1)} <span className="sw-field-help">— {ROLE_HELP[role]}</span>
            </label>
            <input id={`settings-model-${role}`} className="sw-input" aria-label={`Model for the ${role}`} value={models[role] ?? ''} onChange={(event) => setModels({ ...models, [role]: event.target.value })} />
          </div>
        ))}
      </fieldset>
      <div className="settings-buttons">
        <Button type="submit" variant="primary" disabled={busy}>
          Save
        </Button>
        <Button disabled={busy} onClick={() => void testConnection()}>
          Test connection
        </Button>
      </div>
      {status && (
        <p className={status.kind === 'ok' ? 'ok' : 'error'} role="status">
          {status.text}
        </p>
      )}
      {test && (
        <p className={test.ok ? 'ok' : 'error'} data-testid="connection-test">
          {test.message}
        </p>
      )}
    </form>
  );
  return (
    <section className="settings" aria-label="Settings">
      <h1>Settings</h1>
      <Tabs
        label="Settings sections"
        items={[
          { value: 'model', label: 'Model', content: modelForm },
          { value: 'appearance', label: 'Appearance', content: <AppearanceSettings /> },
        ]}
      />
    </section>
  );
}

function AppearanceSettings() {
  const theme = useTheme();
  return (
    <div className="settings-form">
      <Field label="Theme" help="The editor follows it. Until you choose, the app follows your system's setting.">
        <Select label="Theme" value={theme} onValueChange={(next) => setTheme(next as Theme)} options={[{ value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }]} />
      </Field>
    </div>
  );
}
