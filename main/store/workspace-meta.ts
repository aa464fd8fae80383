// Facts about the workspace itself (its id, when it was created), kept in `workspace_meta`.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { now } from './hash';
import { writeTransaction } from './write-transaction';

export class SqliteWorkspaceMetaRepository {
  constructor(private readonly db: Database.Database) {}

  /** A random id for the workspace, made on first use and kept; it tells workspaces apart (in a shared keychain…). */
  id(): string {
    const read = () => this.db.prepare("SELECT value FROM workspace_meta WHERE key = 'id'").pluck().get() as string | undefined;
    const existing = read();
    if (existing) return existing;
    // Read again under the write lock: two processes making the id at once agree on one.
    return writeTransaction(this.db, () => {
      const made = read();
      if (made) return made;
      const id = randomUUID();
      this.db.prepare("INSERT INTO workspace_meta (key, value) VALUES ('id', ?)").run(id);
      return id;
    });
  }

  /** Stamps the creation time; only `Workspace.create` calls it, once. */
  markCreated(): void {
    writeTransaction(this.db, () => this.db.prepare("INSERT INTO workspace_meta (key, value) VALUES ('created_at', ?)").run(now()));
  }
}
