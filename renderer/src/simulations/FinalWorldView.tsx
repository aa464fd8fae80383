// The world a mocked run left behind: each change against the world it started from (the
// connectors screen's diff), then the whole final world as a tree to open. A run with no mock world
// says why; one stored before final worlds were kept says "not recorded".
import type { RunFinalWorld } from '../../../shared/api';
import { diffWorlds } from '../connectors/world-diff';
import { Badge } from '../ui';

export function FinalWorldView({ world, label = 'Final world' }: { world: RunFinalWorld; label?: string }) {
  if (world.state === 'not_recorded') return <p className="muted" data-testid="final-world">Not recorded: this run was stored before final worlds were kept.</p>;
  if (world.state === 'none') return <p className="muted" data-testid="final-world">No final world. {world.reason}</p>;
  const changes = diffWorlds(world.start, world.final);
  return (
    <div className="sim-world" data-testid="final-world">
      <p className="sim-facts">
        Started from {world.startedFrom ? <code>{world.startedFrom}</code> : "the simulation's own world"};{' '}
        {changes.length === 0 ? 'the run left it as it found it.' : `${changes.length} change${changes.length === 1 ? '' : 's'}.`}
      </p>
      {changes.length > 0 && (
        <table className="sim-world-changes" aria-label={`${label}: changes`}>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((change) => (
              <tr key={change.path} data-testid="world-change">
                <td>
                  <code>{change.path}</code> <Badge tone={change.kind === 'added' ? 'success' : change.kind === 'removed' ? 'warning' : 'accent'}>{change.kind}</Badge>
                </td>
                <td>
                  <code>{change.kind === 'added' ? '—' : JSON.stringify(change.before)}</code>
                </td>
                <td>
                  <code>{change.kind === 'removed' ? '—' : JSON.stringify(change.after)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <details className="sim-world-tree">
        <summary>The whole final world</summary>
        <WorldTree value={world.final} />
      </details>
    </div>
  );
}

/** JSON as nested lists: objects and arrays open one level at a time, values inline. */
function WorldTree({ value }: { value: unknown }) {
  if (typeof value !== 'object' || value === null) return <code>{JSON.stringify(value)}</code>;
  const entries = Array.isArray(value) ? value.map((item, index) => [`[${index}]`, item] as const) : Object.entries(value);
  if (entries.length === 0) return <code>{Array.isArray(value) ? '[]' : '{}'}</code>;
  return (
    <ul className="sim-world-node">
      {entries.map(([key, child]) =>
        typeof child === 'object' && child !== null ? (
          <li key={key}>
            <details>
              <summary>
                <code>{key}</code> <span className="muted">{Array.isArray(child) ? `${child.length} item${child.length === 1 ? '' : 's'}` : `${Object.keys(child).length} field${Object.keys(child).length === 1 ? '' : 's'}`}</span>
              </summary>
              <WorldTree value={child} />
            </details>
          </li>
        ) : (
          <li key={key}>
            <code>{key}</code>: <WorldTree value={child} />
          </li>
        ),
      )}
    </ul>
  );
}
