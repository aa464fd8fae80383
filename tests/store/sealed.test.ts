// The store is sealed: only main/store/ talks to SQLite, and the store depends on nothing of the
// engine but shared/ (domain folders import the store, never the reverse).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

// A statement on a database handle: db.prepare(…), x.db.pragma(…), db.exec('…'), or the driver itself.
const SQL = /\.(prepare|pragma)\(|\bdb\.exec\(|from 'better-sqlite3'/;

describe('the sealed store', () => {
  it('is the only folder of main/ that talks to SQLite', () => {
    const offenders = sources('main')
      .filter((file) => !file.startsWith('main/store/') && !file.startsWith('main/sandbox/'))
      .filter((file) => SQL.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('imports nothing from main/ outside itself', () => {
    const offenders: string[] = [];
    for (const file of sources('main/store')) {
      for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/from '(\.[^']*)'/g)) {
        const target = relative(ROOT, join(ROOT, file, '..', match[1]!));
        if (!target.startsWith('main/store') && !target.startsWith('shared/')) offenders.push(`${file} → ${target}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('would notice SQL or a domain import where they do not belong', () => {
    expect(SQL.test("workspace.db.prepare('SELECT 1')")).toBe(true);
    expect(SQL.test("import Database from 'better-sqlite3';")).toBe(true);
    expect(SQL.test('const match = /x/.exec(text);')).toBe(false);
  });
});
