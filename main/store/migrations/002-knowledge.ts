// The knowledge hub: articles, and an FTS5 index over them kept in step by triggers.
import type { Migration } from './migration';

export const knowledge: Migration = {
  version: 2,
  name: 'knowledge articles with full-text search',
  sql: `
    CREATE TABLE articles (
      id         INTEGER PRIMARY KEY,
      title      TEXT NOT NULL,
      body       TEXT NOT NULL,
      url        TEXT,
      tags       TEXT NOT NULL DEFAULT '[]',
      source     TEXT UNIQUE,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE VIRTUAL TABLE articles_fts USING fts5(
      title, body, tags,
      content = 'articles', content_rowid = 'id',
      tokenize = 'porter unicode61 remove_diacritics 2'
    );

    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
      INSERT INTO articles_fts (rowid, title, body, tags) VALUES (NEW.id, NEW.title, NEW.body, NEW.tags);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
      INSERT INTO articles_fts (articles_fts, rowid, title, body, tags) VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.tags);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE ON articles BEGIN
      INSERT INTO articles_fts (articles_fts, rowid, title, body, tags) VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.tags);
      INSERT INTO articles_fts (rowid, title, body, tags) VALUES (NEW.id, NEW.title, NEW.body, NEW.tags);
    END;
  `,
};
