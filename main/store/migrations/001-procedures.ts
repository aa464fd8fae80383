// Procedures: an editable draft each, and an immutable history of published versions.
import type { Migration } from './migration';

export const procedures: Migration = {
  version: 1,
  name: 'procedures and their published versions',
  sql: `
    CREATE TABLE workspace_meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE procedures (
      id         INTEGER PRIMARY KEY,
      name       TEXT NOT NULL UNIQUE,
      draft_text TEXT NOT NULL,
      draft_hash TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE procedure_versions (
      id           INTEGER PRIMARY KEY,
      procedure_id INTEGER NOT NULL REFERENCES procedures(id) ON DELETE CASCADE,
      version      INTEGER NOT NULL CHECK (version >= 1),
      name         TEXT NOT NULL,
      text         TEXT NOT NULL,
      content_hash TEXT NOT NULL,
      note         TEXT NOT NULL DEFAULT '',
      author       TEXT,
      published_at TEXT NOT NULL,
      republishes  INTEGER,
      UNIQUE (procedure_id, version)
    ) STRICT;

    -- Published versions never change. They go only together with their Procedure.
    CREATE TRIGGER procedure_versions_immutable BEFORE UPDATE ON procedure_versions
    BEGIN
      SELECT RAISE(ABORT, 'Published versions are immutable: publish a new version instead.');
    END;
    CREATE TRIGGER procedure_versions_kept BEFORE DELETE ON procedure_versions
    WHEN EXISTS (SELECT 1 FROM procedures WHERE id = OLD.procedure_id)
    BEGIN
      SELECT RAISE(ABORT, 'Published versions are kept for as long as their Procedure exists.');
    END;
  `,
};
