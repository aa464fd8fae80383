// An MCP server: added over stdio (a command and its arguments) or Streamable HTTP (a URL); then
// connected to list its tools with their schemas, and the tools Procedures may use allow-listed.
// The connection's state and its error are shown as they are.
import { PlugZap, Save } from 'lucide-react';
import { useState } from 'react';
import type { CallOutput, ConnectorView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Badge, Banner, Button, Field, Select, toast } from '../ui';
import { errorAt, setAt, unplacedErrors, validateDefinition, type FieldErrors } from './validation';

type Draft = Record<string, unknown> & { transport?: Record<string, unknown> };

export const NEW_MCP_SERVER: Draft = { kind: 'mcp', name: '', description: '', transport: { type: 'stdio', command: '', args: [] }, actions: [] };

export function McpServerEditor({ initial, isNew, onSaved }: { initial: Draft; isNew: boolean; onSaved: (saved: ConnectorView) => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [checked, setChecked] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const transport = (draft.transport ?? {}) as { type?: string; command?: string; args?: string[]; url?: string };
  const update = (path: (string | number)[], value: unknown) => {
    const next = setAt(draft, path, value);
    setDraft(next);
    if (checked) setErrors(validateDefinition(next));
  };
  const save = async () => {
    setChecked(true);
    setServerError(null);
    const found = validateDefinition(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    try {
      const saved = await api['connectors.save']({ definition: draft, create: isNew });
      toast({ title: `Saved MCP server "${saved.name}"`, tone: 'success' });
      onSaved(saved);
    } catch (error) {
      setServerError((error as Error).message);
    }
  };
  const others = checked ? unplacedErrors(errors, ['name', 'description', 'transport.type', 'transport.command', 'transport.args', 'transport.url', 'transport']) : [];
  return (
    <form
      className="connectors-form"
      aria-label={isNew ? 'New MCP server' : `MCP server ${String(draft.name)}`}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      {checked && Object.keys(errors).length > 0 && <Banner tone="error" title="Not saved">Fix the fields marked below; nothing was saved.{others.length > 0 && <ul className="connectors-issues">{others.map((line) => <li key={line}>{line}</li>)}</ul>}</Banner>}
      {serverError && <Banner tone="error" title="Not saved">{serverError}</Banner>}
      <fieldset className="connectors-group">
        <legend>MCP server</legend>
        <Field label="Name" help="Procedures write its tools as @name.tool." error={errorAt(errors, 'name')}>
          <input className="sw-input connectors-mono" disabled={!isNew} value={String(draft.name ?? '')} onChange={(event) => update(['name'], event.target.value)} />
        </Field>
        <Field label="Description" error={errorAt(errors, 'description')}>
          <input className="sw-input" value={String(draft.description ?? '')} onChange={(event) => update(['description'], event.target.value)} />
        </Field>
        <Field label="Transport" error={errorAt(errors, 'transport.type')}>
          <Select
            label="Transport"
            value={transport.type ?? 'stdio'}
            options={[{ value: 'stdio', label: 'stdio (a command)' }, { value: 'http', label: 'Streamable HTTP' }]}
            onValueChange={(type) => update(['transport'], type === 'stdio' ? { type: 'stdio', command: '', args: [] } : { type: 'http', url: 'https://' })}
          />
        </Field>
        {transport.type === 'http' ? (
          <Field label="URL" error={errorAt(errors, 'transport.url')}>
            <input className="sw-input connectors-mono" value={transport.url ?? ''} onChange={(event) => update(['transport', 'url'], event.target.value)} />
          </Field>
        ) : (
          <>
            <Field label="Command" help="The program that starts the server, like npx or node." error={errorAt(errors, 'transport.command')}>
              <input className="sw-input connectors-mono" value={transport.command ?? ''} onChange={(event) => update(['transport', 'command'], event.target.value)} />
            </Field>
            <Field label="Arguments" help="One a line." error={errorAt(errors, 'transport.args', true)}>
              <textarea className="sw-input sw-textarea connectors-mono" rows={3} value={(transport.args ?? []).join('\n')} onChange={(event) => update(['transport', 'args'], event.target.value === '' ? [] : event.target.value.split('\n'))} />
            </Field>
          </>
        )}
      </fieldset>
      <div className="connectors-buttons">
        <Button type="submit" variant="primary" icon={Save}>
          Save server
        </Button>
      </div>
    </form>
  );
}

type ToolsAnswer = CallOutput<'connectors.mcpTools'>;

export function McpTools({ view, onSaved }: { view: ConnectorView; onSaved: () => void }) {
  const api = useApi();
  const [answer, setAnswer] = useState<ToolsAnswer | null>(null);
  const [allowed, setAllowed] = useState<Set<string>>(new Set());
  const [state, setState] = useState<'idle' | 'connecting' | 'saving'>('idle');
  const [error, setError] = useState<string | null>(null);
  const connect = async (allow?: string[]) => {
    setState(allow ? 'saving' : 'connecting');
    setError(null);
    try {
      const next = await api['connectors.mcpTools']({ name: view.name, ...(allow ? { allow } : {}) });
      setAnswer(next);
      setAllowed(new Set(next.tools.filter((tool) => tool.allowed).map((tool) => tool.name)));
      if (allow && next.state === 'connected') {
        toast({ title: `Saved the allow-list of "${view.name}"`, tone: 'success' });
        onSaved();
      }
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setState('idle');
    }
  };
  const status = state === 'connecting' ? 'connecting' : answer === null ? 'not connected' : answer.state;
  return (
    <div className="connectors-form" aria-label="Tools">
      <div className="connectors-buttons">
        <Button icon={PlugZap} disabled={state !== 'idle'} onClick={() => void connect()}>
          {answer ? 'Reconnect' : 'Connect and list tools'}
        </Button>
        <span data-testid="mcp-state">
          <Badge tone={status === 'connected' ? 'success' : status === 'failed' ? 'warning' : 'neutral'} dot>
            {status}
          </Badge>
        </span>
      </div>
      {error && <Banner tone="error">{error}</Banner>}
      {answer?.state === 'failed' && <Banner tone="error" title="Could not connect">{answer.error}</Banner>}
      {answer && answer.tools.length > 0 && (
        <>
          <ul className="connectors-tools" aria-label="Server tools">
            {answer.tools.map((tool) => (
              <li key={tool.name} data-tool={tool.name}>
                <label>
                  <input
                    type="checkbox"
                    checked={allowed.has(tool.name)}
                    onChange={() => {
                      const next = new Set(allowed);
                      if (next.has(tool.name)) next.delete(tool.name);
                      else next.add(tool.name);
                      setAllowed(next);
                    }}
                  />
                  <code>{tool.name}</code>
                  <span className="connectors-muted">{tool.description}</span>
                </label>
                <details>
                  <summary>Input schema</summary>
                  <pre className="connectors-code">{JSON.stringify(tool.inputSchema, null, 2)}</pre>
                </details>
              </li>
            ))}
          </ul>
          <div className="connectors-buttons">
            <Button variant="primary" icon={Save} disabled={state !== 'idle'} onClick={() => void connect([...allowed])}>
              Save allow-list ({allowed.size})
            </Button>
          </div>
        </>
      )}
    </div>
  );
}
