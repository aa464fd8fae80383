// The simulation editor: a form (customer, criteria, deterministic checks, connectors) and a raw
// YAML/JSON view of the same definition, each problem shown next to its field from the schema the
// engine runs simulations with. Nothing is sent while the definition is invalid.
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import { Plus, Save, Trash2, X } from 'lucide-react';
import { Banner, Button, Field, IconButton, plural, Select, Tabs } from '../ui';
import { fromYaml, getAt, problemAt, problemsOf, setAt, tagsFromText, toYaml, type Draft } from './definition-draft';

export interface SimulationEditorProps {
  /** null: a new simulation. */
  name: string | null;
  initial: Draft;
  onSave(name: string, definition: Draft): Promise<string | null>;
  onDelete?: () => void;
  onClose(): void;
}

/** JSON fields report text that does not parse yet, so the editor saves nothing meanwhile. */
const JsonErrors = createContext<(path: string, error: string | null) => void>(() => {});

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export function SimulationEditor({ name: initialName, initial, onSave, onDelete, onClose }: SimulationEditorProps) {
  const [name, setName] = useState(initialName ?? '');
  const [draft, setDraft] = useState<Draft>(initial);
  const [tab, setTab] = useState('form');
  const [raw, setRaw] = useState(() => toYaml(initial));
  const [rawError, setRawError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  const [jsonErrors, setJsonErrors] = useState<Record<string, string>>({});
  const reportJson = useCallback((path: string, error: string | null) => {
    setJsonErrors((current) => {
      if ((current[path] ?? null) === error) return current;
      const { [path]: _dropped, ...rest } = current;
      return error ? { ...rest, [path]: error } : rest;
    });
  }, []);
  const problems = useMemo(() => problemsOf(draft), [draft]);
  const nameProblem = name.trim() ? null : 'A simulation needs a name.';
  const shown = (path: string) => (tried || getAt(draft, path) !== getAt(initial, path) ? problemAt(problems, path) : null);
  const set = (path: string, value: unknown) => setDraft((current) => setAt(current, path, value));

  const switchTab = (next: string) => {
    if (next === 'raw') {
      setRaw(toYaml(draft));
      setRawError(null);
    } else {
      const parsed = fromYaml(raw);
      if ('error' in parsed) {
        setRawError(parsed.error);
        return;
      }
      setDraft(parsed.draft);
      setJsonErrors({});
    }
    setTab(next);
  };

  const save = async () => {
    setTried(true);
    let current = draft;
    if (tab === 'raw') {
      const parsed = fromYaml(raw);
      if ('error' in parsed) return setRawError(parsed.error);
      current = parsed.draft;
      setDraft(current);
    }
    if (nameProblem || Object.keys(problemsOf(current)).length > 0 || (tab === 'form' && Object.keys(jsonErrors).length > 0)) return;
    setSaveError(await onSave(name.trim(), current));
  };

  const count = Object.keys(problems).length + (nameProblem ? 1 : 0) + (tab === 'form' ? Object.keys(jsonErrors).length : 0);
  const form = (
    <JsonErrors.Provider value={reportJson}>
    <div className="sim-form">
      <fieldset className="sim-fieldset">
        <legend>Simulation</legend>
        <Field label="Name" error={tried ? nameProblem : null}>
          <input className="sw-input" value={name} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Description" error={shown('description')}>
          <input className="sw-input" value={text(draft.description)} onChange={(event) => set('description', event.target.value)} />
        </Field>
        <Field label="Tags" help="Separated by commas or spaces." error={shown('tags')}>
          <input className="sw-input" value={((draft.tags as string[] | undefined) ?? []).join(', ')} onChange={(event) => set('tags', tagsFromText(event.target.value))} />
        </Field>
      </fieldset>
      <fieldset className="sim-fieldset">
        <legend>Customer</legend>
        <Field label="Persona" help="Who they are and how they come across." error={shown('customer.persona')}>
          <textarea className="sw-input sw-textarea" value={text(getAt(draft, 'customer.persona'))} onChange={(event) => set('customer.persona', event.target.value)} />
        </Field>
        <Field label="Reason for contacting" error={shown('customer.reason')}>
          <textarea className="sw-input sw-textarea" value={text(getAt(draft, 'customer.reason'))} onChange={(event) => set('customer.reason', event.target.value)} />
        </Field>
        <div className="sim-row-2">
          <Field label="Knows" error={shown('customer.known')}>
            <textarea className="sw-input sw-textarea" value={text(getAt(draft, 'customer.known'))} onChange={(event) => set('customer.known', event.target.value)} />
          </Field>
          <Field label="Does not know" error={shown('customer.unknown')}>
            <textarea className="sw-input sw-textarea" value={text(getAt(draft, 'customer.unknown'))} onChange={(event) => set('customer.unknown', event.target.value)} />
          </Field>
        </div>
        <Field label="Behaviour" help="One instruction a line." error={shown('customer.behaviour')}>
          <textarea
            className="sw-input sw-textarea"
            value={((getAt(draft, 'customer.behaviour') as string[] | undefined) ?? []).join('\n')}
            onChange={(event) => set('customer.behaviour', event.target.value.split('\n').filter((line, index, lines) => line.trim() || index === lines.length - 1))}
          />
        </Field>
        <Field label="Opening message" help="Their first message word for word; empty: the customer model writes it." error={shown('customer.opening')}>
          <input className="sw-input" value={text(getAt(draft, 'customer.opening'))} onChange={(event) => set('customer.opening', event.target.value || undefined)} />
        </Field>
      </fieldset>
      <RowsField
        legend="Criteria"
        help="Plain-language assertions the judge rules on."
        draft={draft}
        path="criteria"
        columns={[
          { key: 'name', label: 'Name' },
          { key: 'assertion', label: 'Assertion', wide: true },
        ]}
        blank={{ name: '', assertion: '' }}
        set={set}
        shown={shown}
      />
      <fieldset className="sim-fieldset">
        <legend>Deterministic checks</legend>
        <ActionRows label="Actions that must be called" path="expectedActions" draft={draft} set={set} shown={shown} />
        <ActionRows label="Actions that must not be called" path="forbiddenActions" draft={draft} set={set} shown={shown} />
        <div className="sim-row-2">
          <Field label="Final status" error={shown('finalStatus')}>
            <Select
              label="Final status"
              value={text(getAt(draft, 'finalStatus.status')) || 'any'}
              options={[
                { value: 'any', label: 'Not checked' },
                { value: 'ended', label: 'Ended' },
                { value: 'handed_off', label: 'Handed off' },
                { value: 'escalated', label: 'Escalated' },
              ]}
              onValueChange={(value) => set('finalStatus', value === 'any' ? undefined : { status: value, ...(getAt(draft, 'finalStatus.team') ? { team: getAt(draft, 'finalStatus.team') } : {}) })}
            />
          </Field>
          <Field label="Team" help="For a handoff or escalation." error={shown('finalStatus.team')}>
            <input className="sw-input" value={text(getAt(draft, 'finalStatus.team'))} disabled={!getAt(draft, 'finalStatus')} onChange={(event) => set('finalStatus.team', event.target.value || undefined)} />
          </Field>
        </div>
        <JsonField label="Attribute values at the end" help='A JSON object, e.g. {"order_number": "1043"}.' path="attributes" draft={draft} set={set} shown={shown} />
        <RowsField
          legend="Python assertions over the final world"
          draft={draft}
          path="worldAssertions"
          columns={[
            { key: 'name', label: 'Name' },
            { key: 'python', label: 'Python expression', wide: true, mono: true },
          ]}
          blank={{ name: '', python: '' }}
          set={set}
          shown={shown}
        />
      </fieldset>
      <fieldset className="sim-fieldset">
        <legend>Connectors</legend>
        <div className="sim-row-2">
          <Field label="Connector mode" error={shown('connectors.mode')}>
            <Select
              label="Connector mode"
              value={text(getAt(draft, 'connectors.mode')) || 'mock'}
              options={[
                { value: 'mock', label: 'Mock (the workspace’s mocks over a world)' },
                { value: 'live', label: 'Live (the real systems)' },
              ]}
              onValueChange={(value) => set('connectors.mode', value)}
            />
          </Field>
          <Field label="World" help="A starting world of the workspace; empty: its default." error={shown('connectors.world')}>
            <input className="sw-input" value={text(getAt(draft, 'connectors.world'))} onChange={(event) => set('connectors.world', event.target.value || undefined)} />
          </Field>
        </div>
        <Field label="Customer messages before the run is cut off" error={shown('maxTurns')}>
          <input className="sw-input sim-narrow" type="number" value={String(draft.maxTurns ?? '')} onChange={(event) => set('maxTurns', event.target.value === '' ? undefined : Number(event.target.value))} />
        </Field>
      </fieldset>
    </div>
    </JsonErrors.Provider>
  );

  const rawView = (
    <div className="sim-raw">
      <Field label="Definition (YAML or JSON)" error={rawError} help="Pasting JSON works too: it is read as YAML.">
        <textarea className="sw-input sw-textarea sim-raw-text" spellCheck={false} value={raw} onChange={(event) => setRaw(event.target.value)} />
      </Field>
      {!rawError && Object.entries(problemsOf((() => { const parsed = fromYaml(raw); return 'draft' in parsed ? parsed.draft : draft; })())).slice(0, 8).map(([path, message]) => (
        <p key={path} className="sim-raw-problem" role="alert">
          <code>{path || 'definition'}</code>: {message}
        </p>
      ))}
    </div>
  );

  return (
    <section className="sim-editor" aria-label={initialName ? `Simulation ${initialName}` : 'New simulation'}>
      <header className="sim-pane-header">
        <h2>{initialName ?? 'New simulation'}</h2>
        <span className="spacer" />
        {tried && count > 0 && <span className="sim-problem-count" role="status">{plural(count, 'problem')}: nothing saved</span>}
        {onDelete && (
          <Button size="sm" variant="ghost" icon={Trash2} onClick={onDelete}>
            Delete
          </Button>
        )}
        <Button size="sm" variant="primary" icon={Save} onClick={() => void save()}>
          Save
        </Button>
        <IconButton icon={X} label="Close the editor" size="sm" variant="ghost" onClick={onClose} />
      </header>
      {saveError && <Banner tone="error">{saveError}</Banner>}
      <Tabs
        label="Edit as"
        value={tab}
        onValueChange={switchTab}
        items={[
          { value: 'form', label: 'Form', content: form },
          { value: 'raw', label: 'YAML / JSON', content: rawView },
        ]}
      />
    </section>
  );
}

interface Column {
  key: string;
  label: string;
  wide?: boolean;
  mono?: boolean;
}

interface RowsProps {
  legend: string;
  help?: string;
  draft: Draft;
  path: string;
  columns: Column[];
  blank: Record<string, unknown>;
  set(path: string, value: unknown): void;
  shown(path: string): string | null;
}

function RowsField({ legend, help, draft, path, columns, blank, set, shown }: RowsProps) {
  const rows = (getAt(draft, path) as Record<string, unknown>[] | undefined) ?? [];
  return (
    <fieldset className="sim-fieldset">
      <legend>{legend}</legend>
      {help && <p className="sim-help">{help}</p>}
      {rows.map((row, index) => (
        <div className="sim-rows-line" key={index}>
          {columns.map((column) => (
            <div key={column.key} className={column.wide ? 'sim-col-wide' : 'sim-col'}>
              <Field label={`${column.label} ${index + 1}`} error={shown(`${path}.${index}.${column.key}`)}>
                <input className={`sw-input${column.mono ? ' sim-mono' : ''}`} value={text(row[column.key])} onChange={(event) => set(`${path}.${index}.${column.key}`, event.target.value)} />
              </Field>
            </div>
          ))}
          <IconButton icon={Trash2} label={`Remove ${legend.toLowerCase()} ${index + 1}`} size="sm" variant="ghost" onClick={() => set(path, rows.filter((_, other) => other !== index))} />
        </div>
      ))}
      <Button size="sm" variant="ghost" icon={Plus} onClick={() => set(path, [...rows, { ...blank }])}>
        Add
      </Button>
    </fieldset>
  );
}

function ActionRows({ label, path, draft, set, shown }: { label: string; path: string; draft: Draft; set(path: string, value: unknown): void; shown(path: string): string | null }) {
  const rows = (getAt(draft, path) as { action?: string; args?: unknown }[] | undefined) ?? [];
  return (
    <div className="sim-actions">
      <span className="sw-field-label">{label}</span>
      {rows.map((row, index) => (
        <div className="sim-rows-line" key={index}>
          <div className="sim-col">
            <Field label={`Action ${index + 1}`} error={shown(`${path}.${index}.action`)}>
              <input className="sw-input sim-mono" placeholder="connector.action" value={text(row.action)} onChange={(event) => set(`${path}.${index}.action`, event.target.value)} />
            </Field>
          </div>
          <div className="sim-col-wide">
            <JsonField label={`Arguments ${index + 1}`} help="A JSON object the call's input must contain; empty: any." path={`${path}.${index}.args`} draft={draft} set={set} shown={shown} />
          </div>
          <IconButton icon={Trash2} label={`Remove ${label.toLowerCase()} ${index + 1}`} size="sm" variant="ghost" onClick={() => set(path, rows.filter((_, other) => other !== index))} />
        </div>
      ))}
      <Button size="sm" variant="ghost" icon={Plus} onClick={() => set(path, [...rows, { action: '' }])}>
        Add
      </Button>
    </div>
  );
}

/** A JSON value typed as text: set in the definition once it parses, its parse error shown meanwhile. */
function JsonField({ label, help, path, draft, set, shown }: { label: string; help: string; path: string; draft: Draft; set(path: string, value: unknown): void; shown(path: string): string | null }) {
  const value = getAt(draft, path);
  const [textValue, setTextValue] = useState(() => (value === undefined ? '' : JSON.stringify(value)));
  const [error, setLocalError] = useState<string | null>(null);
  const report = useContext(JsonErrors);
  const setError = (next: string | null) => {
    setLocalError(next);
    report(path, next);
  };
  return (
    <Field label={label} help={help} error={error ?? shown(path)}>
      <input
        className="sw-input sim-mono"
        value={textValue}
        onChange={(event) => {
          const next = event.target.value;
          setTextValue(next);
          if (!next.trim()) {
            setError(null);
            return set(path, undefined);
          }
          try {
            set(path, JSON.parse(next));
            setError(null);
          } catch {
            setError('Not valid JSON yet.');
          }
        }}
      />
    </Field>
  );
}
