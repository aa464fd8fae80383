// One forward-only schema change. `version` is what `PRAGMA user_version` holds once it has run.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
