// What the world-changes table says (WorldChanges.tsx), decided apart from its markup: the sentence
// on how much a run changed, and each change as a row of text with its badge's tone.
// The diff and the sentence are shared with the command line (shared/connectors/world-diff.ts); this
// file stays free of components (and JSX) so the tests typecheck it under the root config.
import { changesSentence, diffWorlds, type WorldChange } from '../../../shared/connectors/world-diff';

export { changesSentence };

export interface WorldChangeRow {
  path: string;
  kind: WorldChange['kind'];
  /** The badge's tone (a BadgeTone). */
  tone: 'success' | 'warning' | 'accent';
  /** The values as JSON; "—" where there was none (before an addition, after a removal). */
  before: string;
  after: string;
}

const TONES: Record<WorldChange['kind'], WorldChangeRow['tone']> = { added: 'success', removed: 'warning', changed: 'accent' };

/** The rows of the table: each change from the world `start` to `final`. */
export function worldChangeRows(start: unknown, final: unknown): WorldChangeRow[] {
  return diffWorlds(start, final).map((change) => ({
    path: change.path,
    kind: change.kind,
    tone: TONES[change.kind],
    before: change.kind === 'added' ? '—' : JSON.stringify(change.before),
    after: change.kind === 'removed' ? '—' : JSON.stringify(change.after),
  }));
}
