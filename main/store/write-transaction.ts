// Every write to a workspace goes through here. A transaction that reads and then writes must take
// the write lock up front (BEGIN IMMEDIATE): SQLite waits out the busy timeout only while a
// transaction holds no snapshot yet, so a deferred one that has already read gets SQLITE_BUSY at
// once when another process is writing. "Locked" then means locked for longer than the timeout.
import type Database from 'better-sqlite3';
import { WorkspaceError } from './errors';
import { refuseWriteOutsideUnit } from './unit-guard';

/** How long a write waits for another program's write to finish before giving up. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Runs `work` in one IMMEDIATE transaction (a savepoint when one is already open). */
export function writeTransaction<T>(db: Database.Database, work: () => T): T {
  refuseWriteOutsideUnit(db);
  try {
    return db.transaction(work).immediate();
  } catch (error) {
    if (isLockedError(error)) throw lockedError(db.name, db.pragma('busy_timeout', { simple: true }) as number);
    throw error;
  }
}

/** SQLite gave up waiting for another connection's lock. */
export function isLockedError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

export function lockedError(path: string, timeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS): WorkspaceError {
  const wait = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 100) / 10} s` : `${timeoutMs} ms`;
  return new WorkspaceError(
    `${path} is locked: another program kept writing to it for more than ${wait}, so nothing was changed. Try again when it is done, or close it there.`,
    'locked',
    path,
  );
}
