// What a mocked run did to its world: where it started from, how many changes it made, and each
// change as the JSON path with the value before and after. A simulation run's final world and the
// connectors screen's run view show it alike, in the same words.
import { Badge, plural } from '../ui';
import { diffWorlds } from './world-diff';
import './world-changes.css';

export interface WorldChangesProps {
  /** The world the run started from, and the one it left. */
  start: unknown;
  final: unknown;
  /** The named mock world it started from; null: `unnamedStart` says what it was. */
  startedFrom: string | null;
  unnamedStart: string;
  /** The table's accessible name (two on one screen must differ). */
  label?: string;
}

/** How much the run changed, after "Started from …;". */
export function changesSentence(count: number): string {
  return count === 0 ? 'the run left it as it found it.' : `${plural(count, 'change')}.`;
}

export function WorldChanges({ start, final, startedFrom, unnamedStart, label = 'World changes' }: WorldChangesProps) {
  const changes = diffWorlds(start, final);
  return (
    <>
      <p className="world-changes-summary">
        Started from {startedFrom ? <code>{startedFrom}</code> : unnamedStart}; {changesSentence(changes.length)}
      </p>
      {changes.length > 0 && (
        <table className="world-changes" aria-label={label}>
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
    </>
  );
}
