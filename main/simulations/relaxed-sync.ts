// Simulation bookkeeping (runs, results, recordings, snapshots) is activity, committed at the
// workspace's activity durability like conversation turns (store/durability.ts holds the one
// switch and says why).
import type { Workspace } from '../store/workspace';

export function withRelaxedSync<T>(workspace: Workspace, work: () => T): T {
  return workspace.recordActivity(work);
}
