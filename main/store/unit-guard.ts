// A unit of work on SQLite holds a transaction open on the workspace's one connection across its
// awaits. Any other write made meanwhile would silently join it (and vanish if it rolls back), so
// writes from outside the unit are refused while it is open. "Inside" follows the unit's async
// context (AsyncLocalStorage), through every await of its work.
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';
import { StoreError } from './errors';

const openUnits = new WeakMap<Database.Database, symbol>();
const currentUnit = new AsyncLocalStorage<symbol>();

/** Runs `work` as the open unit of work of `db`; the unit is closed when `work` settles. */
export async function asOpenUnit<T>(db: Database.Database, work: () => Promise<T>): Promise<T> {
  const unit = Symbol('unit of work');
  openUnits.set(db, unit);
  try {
    return await currentUnit.run(unit, work);
  } finally {
    openUnits.delete(db);
  }
}

/** Refuses a write to `db` made from outside the unit of work open on it, if one is. */
export function refuseWriteOutsideUnit(db: Database.Database): void {
  const open = openUnits.get(db);
  if (open !== undefined && currentUnit.getStore() !== open) {
    throw new StoreError('The workspace is in the middle of a unit of work that is waiting on something; this write was refused so it cannot be mixed into it. Try again.', 'conflict');
  }
}
