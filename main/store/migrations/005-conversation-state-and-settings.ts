import type { Migration } from './migration';

// The runtime's state of each conversation (so it can resume after a restart) and workspace
// settings (model roles, limits, escalation policy: never secrets, which live in the SecretStore).
export const conversationStateAndSettings: Migration = {
  version: 5,
  name: 'conversation state and settings',
  sql: `
    CREATE TABLE conversation_state (
      conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
      state           TEXT NOT NULL,
      updated_at      TEXT NOT NULL
    ) STRICT;

    CREATE TABLE settings (
      key        TEXT PRIMARY KEY,
      value      TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
  `,
};
