import type { Migration } from './migration';

// The production server's bundle sets, kept in the database: the Procedure versions of every set
// a server has served (by content hash), and which set each conversation started on, so a
// conversation finishes on its set after a reload, on any instance, after any restart.
export const bundleSets: Migration = {
  version: 13,
  name: 'bundle sets',
  sql: `
    CREATE TABLE bundled_procedures (
      name    TEXT NOT NULL,
      version TEXT NOT NULL,
      text    TEXT NOT NULL,
      PRIMARY KEY (name, version)
    );
    CREATE TABLE bundle_set_procedures (
      set_hash TEXT NOT NULL,
      name     TEXT NOT NULL,
      version  TEXT NOT NULL,
      PRIMARY KEY (set_hash, name),
      FOREIGN KEY (name, version) REFERENCES bundled_procedures (name, version)
    );
    ALTER TABLE production_conversations ADD COLUMN bundle_set TEXT;
  `,
};
