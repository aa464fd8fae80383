// The connectors screen: the workspace's HTTP connectors and MCP servers on the left, each with its
// status; on the right the chosen one (its actions and their Procedures, its editor, its secrets,
// "Try action", an MCP server's tools), a new connector or server, or an OpenAPI import.
import { FileUp, Globe, Plug, Plus, Server, Trash2 } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import type { ConnectorView } from '../../../shared/api';
import { useApi } from '../api/context';
import { useLoaded } from '../api/useLoaded';
import { askConfirm, Badge, Banner, Button, EmptyState, plural, Tabs, toast } from '../ui';
import { HttpConnectorEditor, NEW_HTTP_CONNECTOR } from './HttpConnectorEditor';
import { McpServerEditor, McpTools, NEW_MCP_SERVER } from './McpServerEditor';
import { OpenApiImport } from './OpenApiImport';
import { SecretsPanel } from './SecretsPanel';
import { connectorStatus } from './status';
import { TryAction } from './TryAction';
import { WorldsPanel } from './WorldsPanel';
import './connectors.css';

type Selection = { kind: 'connector'; name: string } | { kind: 'new-http' } | { kind: 'new-mcp' } | { kind: 'openapi' } | { kind: 'worlds' } | null;

export function ConnectorsScreen() {
  const api = useApi();
  const { value: connectors, error, reload } = useLoaded(useCallback(() => api['connectors.list']({}), [api]));
  const [selection, setSelection] = useState<Selection>(null);
  useEffect(() => {
    if (selection === null && connectors && connectors.length > 0) setSelection({ kind: 'connector', name: connectors[0]!.name });
  }, [connectors, selection]);

  const chosen = selection?.kind === 'connector' ? (connectors?.find((connector) => connector.name === selection.name) ?? null) : null;
  const select = (name: string) => setSelection({ kind: 'connector', name });
  const saved = (view: ConnectorView) => {
    void reload();
    select(view.name);
  };

  return (
    <section className="connectors" aria-label="Connectors">
      <aside className="connectors-side">
        <header className="connectors-side-head">
          <h1>Connectors</h1>
        </header>
        <div className="connectors-side-buttons">
          <Button size="sm" icon={Plus} onClick={() => setSelection({ kind: 'new-http' })}>
            HTTP connector
          </Button>
          <Button size="sm" icon={Server} onClick={() => setSelection({ kind: 'new-mcp' })}>
            MCP server
          </Button>
          <Button size="sm" icon={FileUp} onClick={() => setSelection({ kind: 'openapi' })}>
            Import OpenAPI
          </Button>
          <Button size="sm" icon={Globe} onClick={() => setSelection({ kind: 'worlds' })}>
            Mock worlds
          </Button>
        </div>
        {error && <Banner tone="error">{error}</Banner>}
        <nav aria-label="Connector list">
          <ul className="connectors-list">
            {(connectors ?? []).map((connector) => {
              const status = connectorStatus(connector);
              const active = chosen?.name === connector.name;
              return (
                <li key={connector.name} data-connector={connector.name}>
                  <button type="button" className={`connectors-item${active ? ' active' : ''}`} aria-current={active ? 'true' : undefined} onClick={() => select(connector.name)}>
                    <span className="connectors-item-name">
                      {connector.name}
                      <Badge tone={connector.kind === 'mcp' ? 'violet' : 'accent'}>{connector.kind === 'mcp' ? 'MCP' : 'HTTP'}</Badge>
                    </span>
                    <span className="connectors-item-meta">
                      {plural(connector.actions.length, 'action')}
                      <Badge tone={status.tone} dot>
                        {status.label}
                      </Badge>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
      </aside>
      <div className="connectors-main">
        {selection?.kind === 'new-http' && <HttpConnectorEditor key="new-http" initial={NEW_HTTP_CONNECTOR} isNew view={null} onSaved={saved} />}
        {selection?.kind === 'new-mcp' && <McpServerEditor key="new-mcp" initial={NEW_MCP_SERVER} isNew onSaved={saved} />}
        {selection?.kind === 'worlds' && <WorldsPanel />}
        {selection?.kind === 'openapi' && (
          <OpenApiImport
            onImported={(name) => {
              void reload();
              select(name);
            }}
          />
        )}
        {chosen && <ConnectorDetail key={chosen.name} view={chosen} onChanged={() => void reload()} onSaved={saved} onDeleted={() => { setSelection(null); void reload(); }} />}
        {!selection && connectors?.length === 0 && (
          <EmptyState icon={Plug} title="No connectors yet">
            <p>Connect a system over HTTP, import an OpenAPI document, or add an MCP server.</p>
          </EmptyState>
        )}
      </div>
    </section>
  );
}

function ConnectorDetail({ view, onChanged, onSaved, onDeleted }: { view: ConnectorView; onChanged: () => void; onSaved: (view: ConnectorView) => void; onDeleted: () => void }) {
  const api = useApi();
  const status = connectorStatus(view);
  const remove = async () => {
    if (!(await askConfirm(`Delete "${view.name}"?`, 'Its definition and approvals are deleted; stored secrets are kept.', 'Delete', true))) return;
    try {
      await api['connectors.delete']({ name: view.name });
      toast({ title: `Deleted "${view.name}"`, tone: 'success' });
      onDeleted();
    } catch (problem) {
      toast({ title: 'Not deleted', description: (problem as Error).message, tone: 'error' });
    }
  };
  const approve = async () => {
    const asks = view.pending.map((capability) => `• it ${capability.description}`).join('\n');
    if (!(await askConfirm(`Approve "${view.name}"?`, `Live calls may then do this:\n${asks}`, 'Approve'))) return;
    try {
      await api['connectors.approve']({ name: view.name, capabilities: view.pending.map(({ kind, name }) => ({ kind, name })) });
      toast({ title: `Approved "${view.name}"`, tone: 'success' });
      onChanged();
    } catch (problem) {
      toast({ title: 'Not approved', description: (problem as Error).message, tone: 'error' });
    }
  };
  const definition = view.definition as Record<string, unknown>;
  const tabs = [
    { value: 'actions', label: 'Actions', content: <ActionList view={view} /> },
    {
      value: 'edit',
      label: 'Settings',
      content: view.kind === 'http' ? <HttpConnectorEditor initial={definition} isNew={false} view={view} onSaved={onSaved} /> : <McpServerEditor initial={definition} isNew={false} onSaved={onSaved} />,
    },
    { value: 'secrets', label: `Secrets${view.secrets.some((secret) => !secret.present) ? ' (missing)' : ''}`, content: <SecretsPanel view={view} onChanged={onChanged} /> },
    ...(view.kind === 'mcp' ? [{ value: 'tools', label: 'Tools', content: <McpTools view={view} onSaved={onChanged} /> }] : []),
    { value: 'try', label: 'Try action', content: <TryAction view={view} onTried={onChanged} /> },
  ];
  return (
    <article className="connectors-detail" aria-label={`Connector ${view.name}`}>
      <header className="connectors-detail-head">
        <h2>
          {view.name} <Badge tone={view.kind === 'mcp' ? 'violet' : 'accent'}>{view.kind === 'mcp' ? 'MCP server' : 'HTTP'}</Badge>
        </h2>
        <Badge tone={status.tone} dot>
          {status.label}
        </Badge>
        <span className="spacer" />
        <Button variant="danger" size="sm" icon={Trash2} onClick={() => void remove()}>
          Delete
        </Button>
      </header>
      {view.description && <p className="connectors-muted">{view.description}</p>}
      {status.tone === 'warning' && <Banner tone="warning">{status.detail}</Banner>}
      {view.pending.length > 0 && (
        <Banner
          tone="warning"
          title="Not approved for live calls"
          action={
            <Button size="sm" onClick={() => void approve()}>
              Approve…
            </Button>
          }
        >
          It {view.pending.map((capability) => capability.description).join('; ')}.
        </Banner>
      )}
      <Tabs label="Connector sections" items={tabs} />
    </article>
  );
}

function ActionList({ view }: { view: ConnectorView }) {
  if (view.actions.length === 0) return <p className="connectors-muted">{view.kind === 'mcp' ? 'No tool is allow-listed yet: connect under Tools and choose some.' : 'No actions.'}</p>;
  return (
    <table className="connectors-actions">
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">What it does</th>
          <th scope="col">Used by</th>
        </tr>
      </thead>
      <tbody>
        {view.actions.map((action) => (
          <tr key={action.name} data-action={action.name}>
            <td>
              <code>
                @{view.name}.{action.name}
              </code>
              {action.confirm && <Badge tone="draft">confirms</Badge>}
            </td>
            <td>{action.description}</td>
            <td>
              {action.usedBy.length === 0 ? (
                <span className="connectors-muted">no Procedure</span>
              ) : (
                action.usedBy.map((name) => (
                  <a key={name} className="connectors-user" href={`#/procedures/${encodeURIComponent(name)}`}>
                    {name}
                  </a>
                ))
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
