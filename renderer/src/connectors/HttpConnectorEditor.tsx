// The HTTP connector editor: base URL, auth by secret name, size cap, private addresses, and each
// action (method, path and query templates, headers, timeout, retries, input schema, fields kept,
// confirmation, static mocks). Checked with the engine's schema on save; nothing is sent while
// a field is at fault, and each message sits next to its field.
import { Plus, Save, Trash2 } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { ConnectorView } from '../../../shared/api';
import { useApi } from '../api/context';
import { Banner, Button, Field, IconButton, Select, toast } from '../ui';
import { JsonField } from './JsonField';
import { PythonHandlerEditor } from './PythonHandlerEditor';
import { errorAt, setAt, unplacedErrors, validateDefinition, type FieldErrors } from './validation';

type Draft = Record<string, unknown> & { actions?: Record<string, unknown>[]; auth?: Record<string, unknown> };

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({ value: method, label: method }));
const AUTH_TYPES = [
  { value: 'none', label: 'None' },
  { value: 'bearer', label: 'Bearer token' },
  { value: 'basic', label: 'Basic (user and password)' },
  { value: 'apiKey', label: 'API key (header or query)' },
];
const AUTH_DEFAULTS: Record<string, Record<string, unknown>> = {
  none: { type: 'none' },
  bearer: { type: 'bearer', secret: '' },
  basic: { type: 'basic', username: '', passwordSecret: '' },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', secret: '' },
};

export const NEW_HTTP_CONNECTOR: Draft = {
  kind: 'http',
  name: '',
  description: '',
  baseUrl: 'https://',
  auth: { type: 'none' },
  allowInternalHosts: false,
  maxResponseBytes: 1_000_000,
  actions: [{ name: 'get_item', description: '', method: 'GET', path: '/items/{{input.id}}', inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } }],
};

/** An action's mocks with one part replaced; no mocks at all when both parts are empty. */
function mocksWith(current: unknown, change: { responses?: unknown; handler?: string | undefined }): Record<string, unknown> | undefined {
  const next: Record<string, unknown> = { ...((current as Record<string, unknown> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) delete next[key];
    else next[key] = value;
  }
  if ((next.responses === undefined || (Array.isArray(next.responses) && next.responses.length === 0)) && next.handler === undefined) return undefined;
  return next;
}

function handlerText(handler: unknown): string {
  return Array.isArray(handler) ? handler.join('\n') : typeof handler === 'string' ? handler : '';
}

/** The fields the form shows, so an issue elsewhere is listed in the banner instead. */
function placedPaths(draft: Draft): string[] {
  const action = ['name', 'description', 'method', 'path', 'url', 'query', 'headers', 'timeoutMs', 'retries', 'inputSchema', 'responseFields', 'confirm', 'mocks', 'body'];
  return ['name', 'description', 'baseUrl', 'auth', 'allowInternalHosts', 'maxResponseBytes', 'actions', ...(draft.actions ?? []).flatMap((_, index) => action.map((field) => `actions.${index}.${field}`))];
}

export function HttpConnectorEditor({ initial, isNew, view, onSaved }: { initial: Draft; isNew: boolean; view: ConnectorView | null; onSaved: (saved: ConnectorView) => void }) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [jsonErrors, setJsonErrors] = useState<Record<string, string>>({});
  const [checked, setChecked] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const update = (path: (string | number)[], value: unknown) => {
    const next = setAt(draft, path, value);
    setDraft(next);
    if (checked) setErrors(validateDefinition(next));
  };
  const jsonError = (key: string) => (message: string | null) => setJsonErrors((current) => {
    const next = { ...current };
    if (message) next[key] = message;
    else delete next[key];
    return next;
  });
  const missing = useMemo(() => new Set((view?.secrets ?? []).filter((secret) => !secret.present).map((secret) => secret.name)), [view]);
  const secretHelp = (name: unknown) => (typeof name === 'string' && missing.has(name) ? `No value is stored for "${name}": set it under Secrets.` : 'The name of a secret; its value is set under Secrets.');

  const save = async () => {
    setChecked(true);
    setServerError(null);
    const found = validateDefinition(draft);
    setErrors(found);
    if (Object.keys(found).length > 0 || Object.keys(jsonErrors).length > 0) return;
    setBusy(true);
    try {
      const saved = await api['connectors.save']({ definition: draft, create: isNew });
      toast({ title: `Saved connector "${saved.name}"`, tone: 'success' });
      onSaved(saved);
    } catch (error) {
      setServerError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const auth = (draft.auth ?? { type: 'none' }) as Record<string, string>;
  const text = (path: (string | number)[], label: string, options: { help?: string; placeholder?: string; nestedErrors?: boolean; disabled?: boolean; mono?: boolean } = {}) => {
    const key = path.map(String).join('.');
    const value = path.reduce<unknown>((node, part) => (node as Record<string | number, unknown> | undefined)?.[part], draft);
    return (
      <Field label={label} {...(options.help ? { help: options.help } : {})} error={errorAt(errors, key, options.nestedErrors)}>
        <input
          className={`sw-input${options.mono ? ' connectors-mono' : ''}`}
          value={typeof value === 'string' ? value : ''}
          disabled={options.disabled}
          placeholder={options.placeholder}
          onChange={(event) => update(path, event.target.value === '' && path.length > 2 ? undefined : event.target.value)}
        />
      </Field>
    );
  };
  const number = (path: (string | number)[], label: string, help: string) => {
    const key = path.map(String).join('.');
    const value = path.reduce<unknown>((node, part) => (node as Record<string | number, unknown> | undefined)?.[part], draft);
    return (
      <Field label={label} help={help} error={errorAt(errors, key)}>
        <input className="sw-input" inputMode="numeric" value={typeof value === 'number' ? String(value) : ''} onChange={(event) => update(path, event.target.value.trim() === '' ? undefined : Number(event.target.value))} />
      </Field>
    );
  };
  const checkbox = (path: (string | number)[], label: string) => {
    const value = path.reduce<unknown>((node, part) => (node as Record<string | number, unknown> | undefined)?.[part], draft);
    return (
      <label className="connectors-check">
        <input type="checkbox" checked={value === true} onChange={(event) => update(path, event.target.checked)} /> {label}
      </label>
    );
  };

  const others = checked ? unplacedErrors(errors, placedPaths(draft)) : [];
  const hasErrors = checked && (Object.keys(errors).length > 0 || Object.keys(jsonErrors).length > 0);
  return (
    <form
      className="connectors-form"
      aria-label={isNew ? 'New HTTP connector' : `Connector ${String(draft.name)}`}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      {hasErrors && <Banner tone="error" title="Not saved">Fix the fields marked below; nothing was saved.{others.length > 0 && <ul className="connectors-issues">{others.map((line) => <li key={line}>{line}</li>)}</ul>}</Banner>}
      {serverError && <Banner tone="error" title="Not saved">{serverError}</Banner>}
      <fieldset className="connectors-group">
        <legend>Connector</legend>
        {text(['name'], 'Name', { help: 'Procedures write it as @name.action.', disabled: !isNew, mono: true })}
        {text(['description'], 'Description')}
        {text(['baseUrl'], 'Base URL', { mono: true })}
        <div className="connectors-row">
          <Field label="Authentication" error={errorAt(errors, 'auth')}>
            <Select label="Authentication" value={auth.type ?? 'none'} options={AUTH_TYPES} onValueChange={(type) => update(['auth'], AUTH_DEFAULTS[type])} />
          </Field>
          {(auth.type === 'bearer' || auth.type === 'apiKey') && text(['auth', 'secret'], 'Secret name', { help: secretHelp(auth.secret), mono: true })}
          {auth.type === 'basic' && text(['auth', 'username'], 'User name')}
          {auth.type === 'basic' && text(['auth', 'passwordSecret'], 'Password secret name', { help: secretHelp(auth.passwordSecret), mono: true })}
        </div>
        {auth.type === 'apiKey' && (
          <div className="connectors-row">
            <Field label="Key sent in" error={errorAt(errors, 'auth.in')}>
              <Select label="Key sent in" value={auth.in ?? 'header'} options={[{ value: 'header', label: 'a header' }, { value: 'query', label: 'the query string' }]} onValueChange={(value) => update(['auth', 'in'], value)} />
            </Field>
            {text(['auth', 'name'], auth.in === 'query' ? 'Query parameter' : 'Header name', { mono: true })}
          </div>
        )}
        <div className="connectors-row">
          {number(['maxResponseBytes'], 'Size cap (bytes)', 'A bigger response fails the call.')}
          <div className="connectors-check-field">{checkbox(['allowInternalHosts'], 'Allow private and loopback addresses')}</div>
        </div>
      </fieldset>

      {(draft.actions ?? []).map((action, index) => (
        <fieldset className="connectors-group" key={index} aria-label={`Action ${String(action.name || index + 1)}`}>
          <legend>Action {String(action.name || index + 1)}</legend>
          <div className="connectors-group-actions">
            <IconButton label={`Remove action ${String(action.name || index + 1)}`} icon={Trash2} onClick={() => update(['actions'], (draft.actions ?? []).filter((_, other) => other !== index))} />
          </div>
          <div className="connectors-row">
            {text(['actions', index, 'name'], 'Action name', { mono: true })}
            <Field label="Method" error={errorAt(errors, `actions.${index}.method`)}>
              <Select label="Method" value={String(action.method ?? 'GET')} options={METHODS} onValueChange={(value) => update(['actions', index, 'method'], value)} />
            </Field>
          </div>
          {text(['actions', index, 'description'], 'Description', { help: 'The agent reads it to decide when to call the action.' })}
          {text(['actions', index, 'path'], 'Path template', { help: 'Appended to the base URL; {{input.x}} is filled in from the input.', mono: true })}
          <div className="connectors-row">
            <JsonField label="Query template" value={action.query} onChange={(value) => update(['actions', index, 'query'], value)} onParseError={jsonError(`${index}.query`)} error={errorAt(errors, `actions.${index}.query`, true)} rows={3} />
            <JsonField label="Headers" value={action.headers} onChange={(value) => update(['actions', index, 'headers'], value)} onParseError={jsonError(`${index}.headers`)} error={errorAt(errors, `actions.${index}.headers`, true)} rows={3} />
          </div>
          <div className="connectors-row">
            {number(['actions', index, 'timeoutMs'], 'Timeout (ms)', '100 to 120000; empty for the default.')}
            {number(['actions', index, 'retries'], 'Retries', 'Idempotent calls only (GET, PUT, DELETE).')}
            <div className="connectors-check-field">{checkbox(['actions', index, 'confirm'], 'The customer confirms before it runs')}</div>
          </div>
          <div className="connectors-row">
            <JsonField label="Input schema" help="A JSON Schema of an object." value={action.inputSchema} onChange={(value) => update(['actions', index, 'inputSchema'], value)} onParseError={jsonError(`${index}.inputSchema`)} error={errorAt(errors, `actions.${index}.inputSchema`, true)} rows={6} />
            <JsonField label="Fields the model sees" help='Name → path in the response, like {"status": "order.status"}; empty keeps all.' value={action.responseFields} onChange={(value) => update(['actions', index, 'responseFields'], value)} onParseError={jsonError(`${index}.responseFields`)} error={errorAt(errors, `actions.${index}.responseFields`, true)} rows={6} />
          </div>
          {action.method !== 'GET' && (
            <JsonField label="Body template" help="A JSON value whose strings may hold {{input.x}}; empty sends no body." value={action.body} onChange={(value) => update(['actions', index, 'body'], value)} onParseError={jsonError(`${index}.body`)} error={errorAt(errors, `actions.${index}.body`, true)} rows={4} />
          )}
          <JsonField
            label="Static mock responses"
            help='Tried in order for previews and simulations, like [{"when": {"id": "1"}, "status": 200, "body": {}}, {"error": "timeout"}].'
            value={(action.mocks as { responses?: unknown[] } | undefined)?.responses}
            onChange={(value) => update(['actions', index, 'mocks'], mocksWith(action.mocks, { responses: value }))}
            onParseError={jsonError(`${index}.mocks`)}
            error={errorAt(errors, `actions.${index}.mocks`, true)}
            rows={4}
          />
          <PythonHandlerEditor
            key={`${index}-handler`}
            label={`Python mock handler of ${String(action.name || index + 1)}`}
            value={handlerText((action.mocks as { handler?: unknown } | undefined)?.handler)}
            onChange={(code) => update(['actions', index, 'mocks'], mocksWith(action.mocks, { handler: code.trim() === '' ? undefined : code }))}
          />
        </fieldset>
      ))}
      {errorAt(errors, 'actions') && <p className="connectors-error" role="alert">{errorAt(errors, 'actions')}</p>}
      <div className="connectors-buttons">
        <Button icon={Plus} onClick={() => update(['actions'], [...(draft.actions ?? []), { name: '', description: '', method: 'GET', path: '/', inputSchema: { type: 'object', properties: {} } }])}>
          Add action
        </Button>
        <Button type="submit" variant="primary" icon={Save} disabled={busy}>
          Save connector
        </Button>
      </div>
    </form>
  );
}
