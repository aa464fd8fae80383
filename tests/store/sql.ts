// Test-only: the SQLite connection behind a Workspace, for tests that check what is on disk or
// break it on purpose. Production code never reaches it: `Workspace.db` is private, and only
// main/store/ knows SQL.
import type Database from 'better-sqlite3';
import type { Workspace } from '../../main/store/workspace';

export function sqlOf(workspace: Workspace): Database.Database {
  return (workspace as unknown as { db: Database.Database }).db;
}
