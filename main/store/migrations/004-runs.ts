// Simulations with their runs and results, conversations with their messages, and trace events.
import type { Migration } from './migration';

export const runs: Migration = {
  version: 4,
  name: 'simulations, conversations, messages and trace events',
  sql: `
    CREATE TABLE simulations (
      id           INTEGER PRIMARY KEY,
      procedure_id INTEGER NOT NULL REFERENCES procedures(id) ON DELETE CASCADE,
      name         TEXT NOT NULL,
      definition   TEXT NOT NULL,
      created_at   TEXT NOT NULL,
      updated_at   TEXT NOT NULL,
      UNIQUE (procedure_id, name)
    ) STRICT;

    CREATE TABLE simulation_runs (
      id             INTEGER PRIMARY KEY,
      simulation_id  INTEGER NOT NULL REFERENCES simulations(id) ON DELETE CASCADE,
      procedure_hash TEXT NOT NULL,
      version        INTEGER,
      status         TEXT NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'error')),
      summary        TEXT NOT NULL DEFAULT '',
      started_at     TEXT NOT NULL,
      finished_at    TEXT
    ) STRICT;
    CREATE INDEX simulation_runs_by_simulation ON simulation_runs (simulation_id, id);

    CREATE TABLE simulation_results (
      id          INTEGER PRIMARY KEY,
      run_id      INTEGER NOT NULL REFERENCES simulation_runs(id) ON DELETE CASCADE,
      expectation TEXT NOT NULL,
      passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
      detail      TEXT NOT NULL DEFAULT ''
    ) STRICT;
    CREATE INDEX simulation_results_by_run ON simulation_results (run_id);

    CREATE TABLE conversations (
      id                INTEGER PRIMARY KEY,
      kind              TEXT NOT NULL CHECK (kind IN ('preview', 'simulation', 'production')),
      procedure_id      INTEGER REFERENCES procedures(id) ON DELETE SET NULL,
      procedure_hash    TEXT,
      simulation_run_id INTEGER REFERENCES simulation_runs(id) ON DELETE CASCADE,
      external_id       TEXT,
      status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ended', 'handed-off', 'failed')),
      started_at        TEXT NOT NULL,
      ended_at          TEXT
    ) STRICT;
    CREATE INDEX conversations_by_kind ON conversations (kind, id);
    CREATE INDEX conversations_by_run ON conversations (simulation_run_id);

    CREATE TABLE messages (
      id              INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      seq             INTEGER NOT NULL,
      role            TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'system', 'tool')),
      content         TEXT NOT NULL,
      created_at      TEXT NOT NULL,
      UNIQUE (conversation_id, seq)
    ) STRICT;

    CREATE TABLE trace_events (
      id              INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      seq             INTEGER NOT NULL,
      at              TEXT NOT NULL,
      type            TEXT NOT NULL,
      step_id         TEXT,
      payload         TEXT NOT NULL DEFAULT '{}',
      UNIQUE (conversation_id, seq)
    ) STRICT;
  `,
};
