// The world a mocked run ended with beside the one it started from, read back from the run's
// snapshots: what the app's run screen and `stepwise simulations show` both print.
import type { RunFinalWorld } from '../../shared/api';
import type { DetailedRun } from '../store/simulations';
import type { Workspace } from '../store/workspace';

/** The world a run ended with beside the one it started from, read from the run's snapshots. */
export function finalWorldOf(workspace: Workspace, run: DetailedRun): RunFinalWorld {
  const recorded = run.details?.finalWorld;
  if (recorded === undefined || !run.details) return { state: 'not_recorded' };
  if (recorded === null) {
    const live = run.definition?.connectors.mode === 'live';
    return { state: 'none', reason: live ? 'It ran on live connectors: there is no mock world.' : 'The run ended before its connectors started.' };
  }
  const start = run.details.world ? workspace.simulations.recordings.snapshotText(run.details.world.hash) : null;
  const final = workspace.simulations.recordings.snapshotText(recorded.hash);
  if (start === null || final === null) return { state: 'not_recorded' };
  return { state: 'recorded', startedFrom: run.details.world?.name ?? null, start: JSON.parse(start) as Record<string, unknown>, final: JSON.parse(final) as Record<string, unknown> };
}
