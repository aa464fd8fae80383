import type { Migration } from './migration';

// The production server's tables (docs/production.md): client API keys (only a SHA-256 of each
// token is kept), idempotency records (a retried post returns the same turn), the webhook outbox
// (written in the turn's own transaction, so a crash never loses a handoff notice), and the
// Procedure a production conversation is in (for listing) and when the API closed it. External ids of production
// conversations are unique, so creating one twice with the same id finds the first.
export const productionServer: Migration = {
  version: 11,
  name: 'production server',
  sql: `
    CREATE TABLE api_keys (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL,
      scope       TEXT NOT NULL CHECK (scope IN ('conversations', 'admin')),
      token_hash  TEXT NOT NULL UNIQUE,
      fingerprint TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      revoked_at  TEXT
    ) STRICT;

    CREATE TABLE idempotency_records (
      key_id          INTEGER NOT NULL,
      conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      idempotency_key TEXT NOT NULL,
      request_hash    TEXT NOT NULL,
      response        TEXT NOT NULL,
      created_at      TEXT NOT NULL,
      PRIMARY KEY (key_id, conversation_id, idempotency_key)
    ) STRICT;

    CREATE TABLE webhook_outbox (
      id              INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      event           TEXT NOT NULL,
      body            TEXT NOT NULL,
      created_at      TEXT NOT NULL,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      delivered_at    TEXT,
      last_error      TEXT
    ) STRICT;
    CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;

    CREATE TABLE production_conversations (
      conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
      procedure       TEXT,
      closed_at       TEXT,
      updated_at      TEXT NOT NULL
    ) STRICT;
    CREATE INDEX production_conversations_by_procedure ON production_conversations (procedure);

    -- No Stepwise before this one ran production conversations; should a file hold two with one
    -- external id anyway, the first keeps it, so the index can be made.
    UPDATE conversations SET external_id = NULL
      WHERE kind = 'production' AND external_id IS NOT NULL
        AND id NOT IN (SELECT min(id) FROM conversations WHERE kind = 'production' AND external_id IS NOT NULL GROUP BY external_id);
    CREATE UNIQUE INDEX conversations_production_external_id ON conversations (external_id) WHERE kind = 'production' AND external_id IS NOT NULL;
  `,
};
