import type { Migration } from './migration';

// One status vocabulary for the runtime and the store (shared/conversation-status.ts). The column
// used to say 'open' for active and waiting conversations, and 'handed-off' for an escalation as
// well as a handoff. Each conversation takes the exact status its saved state holds; one with no
// saved state maps by name ('open' → 'active', 'handed-off' → 'handed_off'). No Stepwise ever
// wrote 'failed'; a row holding it by other means becomes 'ended'.
// SQLite cannot change a CHECK in place, so the table is rebuilt (foreign keys off meanwhile, and
// checked before the commit: the messages, traces, state and history keep their conversation).
export const conversationStatus: Migration = {
  version: 10,
  name: 'conversation status',
  rebuildsTables: true,
  sql: `
    CREATE TABLE conversations_new (
      id                INTEGER PRIMARY KEY,
      kind              TEXT NOT NULL CHECK (kind IN ('preview', 'simulation', 'production')),
      procedure_id      INTEGER REFERENCES procedures(id) ON DELETE SET NULL,
      procedure_hash    TEXT,
      simulation_run_id INTEGER REFERENCES simulation_runs(id) ON DELETE CASCADE,
      external_id       TEXT,
      status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'waiting', 'handed_off', 'ended', 'escalated')),
      started_at        TEXT NOT NULL,
      ended_at          TEXT
    ) STRICT;

    INSERT INTO conversations_new (id, kind, procedure_id, procedure_hash, simulation_run_id, external_id, status, started_at, ended_at)
      SELECT c.id, c.kind, c.procedure_id, c.procedure_hash, c.simulation_run_id, c.external_id,
        CASE
          WHEN json_valid(s.state) AND json_extract(s.state, '$.status') IN ('active', 'waiting', 'handed_off', 'ended', 'escalated')
            THEN json_extract(s.state, '$.status')
          WHEN c.status = 'open' THEN 'active'
          WHEN c.status = 'handed-off' THEN 'handed_off'
          ELSE 'ended'
        END,
        c.started_at, c.ended_at
      FROM conversations c LEFT JOIN conversation_state s ON s.conversation_id = c.id;

    DROP TABLE conversations;
    ALTER TABLE conversations_new RENAME TO conversations;
    CREATE INDEX conversations_by_kind ON conversations (kind, id);
    CREATE INDEX conversations_by_run ON conversations (simulation_run_id);
  `,
};
