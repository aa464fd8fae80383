// "Try action": a form generated from the action's input schema, run mocked or live. It shows the
// exact request (secrets masked by the engine), the response, the fields the model sees and the time.
import { Play } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import type { ConnectorTryResult, ConnectorView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Badge, Banner, Button, Field, Select } from '../ui';
import { inputControls, inputFromForm } from './schema-form';

type RecordedRequest = { method?: string; url?: string; headers?: Record<string, string>; body?: string; server?: string; tool?: string; arguments?: unknown } | null;

export function TryAction({ view, onTried }: { view: ConnectorView; onTried: () => void }) {
  const api = useApi();
  const actions = (view.definition.actions ?? []) as { name: string; inputSchema?: unknown }[];
  const [actionName, setActionName] = useState(actions[0]?.name ?? '');
  const [mode, setMode] = useState<'mock' | 'live'>('mock');
  const [values, setValues] = useState<Record<string, string>>({});
  const [result, setResult] = useState<ConnectorTryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [worlds, setWorlds] = useState<string[]>([]);
  const [world, setWorld] = useState('');
  useEffect(() => {
    api['connectors.worlds']({}).then((list) => setWorlds(list.map((entry) => entry.name)), () => setWorlds([]));
  }, [api]);
  const action = actions.find((candidate) => candidate.name === actionName);
  const controls = useMemo(() => inputControls(action?.inputSchema), [action]);

  if (actions.length === 0) return <p className="connectors-muted">This connector has no actions to try yet.</p>;
  const run = async () => {
    setError(null);
    setResult(null);
    let input: Record<string, unknown>;
    try {
      input = inputFromForm(controls, values);
    } catch (problem) {
      return setError((problem as Error).message);
    }
    setBusy(true);
    try {
      setResult(await api['connectors.try']({ action: `${view.name}.${actionName}`, input, mode, ...(mode === 'mock' && world ? { world } : {}) }));
      onTried();
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="connectors-try">
      <form
        className="connectors-form"
        aria-label="Try action"
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <div className="connectors-row">
          <Field label="Action">
            <Select label="Action" value={actionName} options={actions.map((entry) => ({ value: entry.name, label: `@${view.name}.${entry.name}` }))} onValueChange={(next) => { setActionName(next); setValues({}); setResult(null); }} />
          </Field>
          <Field label="Run" help={mode === 'mock' ? 'Answered by the mocks, over the mock world; nothing is sent.' : 'Sent to the real API, with the stored secrets.'}>
            <Select label="Run" value={mode} options={[{ value: 'mock', label: 'Mocked' }, { value: 'live', label: 'Live' }]} onValueChange={(next) => setMode(next as 'mock' | 'live')} />
          </Field>
          {mode === 'mock' && worlds.length > 0 && (
            <Field label="Mock world" help="What a Python mock handler reads and changes; the stored world is not changed by a try.">
              <Select label="Mock world" value={world || '(default)'} options={[{ value: '(default)', label: 'The default world' }, ...worlds.map((name) => ({ value: name, label: name }))]} onValueChange={(next) => setWorld(next === '(default)' ? '' : next)} />
            </Field>
          )}
        </div>
        {controls.length === 0 && <p className="connectors-muted">The action takes no input.</p>}
        {controls.map((control) => (
          <Field key={`${actionName}.${control.name}`} label={`${control.name}${control.required ? '' : ' (optional)'}`} {...(control.description ? { help: control.description } : {})}>
            {control.kind === 'enum' || control.kind === 'boolean' ? (
              <Select
                label={control.name}
                value={values[control.name] || '(unset)'}
                options={[{ value: '(unset)', label: '—' }, ...(control.kind === 'enum' ? control.options : ['true', 'false']).map((option) => ({ value: option, label: option }))]}
                onValueChange={(next) => setValues({ ...values, [control.name]: next === '(unset)' ? '' : next })}
              />
            ) : (
              <input className={`sw-input${control.kind === 'json' ? ' connectors-mono' : ''}`} inputMode={control.kind === 'number' || control.kind === 'integer' ? 'decimal' : undefined} value={values[control.name] ?? ''} onChange={(event) => setValues({ ...values, [control.name]: event.target.value })} />
            )}
          </Field>
        ))}
        {error && <Banner tone="error">{error}</Banner>}
        <div className="connectors-buttons">
          <Button type="submit" variant="primary" icon={Play} disabled={busy}>
            {busy ? 'Running…' : 'Try it'}
          </Button>
        </div>
      </form>
      {result && <TryResultView result={result} />}
    </div>
  );
}

function TryResultView({ result }: { result: ConnectorTryResult }) {
  const request = result.request as RecordedRequest;
  return (
    <section className="connectors-result" aria-label="Result" data-testid="try-result">
      <header className="connectors-result-head">
        <Badge tone={result.ok ? 'success' : 'warning'} dot>
          {result.ok ? 'Succeeded' : 'Failed'}
        </Badge>
        <span>{result.mode === 'mock' ? 'mocked' : 'live'}</span>
        {result.status !== null && <span>HTTP {result.status}</span>}
        <span data-testid="try-time">{result.durationMs} ms{result.attempts > 1 ? `, ${result.attempts} attempts` : ''}</span>
      </header>
      {result.error && <Banner tone="error">{result.error}</Banner>}
      <h3>{result.mode === 'mock' ? 'Request (not sent: mocked)' : 'Request'}</h3>
      <pre className="connectors-code" data-testid="try-request">{formatRequest(request)}</pre>
      <h3>Response</h3>
      <pre className="connectors-code" data-testid="try-response">{result.response === null || result.response === undefined ? '(none)' : JSON.stringify(result.response, null, 2)}</pre>
      <h3>What the model sees</h3>
      <pre className="connectors-code" data-testid="try-shown">{result.shown === null || result.shown === undefined ? '(nothing: the call failed)' : JSON.stringify(result.shown, null, 2)}</pre>
      {result.world && <p className="connectors-muted">{result.world.changed ? 'The mock world changed.' : 'The mock world did not change.'}</p>}
    </section>
  );
}

function formatRequest(request: RecordedRequest): string {
  if (!request) return '(none: the call stopped before a request was made)';
  if (request.url) {
    const lines = [`${request.method ?? ''} ${request.url}`, ...Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`)];
    if (request.body !== undefined) lines.push('', request.body);
    return lines.join('\n');
  }
  return `MCP ${request.server ?? ''} → ${request.tool ?? ''}\n${JSON.stringify(request.arguments, null, 2)}`;
}
