import type { Migration } from './migration';

// Mock worlds: starting worlds by name (the example shop's orders, payments, accounts…), and the
// world each mocked conversation left behind, so simulations can assert on it after the run.
export const mockWorlds: Migration = {
  version: 6,
  name: 'mock worlds',
  sql: `
    CREATE TABLE worlds (
      name        TEXT PRIMARY KEY,
      description TEXT NOT NULL DEFAULT '',
      world       TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE conversation_worlds (
      conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
      started_from    TEXT,
      world           TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;
  `,
};
