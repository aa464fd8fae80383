import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/store/database';
import { WorkspaceError } from '../../main/store/errors';
import { LATEST_VERSION, MIGRATIONS } from '../../main/store/migrations';
import { Workspace } from '../../main/store/workspace';
import { catchError, procedureText, useTempDir } from './helpers';
import { sqlOf } from './sql';

function schemaOf(db: Database.Database): string[] {
  return (db.prepare("SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS s FROM sqlite_schema ORDER BY type, name").pluck().all() as string[]).map((sql) =>
    sql.replace(/\s+/g, ' '),
  );
}

// Data written with the schema of each version, through plain SQL as that version knew it.
const seeds: Record<number, (db: Database.Database) => void> = {
  1: (db) => {
    db.prepare("INSERT INTO procedures (id, name, draft_text, draft_hash, created_at, updated_at) VALUES (1, 'Hello', ?, 'sha256:x', 't', 't')").run(procedureText('Hello'));
    db.prepare("INSERT INTO procedure_versions (procedure_id, version, name, text, content_hash, published_at) VALUES (1, 1, 'Hello', ?, 'sha256:x', 't')").run(procedureText('Hello'));
  },
  2: (db) => {
    db.prepare("INSERT INTO articles (title, body, tags, created_at, updated_at) VALUES ('Order numbers', 'Find your order number in the email.', '[]', 't', 't')").run();
  },
  3: (db) => {
    db.prepare("INSERT INTO teams (name) VALUES ('Claims team')").run();
  },
  4: (db) => {
    db.prepare("INSERT INTO conversations (id, kind, started_at) VALUES (1, 'preview', 't')").run();
    db.prepare("INSERT INTO trace_events (conversation_id, seq, at, type) VALUES (1, 1, 't', 'step')").run();
  },
  5: (db) => {
    db.prepare("INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES (1, '{}', 't')").run();
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('model', '{}', 't')").run();
  },
  6: (db) => {
    db.prepare("INSERT INTO worlds (name, world, updated_at) VALUES ('shop', '{\"orders\":[]}', 't')").run();
    db.prepare("INSERT INTO conversation_worlds (conversation_id, started_from, world, updated_at) VALUES (1, 'shop', '{}', 't')").run();
  },
  7: (db) => {
    db.prepare("INSERT INTO simulation_suites (id, started_at) VALUES (1, 't')").run();
    db.prepare("INSERT INTO run_snapshots (content_hash, kind, name, text, created_at) VALUES ('sha256:x', 'procedure', 'Hello', 'text', 't')").run();
  },
  8: (db) => {
    db.prepare("INSERT INTO conversation_history (conversation_id, seq, message) VALUES (1, 1, '{\"role\":\"user\",\"content\":\"hi\"}')").run();
  },
  9: (db) => {
    db.prepare("INSERT INTO connectors (name, definition, created_at, updated_at) VALUES ('crm', '{}', 't', 't')").run();
    db.prepare("INSERT INTO connector_grants (connector, kind, name, scope, granted_by, granted_at) VALUES ('crm', 'secret', 'crm_token', 'crm.example.com', 'test', 't')").run();
  },
  10: (db) => {
    db.prepare("INSERT INTO conversations (id, kind, status, started_at, ended_at) VALUES (2, 'production', 'escalated', 't', 't')").run();
  },
  11: (db) => {
    db.prepare("INSERT INTO api_keys (name, scope, token_hash, fingerprint, created_at) VALUES ('widget', 'conversations', 'aa', 'key:aa', 't')").run();
    db.prepare("INSERT INTO webhook_outbox (conversation_id, event, body, created_at, next_attempt_at) VALUES (2, 'conversation.escalated', '{}', 't', 't')").run();
    db.prepare("INSERT INTO production_conversations (conversation_id, procedure, updated_at) VALUES (2, 'Hello', 't')").run();
  },
  12: (db) => {
    db.prepare("UPDATE teams SET note_template = 'Order {order_id}: what was tried.' WHERE name = 'Claims team'").run();
  },
  13: (db) => {
    db.prepare("INSERT INTO bundled_procedures (name, version, text) VALUES ('Hello', 'h1', 'text')").run();
    db.prepare("INSERT INTO bundle_set_procedures (set_hash, name, version) VALUES ('set1', 'Hello', 'h1')").run();
    db.prepare("UPDATE production_conversations SET bundle_set = 'set1' WHERE conversation_id = 2").run();
  },
};

describe('migrations', () => {
  const tempDir = useTempDir();

  it('are numbered 1, 2, 3… without gaps, and every version has seed data in this test', () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, index) => index + 1));
    for (const migration of MIGRATIONS) expect(seeds[migration.version], `seed for version ${migration.version}`).toBeDefined();
  });

  it('build the latest schema from an empty file, with WAL and foreign keys on', () => {
    const workspace = Workspace.create(join(tempDir(), 'new.stepwise'));
    expect(sqlOf(workspace).pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect(sqlOf(workspace).pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlOf(workspace).pragma('foreign_keys', { simple: true })).toBe(1);
    expect(workspace.migration.backup).toBeNull();
    workspace.close();
  });

  for (let from = 1; from < LATEST_VERSION; from++) {
    it(`upgrade a file from version ${from}, keeping its data and backing it up first`, () => {
      const dir = tempDir();
      const path = join(dir, 'old.stepwise');
      const old = openDatabase(path, { create: true, targetVersion: from }).db;
      for (let version = 1; version <= from; version++) seeds[version]!(old);
      old.close();

      const backups: string[] = [];
      const upgraded = openDatabase(path, { backupPath: (version) => (backups.push(join(dir, `backup-v${version}.sqlite`)), backups[0]!) });
      expect(upgraded.migration).toMatchObject({ from, to: LATEST_VERSION });
      expect(upgraded.db.prepare('SELECT name FROM procedures').pluck().all()).toEqual(['Hello']);
      if (from >= 2) expect(upgraded.db.prepare('SELECT title FROM articles').pluck().all()).toEqual(['Order numbers']);
      // The FTS index of articles written before the upgrade still answers.
      if (from >= 2) expect(upgraded.db.prepare("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'order'").all()).toHaveLength(1);

      const fresh = openDatabase(join(dir, 'fresh.stepwise'), { create: true }).db;
      expect(schemaOf(upgraded.db)).toEqual(schemaOf(fresh));
      fresh.close();
      upgraded.db.close();

      const backup = new Database(backups[0]!, { readonly: true });
      expect(backup.pragma('user_version', { simple: true })).toBe(from);
      expect(backup.prepare('SELECT count(*) FROM procedures').pluck().get()).toBe(1);
      backup.close();
    });
  }

  it('version 11 makes the external ids of production conversations unique, keeping the first of any duplicates', () => {
    const dir = tempDir();
    const path = join(dir, 'v10.stepwise');
    const old = openDatabase(path, { create: true, targetVersion: 10 }).db;
    const insert = old.prepare("INSERT INTO conversations (id, kind, external_id, started_at) VALUES (?, ?, ?, 't')");
    insert.run(1, 'production', 'chat-1');
    insert.run(2, 'production', 'chat-1');
    insert.run(3, 'preview', 'chat-1');
    old.close();
    const upgraded = openDatabase(path, { backupPath: () => join(dir, 'v10.bak') }).db;
    expect(upgraded.prepare('SELECT id, external_id FROM conversations ORDER BY id').all()).toEqual([
      { id: 1, external_id: 'chat-1' },
      { id: 2, external_id: null },
      { id: 3, external_id: 'chat-1' },
    ]);
    expect(() => upgraded.prepare("INSERT INTO conversations (kind, external_id, started_at) VALUES ('production', 'chat-1', 't')").run()).toThrow(/UNIQUE/);
    upgraded.prepare("INSERT INTO conversations (kind, external_id, started_at) VALUES ('simulation', 'chat-1', 't')").run();
    upgraded.close();
  });

  it('version 9 adds connector grants to a version-8 file: its connectors start with none, and grants go with their connector', () => {
    const dir = tempDir();
    const path = join(dir, 'v8.stepwise');
    const old = openDatabase(path, { create: true, targetVersion: 8 }).db;
    old.prepare("INSERT INTO connectors (name, definition, created_at, updated_at) VALUES ('crm', '{}', 't', 't')").run();
    old.close();
    const upgraded = openDatabase(path, { backupPath: () => join(dir, 'v8.bak') }).db;
    expect(upgraded.prepare('SELECT count(*) FROM connector_grants').pluck().get()).toBe(0);
    upgraded.prepare("INSERT INTO connector_grants (connector, kind, name, scope, granted_by, granted_at) VALUES ('crm', 'command', '', 'x', 'test', 't')").run();
    expect(() => upgraded.prepare("INSERT INTO connector_grants (connector, kind, name, scope, granted_by, granted_at) VALUES ('nobody', 'command', '', 'x', 'test', 't')").run()).toThrow(/FOREIGN KEY/);
    expect(() => upgraded.prepare("INSERT INTO connector_grants (connector, kind, name, scope, granted_by, granted_at) VALUES ('crm', 'root', '', 'x', 'test', 't')").run()).toThrow(/CHECK/);
    upgraded.prepare("DELETE FROM connectors WHERE name = 'crm'").run();
    expect(upgraded.prepare('SELECT count(*) FROM connector_grants').pluck().get()).toBe(0);
    upgraded.close();
  });

  it('version 10 rewrites stored statuses into the runtime vocabulary: an escalation stays escalated, and no message, trace or state is lost', () => {
    const dir = tempDir();
    const path = join(dir, 'v9.stepwise');
    const old = openDatabase(path, { create: true, targetVersion: 9 }).db;
    const insert = old.prepare("INSERT INTO conversations (id, kind, status, started_at, ended_at) VALUES (?, 'preview', ?, 't', ?)");
    const state = old.prepare("INSERT INTO conversation_state (conversation_id, state, updated_at) VALUES (?, ?, 't')");
    // What version 9 wrote: 'handed-off' for an escalation and a handoff alike, 'open' for active and waiting.
    insert.run(1, 'handed-off', 't1');
    state.run(1, JSON.stringify({ status: 'escalated', history: [] }));
    insert.run(2, 'handed-off', 't2');
    state.run(2, JSON.stringify({ status: 'handed_off', history: [] }));
    insert.run(3, 'open', null);
    state.run(3, JSON.stringify({ status: 'waiting', history: [] }));
    insert.run(4, 'open', null); // no turn saved yet
    insert.run(5, 'handed-off', 't5');
    state.run(5, 'not json');
    insert.run(6, 'failed', 't6');
    old.prepare("INSERT INTO messages (conversation_id, seq, role, content, created_at) VALUES (1, 1, 'customer', 'I want a person', 't')").run();
    old.prepare("INSERT INTO trace_events (conversation_id, seq, at, type, payload) VALUES (1, 1, 't', 'escalated', '{}')").run();
    old.prepare("INSERT INTO conversation_history (conversation_id, seq, message) VALUES (1, 1, '{}')").run();
    old.close();

    const upgraded = openDatabase(path, { backupPath: () => join(dir, 'v9.bak') }).db;
    expect(upgraded.prepare('SELECT id, status, ended_at FROM conversations ORDER BY id').all()).toEqual([
      { id: 1, status: 'escalated', ended_at: 't1' },
      { id: 2, status: 'handed_off', ended_at: 't2' },
      { id: 3, status: 'waiting', ended_at: null },
      { id: 4, status: 'active', ended_at: null },
      { id: 5, status: 'handed_off', ended_at: 't5' },
      { id: 6, status: 'ended', ended_at: 't6' },
    ]);
    expect(upgraded.prepare('SELECT count(*) FROM messages WHERE conversation_id = 1').pluck().get()).toBe(1);
    expect(upgraded.prepare('SELECT count(*) FROM trace_events WHERE conversation_id = 1').pluck().get()).toBe(1);
    expect(upgraded.prepare('SELECT count(*) FROM conversation_history WHERE conversation_id = 1').pluck().get()).toBe(1);
    expect(upgraded.prepare('SELECT count(*) FROM conversation_state').pluck().get()).toBe(4);
    // The keys still hold: deleting a conversation takes its rows along; the old names are refused.
    expect(upgraded.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() => upgraded.prepare("UPDATE conversations SET status = 'handed-off' WHERE id = 2").run()).toThrow(/CHECK/);
    upgraded.prepare('DELETE FROM conversations WHERE id = 1').run();
    expect(upgraded.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
    expect(upgraded.prepare('SELECT count(*) FROM conversation_history').pluck().get()).toBe(0);
    upgraded.close();
  });

  it('refuse a file made by a newer Stepwise, leaving it untouched', () => {
    const path = join(tempDir(), 'future.stepwise');
    Workspace.create(path).close();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => Workspace.open(path)).toThrow(/schema version \d+, made by a newer Stepwise/);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_VERSION + 1);
    after.close();
  });

  it('take no backup for a file that is already current', () => {
    const dir = tempDir();
    const path = join(dir, 'w.stepwise');
    Workspace.create(path).close();
    const again = Workspace.open(path);
    expect(again.migration).toEqual({ from: LATEST_VERSION, to: LATEST_VERSION, backup: null });
    again.close();
    expect(readdirSync(dir).filter((name) => name.includes('.bak'))).toEqual([]);
  });
});

describe('opening a file that is not a workspace', () => {
  const tempDir = useTempDir();

  it('names a missing file and how to create one', () => {
    expect(() => Workspace.open(join(tempDir(), 'nope.stepwise'))).toThrow(/There is no workspace at .*workspace init/);
  });

  it('says a text file is not an SQLite database', () => {
    const path = join(tempDir(), 'notes.stepwise');
    writeFileSync(path, 'These are my notes, not a database.\n'.repeat(100));
    const error = catchError(() => Workspace.open(path));
    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as WorkspaceError).code).toBe('not-sqlite');
    expect(error.message).toMatch(/not an SQLite database/);
  });

  it('says an empty file is not a workspace', () => {
    const path = join(tempDir(), 'empty.stepwise');
    writeFileSync(path, '');
    expect((catchError(() => Workspace.open(path)) as WorkspaceError).code).toBe('not-workspace');
  });

  it('says another program\'s SQLite database is not a workspace, and leaves it alone', () => {
    const path = join(tempDir(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    db.close();
    expect((catchError(() => Workspace.open(path)) as WorkspaceError).code).toBe('not-workspace');
    const after = new Database(path);
    expect(after.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['photos']);
    after.close();
  });

  it('reports a damaged workspace as damaged instead of crashing', () => {
    const path = join(tempDir(), 'damaged.stepwise');
    const workspace = Workspace.create(path);
    workspace.procedures.create(procedureText('Hello'));
    workspace.close();
    const bytes = readFileSync(path);
    // Keep SQLite's 100-byte header, then scribble over the schema page and the next pages.
    for (let offset = 100; offset < Math.min(bytes.length, 4096 * 3); offset++) bytes[offset] = (offset * 7) & 0xff;
    writeFileSync(path, bytes);
    const error = catchError(() => {
      const opened = Workspace.open(path);
      try {
        opened.procedures.list();
      } finally {
        opened.close();
      }
    });
    expect(error).toBeInstanceOf(WorkspaceError);
    expect(['corrupt', 'not-sqlite']).toContain((error as WorkspaceError).code);
    expect(existsSync(path)).toBe(true);
  });
});
