// The per-connection statement cache: one compile per SQL text, and a statement's pluck mode set by
// each caller, never left over from the last one.
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { statement } from '../../main/store/statements';

describe('statement', () => {
  it('compiles each SQL text once per connection', () => {
    const db = new Database(':memory:');
    const other = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (a INTEGER)');
      other.exec('CREATE TABLE t (a INTEGER)');
      const prepare = vi.spyOn(db, 'prepare');
      for (let index = 0; index < 5; index++) statement(db, 'INSERT INTO t (a) VALUES (?)').run(index);
      expect(prepare).toHaveBeenCalledTimes(1);
      expect(statement(db, 'SELECT count(*) FROM t', { pluck: true }).get()).toBe(5);
      // Another connection gets its own statement, on its own database.
      expect(statement(other, 'SELECT count(*) FROM t', { pluck: true }).get()).toBe(0);
    } finally {
      db.close();
      other.close();
    }
  });

  it('sets pluck on every use, so a plucked caller never leaves a scalar for the next', () => {
    const db = new Database(':memory:');
    try {
      db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x')");
      expect(statement(db, 'SELECT a, b FROM t', { pluck: true }).get()).toBe(1);
      expect(statement(db, 'SELECT a, b FROM t').get()).toEqual({ a: 1, b: 'x' });
      expect(statement(db, 'SELECT a, b FROM t', { pluck: true }).all()).toEqual([1]);
    } finally {
      db.close();
    }
  });

  it('still sees a schema changed after the statement was compiled', () => {
    const db = new Database(':memory:');
    try {
      db.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)');
      expect(statement(db, 'SELECT * FROM t').get()).toEqual({ a: 1 });
      db.exec('ALTER TABLE t ADD COLUMN b TEXT DEFAULT \'y\'');
      expect(statement(db, 'SELECT * FROM t').get()).toEqual({ a: 1, b: 'y' });
    } finally {
      db.close();
    }
  });
});
