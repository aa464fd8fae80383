// Connector definitions (secrets by name only), handoff teams, and the keys that sign bundles.
// Only public keys live here: the private signing key goes through the SecretStore.
import type { Migration } from './migration';

export const connectorsAndKeys: Migration = {
  version: 3,
  name: 'connectors, teams and bundle signing keys',
  sql: `
    CREATE TABLE connectors (
      id         INTEGER PRIMARY KEY,
      name       TEXT NOT NULL UNIQUE,
      definition TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE teams (
      name        TEXT PRIMARY KEY COLLATE NOCASE,
      description TEXT NOT NULL DEFAULT ''
    ) STRICT;

    CREATE TABLE signing_key (
      id          INTEGER PRIMARY KEY CHECK (id = 1),
      public_key  TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      secret_name TEXT NOT NULL,
      created_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE trusted_keys (
      fingerprint TEXT PRIMARY KEY,
      public_key  TEXT NOT NULL,
      label       TEXT NOT NULL DEFAULT '',
      added_at    TEXT NOT NULL
    ) STRICT;
  `,
};
