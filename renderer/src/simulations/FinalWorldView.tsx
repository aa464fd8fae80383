// The world a mocked run left behind: each change against the world it started from (the table the
// connectors screen shows too), then the whole final world as a tree to open. A run with no mock world
// says why; one stored before final worlds were kept says "not recorded".
import type { RunFinalWorld } from '../../../shared/api';
import { WorldChanges } from '../connectors/WorldChanges';
import { plural } from '../ui';

export function FinalWorldView({ world, label = 'Final world' }: { world: RunFinalWorld; label?: string }) {
  if (world.state === 'not_recorded') return <p className="muted" data-testid="final-world">Not recorded: this run was stored before final worlds were kept.</p>;
  if (world.state === 'none') return <p className="muted" data-testid="final-world">No final world. {world.reason}</p>;
  return (
    <div className="sim-world" data-testid="final-world">
      <WorldChanges start={world.start} final={world.final} startedFrom={world.startedFrom} unnamedStart="the simulation's own world" label={`${label}: changes`} />
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
                <code>{key}</code> <span className="muted">{Array.isArray(child) ? plural(child.length, 'item') : plural(Object.keys(child).length, 'field')}</span>
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
