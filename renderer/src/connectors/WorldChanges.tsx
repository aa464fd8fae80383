// What a mocked run did to its world: where it started from, how many changes it made, and each
// change as the JSON path with the value before and after. A simulation run's final world and the
// connectors screen's run view show it alike, in the same words (world-changes.ts).
import { Badge } from '../ui';
import { changesSentence, worldChangeRows } from './world-changes';
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

export function WorldChanges({ start, final, startedFrom, unnamedStart, label = 'World changes' }: WorldChangesProps) {
  const rows = worldChangeRows(start, final);
  return (
    <>
      <p className="world-changes-summary">
        Started from {startedFrom ? <code>{startedFrom}</code> : unnamedStart}; {changesSentence(rows.length)}
      </p>
      {rows.length > 0 && (
        <table className="world-changes" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.path} data-testid="world-change">
                <td>
                  <code>{row.path}</code> <Badge tone={row.tone}>{row.kind}</Badge>
                </td>
                <td>
                  <code>{row.before}</code>
                </td>
                <td>
                  <code>{row.after}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
