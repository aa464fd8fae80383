// Import from OpenAPI 3: choose a file, pick operations from a searchable list, preview the actions
// that will be created, then import them into a new or existing HTTP connector.
import { FileUp, Search } from 'lucide-react';
import { useMemo, useState } from 'react';
import type { OpenApiOperation } from '../../../shared/api';
import { useApi } from '../api/context';
import { Badge, Banner, Button, Field, plural, toast } from '../ui';

type PreviewAction = { name: string; method: string; path?: string; url?: string; description: string };

export function OpenApiImport({ onImported }: { onImported: (name: string) => void }) {
  const api = useApi();
  const [document, setDocument] = useState<{ file: string; text: string } | null>(null);
  const [operations, setOperations] = useState<OpenApiOperation[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [search, setSearch] = useState('');
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [preview, setPreview] = useState<{ actions: PreviewAction[]; warnings: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const shown = useMemo(() => {
    const words = search.toLowerCase().split(/\s+/).filter(Boolean);
    return operations.filter((operation) => words.every((word) => `${operation.id} ${operation.method} ${operation.path} ${operation.summary}`.toLowerCase().includes(word)));
  }, [operations, search]);

  const choose = async (file: File | undefined) => {
    if (!file) return;
    setError(null);
    setPreview(null);
    setChosen(new Set());
    const text = await file.text();
    try {
      setOperations(await api['connectors.openApiOperations']({ document: text }));
      setDocument({ file: file.name, text });
    } catch (problem) {
      setOperations([]);
      setDocument(null);
      setError((problem as Error).message);
    }
  };

  const run = async (dryRun: boolean) => {
    if (!document) return;
    setError(null);
    setBusy(true);
    try {
      const result = await api['connectors.importOpenApi']({ document: document.text, name: name.trim(), operations: [...chosen], ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}), preview: dryRun });
      if (dryRun) setPreview({ actions: (result.definition.actions ?? []) as PreviewAction[], warnings: result.warnings });
      else {
        toast({ title: `Imported ${plural(chosen.size, 'operation')} into "${name.trim()}"`, tone: 'success' });
        onImported(name.trim());
      }
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
    setPreview(null);
  };

  return (
    <section className="connectors-form" aria-label="Import from OpenAPI">
      <h2>Import from OpenAPI 3</h2>
      <Field label="OpenAPI file" help={document ? `${document.file}: ${plural(operations.length, 'operation')}.` : 'A JSON or YAML OpenAPI 3 document.'}>
        <input className="sw-input connectors-file" type="file" accept=".json,.yaml,.yml,application/json" onChange={(event) => void choose(event.target.files?.[0])} />
      </Field>
      {error && <Banner tone="error">{error}</Banner>}
      {operations.length > 0 && (
        <>
          <div className="connectors-row">
            <Field label="Connector name" help="A new connector, or an existing HTTP one to add to.">
              <input className="sw-input connectors-mono" value={name} onChange={(event) => { setName(event.target.value); setPreview(null); }} />
            </Field>
            <Field label="Base URL (optional)" help="Instead of the document's first server.">
              <input className="sw-input connectors-mono" value={baseUrl} onChange={(event) => { setBaseUrl(event.target.value); setPreview(null); }} />
            </Field>
          </div>
          <div className="connectors-search">
            <Search aria-hidden size={14} />
            <input className="sw-input" type="search" aria-label="Search operations" placeholder="Search operations" value={search} onChange={(event) => setSearch(event.target.value)} />
            <span className="connectors-muted">{chosen.size} chosen</span>
          </div>
          <ul className="connectors-operations" aria-label="Operations">
            {shown.map((operation) => (
              <li key={operation.id} data-operation={operation.id}>
                <label>
                  <input type="checkbox" checked={chosen.has(operation.id)} onChange={() => toggle(operation.id)} />
                  <Badge tone="neutral">{operation.method}</Badge>
                  <code>{operation.path}</code>
                  <span className="connectors-operation-id">{operation.id}</span>
                  <span className="connectors-muted">{operation.summary}</span>
                  {operation.deprecated && <Badge tone="warning">deprecated</Badge>}
                </label>
              </li>
            ))}
            {shown.length === 0 && <li className="connectors-muted">No operation matches.</li>}
          </ul>
          <div className="connectors-buttons">
            <Button disabled={busy || chosen.size === 0 || name.trim() === ''} onClick={() => void run(true)}>
              Preview actions
            </Button>
            <Button variant="primary" icon={FileUp} disabled={busy || !preview} onClick={() => void run(false)}>
              Import {plural(chosen.size, 'operation')}
            </Button>
          </div>
          {preview && (
            <section aria-label="Actions to create" className="connectors-preview">
              <h3>Actions to create</h3>
              <ul>
                {preview.actions.map((action) => (
                  <li key={action.name}>
                    <code>@{name.trim()}.{action.name}</code> <Badge tone="neutral">{action.method}</Badge> <code>{action.path ?? action.url}</code> <span className="connectors-muted">{action.description}</span>
                  </li>
                ))}
              </ul>
              {preview.warnings.length > 0 && <Banner tone="warning" title="Not carried over">{preview.warnings.join(' ')}</Banner>}
            </section>
          )}
        </>
      )}
    </section>
  );
}
