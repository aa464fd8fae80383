// Pure decisions of the simulations list: which rows a tag and status filter keep, each row's status
// in words, and the cost estimate as a sentence before a run.
import type { EstimateView, SimulationSummary } from '../../../shared/api';
import { formatCount, plural } from '../ui/plural';

export type StatusFilter = 'all' | 'passed' | 'failed' | 'error' | 'never' | 'stale';

export const STATUS_FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'Any status' },
  { value: 'passed', label: 'Passed' },
  { value: 'failed', label: 'Failed' },
  { value: 'error', label: 'Error' },
  { value: 'stale', label: 'Stale (draft changed)' },
  { value: 'never', label: 'Never run' },
];

export function filterSimulations(simulations: readonly SimulationSummary[], tag: string | null, status: StatusFilter): SimulationSummary[] {
  return simulations.filter((simulation) => {
    if (tag && !simulation.tags.includes(tag)) return false;
    const last = simulation.lastRun;
    switch (status) {
      case 'all':
        return true;
      case 'never':
        return last === null;
      case 'stale':
        return last !== null && last.stale;
      default:
        return last !== null && last.status === status;
    }
  });
}

export function allTags(simulations: readonly SimulationSummary[]): string[] {
  return [...new Set(simulations.flatMap((simulation) => simulation.tags))].sort();
}

export function statusWords(simulation: SimulationSummary): string {
  const last = simulation.lastRun;
  if (!last) return 'Never run';
  if (last.cancelled) return 'Cancelled';
  return { passed: 'Passed', failed: 'Failed', error: 'Error', running: 'Running' }[last.status];
}

/** "On draft a1b2c3d" or "On live v3". */
export function versionWords(simulation: SimulationSummary): string {
  const last = simulation.lastRun;
  if (!last) return '';
  return last.version !== null ? `live v${last.version}` : `draft ${shortHash(last.procedureHash)}`;
}

export function estimateWords(estimate: EstimateView): string {
  const basis = [estimate.fromLastRun > 0 ? `${formatCount(estimate.fromLastRun)} from their last run` : '', estimate.fromLength > 0 ? `${formatCount(estimate.fromLength)} from their length` : ''].filter(Boolean).join(', ');
  return `${plural(estimate.runs, 'run')}, about ${plural(Math.round(estimate.tokens), 'token')}, ${estimateUsdWords(estimate)} (estimated ${basis}).${unpricedWords(estimate)}`;
}

/** The estimate in dollars; with every model unpriced it is unknown, not $0.00. */
export function estimateUsdWords(estimate: Pick<EstimateView, 'usd' | 'unpricedModels'>): string {
  if (estimate.usd === 0 && estimate.unpricedModels.length > 0) return 'price unknown';
  return estimate.usd < 0.01 && estimate.usd > 0 ? '< $0.01' : `$${estimate.usd.toFixed(2)}`;
}

export function unpricedWords(estimate: Pick<EstimateView, 'usd' | 'unpricedModels'>): string {
  const models = estimate.unpricedModels;
  if (models.length === 0) return '';
  return estimate.usd === 0 ? ` No price is known for ${models.join(', ')}.` : ` ${models.length === 1 ? 'A model' : 'Models'} without a known price, not counted: ${models.join(', ')}.`;
}

/** A simulation's last suite: "passed 9 of 10 runs (pass^10)". */
export function passWords(passes: number, tries: number): string {
  return `passed ${formatCount(passes)} of ${plural(tries, 'run')} (pass^${tries})`;
}

/** The first characters of a content hash, without its algorithm ("sha256:…"). */
export function shortHash(hash: string): string {
  return hash.replace(/^[a-z0-9]+:/, '').slice(0, 7);
}
