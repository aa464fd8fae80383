// Simulation bookkeeping (runs, results, recordings, snapshots) is written with synchronous=NORMAL,
// as the runtime writes conversation turns: in WAL mode that survives any crash of the app, and a
// power cut can lose at most the last writes, never consistency. A suite makes many small writes
// while model calls are in flight; syncing each to disk would stall every run in the process.
import type { Workspace } from '../store/workspace';

export function withRelaxedSync<T>(workspace: Workspace, work: () => T): T {
  const db = workspace.db;
  const previous = db.pragma('synchronous', { simple: true }) as number;
  db.pragma('synchronous = NORMAL');
  try {
    return work();
  } finally {
    db.pragma(`synchronous = ${previous}`);
  }
}
