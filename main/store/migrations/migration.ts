// One forward-only schema change. `version` is what `PRAGMA user_version` holds once it has run.
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration drops and recreates a table others refer to (SQLite cannot change a CHECK in
   * place): it runs with foreign keys off, so the drop neither cascades nor fails, and the keys
   * are checked before its commit.
   */
  rebuildsTables?: boolean;
}
