import type { Migration } from './migration';

// The model history of a conversation grows every turn and never changes once written: keep it as
// rows appended per turn instead of rewriting it inside the state at every turn. Histories saved
// inside the state by version 5 move to the new table.
export const conversationHistory: Migration = {
  version: 8,
  name: 'conversation history',
  sql: `
    CREATE TABLE conversation_history (
      conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      seq             INTEGER NOT NULL,
      message         TEXT NOT NULL,
      PRIMARY KEY (conversation_id, seq)
    ) STRICT;

    INSERT INTO conversation_history (conversation_id, seq, message)
      SELECT s.conversation_id, CAST(h.key AS INTEGER) + 1, h.value
      FROM conversation_state s, json_each(s.state, '$.history') h
      WHERE json_valid(s.state);

    UPDATE conversation_state SET state = json_set(state, '$.history', json('[]'))
      WHERE json_valid(state) AND json_type(state, '$.history') = 'array';
  `,
};
