// How hard the store pushes a commit to disk. Authoring (Procedures, connectors, keys, settings) is
// always written with synchronous=FULL: every commit is on disk before the call returns. Activity
// (conversations, their state, transcript and trace, and simulation bookkeeping) is written at the
// workspace's `activityDurability`:
//  - 'relaxed' (the default): synchronous=NORMAL. In WAL mode that survives any crash of the app
//    and never breaks consistency; a power cut can lose the last commits. A suite makes many small
//    writes while model calls are in flight, and syncing each would stall every run in the process.
//  - 'full': synchronous=FULL for activity too, for a production server that must not lose a turn
//    to a power cut. It costs an fsync per commit, which depends on the disk and what else writes
//    to it: saving a turn took a median 0.85–3.3 ms over four runs, against 0.51–0.61 ms relaxed
//    (2 busy cores, 2026-11-29), and a review on another machine measured 4.3–5.5 ms. Measure with
//    `npm run bench -- runtime` and
//    `STEPWISE_BENCH_SYNCHRONOUS=FULL npm run bench -- runtime` (the "saving the turn" line).
// Past the FULL set when the file is opened (database.ts), this is the only place that changes
// `synchronous`.
import type Database from 'better-sqlite3';
import { writeTransaction } from './write-transaction';

export type Durability = 'full' | 'relaxed';

export const DEFAULT_ACTIVITY_DURABILITY: Durability = 'relaxed';

/**
 * Sets the commits that follow to `level` until the returned function is called. Inside an open
 * transaction the commit belongs to the outer one, and so does its durability.
 */
export function commitAt(db: Database.Database, level: Durability): () => void {
  if (level === 'full' || db.inTransaction) return () => undefined;
  db.pragma('synchronous = NORMAL');
  return () => db.pragma('synchronous = FULL');
}

/** Runs `work` as one write transaction of activity, committed at `level`. */
export function activityTransaction<T>(db: Database.Database, level: Durability, work: () => T): T {
  const restore = commitAt(db, level);
  try {
    return writeTransaction(db, work);
  } finally {
    restore();
  }
}
