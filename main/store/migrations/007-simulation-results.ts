import type { Migration } from './migration';

// What simulations need beyond migration 4's runs and results: suites (many runs with repeats),
// per-check detail (kind, whose failure, evidence), human reviews of the judge's verdicts, every
// model response of a run (for exact replay), connector results of live runs, and the text of
// every Procedure version and starting world a run ran on (drafts included), so runs can be
// compared and replayed exactly.
export const simulationResults: Migration = {
  version: 7,
  name: 'simulation suites, checks, reviews, recordings and Procedure snapshots',
  sql: `
    CREATE TABLE simulation_suites (
      id          INTEGER PRIMARY KEY,
      status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'cancelled', 'error')),
      options     TEXT NOT NULL DEFAULT '{}',
      estimate    TEXT NOT NULL DEFAULT '{}',
      report      TEXT NOT NULL DEFAULT '{}',
      started_at  TEXT NOT NULL,
      finished_at TEXT
    ) STRICT;

    ALTER TABLE simulation_runs ADD COLUMN suite_id INTEGER REFERENCES simulation_suites(id) ON DELETE SET NULL;
    ALTER TABLE simulation_runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE simulation_runs ADD COLUMN replay_of INTEGER REFERENCES simulation_runs(id) ON DELETE SET NULL;
    ALTER TABLE simulation_runs ADD COLUMN definition TEXT;
    ALTER TABLE simulation_runs ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
    CREATE INDEX simulation_runs_by_suite ON simulation_runs (suite_id);

    ALTER TABLE simulation_results ADD COLUMN kind TEXT NOT NULL DEFAULT 'criterion';
    ALTER TABLE simulation_results ADD COLUMN party TEXT CHECK (party IN ('agent', 'customer', 'judge'));
    ALTER TABLE simulation_results ADD COLUMN evidence TEXT;

    CREATE TABLE simulation_reviews (
      id         INTEGER PRIMARY KEY,
      result_id  INTEGER NOT NULL UNIQUE REFERENCES simulation_results(id) ON DELETE CASCADE,
      decision   TEXT NOT NULL CHECK (decision IN ('agree', 'overrule')),
      note       TEXT NOT NULL DEFAULT '',
      reviewer   TEXT,
      created_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE simulation_model_calls (
      run_id       INTEGER NOT NULL REFERENCES simulation_runs(id) ON DELETE CASCADE,
      seq          INTEGER NOT NULL,
      role         TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      response     TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) STRICT;

    CREATE TABLE simulation_connector_calls (
      run_id     INTEGER NOT NULL REFERENCES simulation_runs(id) ON DELETE CASCADE,
      seq        INTEGER NOT NULL,
      action     TEXT NOT NULL,
      input_hash TEXT NOT NULL,
      result     TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) STRICT;

    CREATE TABLE run_snapshots (
      content_hash TEXT PRIMARY KEY,
      kind         TEXT NOT NULL CHECK (kind IN ('procedure', 'world')),
      name         TEXT NOT NULL,
      text         TEXT NOT NULL,
      created_at   TEXT NOT NULL
    ) STRICT;
  `,
};
