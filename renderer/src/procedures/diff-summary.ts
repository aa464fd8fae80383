// What the history's comparison says above the diff: two identical texts are "No differences" (not an
// empty two-pane diff marked +0 −0); otherwise the lines added and removed, in words.
import type { ProcedureDiff } from '../../../shared/api';
import { formatCount, plural } from '../ui/plural';

export type DiffSummary = { same: true; text: string } | { same: false; text: string; added: number; removed: number };

export function diffSummary(diff: Pick<ProcedureDiff, 'from' | 'to' | 'added' | 'removed'>): DiffSummary {
  const between = `${diff.from.label} → ${diff.to.label}`;
  if (diff.from.text === diff.to.text) return { same: true, text: `${between}: no differences, the two texts are the same.` };
  return { same: false, text: `${between}: ${plural(diff.added, 'line')} added, ${formatCount(diff.removed)} removed`, added: diff.added, removed: diff.removed };
}
