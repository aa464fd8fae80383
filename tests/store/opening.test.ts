// Opening a workspace file: another program's database is left exactly as it was, only `workspace
// init` makes a workspace, damage anywhere is caught on open, init is all or nothing, and a
// command that only reads writes nothing, even in a folder it cannot write to.
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { WorkspaceError } from '../../main/store/errors';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { finished, runCliAt, startCliAt, startScript, waitForLine } from './child';
import { catchError, useTempDir } from './helpers';

const initAndHang = fileURLToPath(new URL('./fixtures/init-and-hang.ts', import.meta.url));

describe('opening another program\'s SQLite database', () => {
  const tempDir = useTempDir();

  it('refuses it without changing a byte or its journal mode', () => {
    const dir = tempDir();
    const path = join(dir, 'photos.db');
    const other = new Database(path);
    other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO photos (title) VALUES ('beach')");
    other.close();
    const before = readFileSync(path);

    for (const readonly of [false, true]) {
      const error = catchError(() => Workspace.open(path, { readonly }));
      expect((error as WorkspaceError).code).toBe('not-workspace');
      expect(error.message).toBe(`${path} is an SQLite database but not a Stepwise workspace (it holds other tables).`);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['photos.db']); // no -wal or -shm left behind
    const after = new Database(path, { readonly: true });
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    after.close();
  });

  it('does not turn an empty database into a workspace: only workspace init creates one', async () => {
    const dir = tempDir();
    const path = join(dir, 'empty.db');
    const empty = new Database(path);
    empty.exec('CREATE TABLE scratch (x); DROP TABLE scratch'); // an SQLite file with no tables
    empty.close();
    const before = readFileSync(path);

    for (const readonly of [false, true]) {
      const error = catchError(() => Workspace.open(path, { readonly }));
      expect((error as WorkspaceError).code).toBe('not-workspace');
      expect(error.message).toMatch(/is an SQLite database with no workspace in it/);
    }
    const io = captureIo(dir);
    expect(await runCli(['knowledge', 'search', 'refund', '--workspace', 'empty.db'], io)).toBe(1);
    expect(io.stderr()).toMatch(/empty\.db is an SQLite database with no workspace in it/);
    expect(readFileSync(path).equals(before)).toBe(true);
    const after = new Database(path, { readonly: true });
    expect(after.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get()).toBe(0);
    expect(after.pragma('user_version', { simple: true })).toBe(0);
    after.close();
  });
});

describe('damage in the middle of a workspace', () => {
  const tempDir = useTempDir();

  it('is caught when the workspace opens, with a message naming the file, and the file is left alone', async () => {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    const workspace = Workspace.create(path);
    const conversation = workspace.conversations.create({ kind: 'preview' }).id;
    for (let batch = 0; batch < 20; batch++) {
      workspace.traces.append(conversation, Array.from({ length: 50 }, (_, index) => ({ type: 'step', payload: { batch, index, filler: 'x'.repeat(300) } })));
    }
    workspace.close();
    // A leaf page of the trace table from the middle of the file: nothing opening reads.
    const stat = new Database(path, { readonly: true });
    const pageSize = stat.pragma('page_size', { simple: true }) as number;
    const pages = stat.prepare("SELECT pageno FROM dbstat WHERE name = 'trace_events' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    stat.close();
    const page = pages[Math.floor(pages.length / 2)]!;
    const bytes = readFileSync(path);
    expect(page * pageSize).toBeLessThan(bytes.length);
    for (let offset = (page - 1) * pageSize; offset < page * pageSize; offset++) bytes[offset] = (offset * 31) & 0xff;
    writeFileSync(path, bytes);

    for (const readonly of [false, true]) {
      const error = catchError(() => Workspace.open(path, { readonly }));
      expect(error).toBeInstanceOf(WorkspaceError);
      expect((error as WorkspaceError).code).toBe('corrupt');
      expect(error.message).toMatch(new RegExp(`^${escape(path)} is damaged: SQLite's check of its pages found .*Nothing was written to it; restore it from a backup\\.$`));
    }
    const io = captureIo(dir);
    expect(await runCli(['knowledge', 'search', 'refund', '--workspace', 'shop.stepwise'], io)).toBe(1);
    expect(io.stderr()).toMatch(/shop\.stepwise is damaged/);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });
});

describe('workspace init', () => {
  const tempDir = useTempDir();

  it('killed while it fills the workspace, leaves nothing that blocks the next init', async () => {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    const child = startScript(initAndHang, [path]);
    const exit = finished(child);
    await Promise.race([waitForLine(child, 'populating'), waitForLine(child, 'created')]);
    child.kill('SIGKILL');
    expect((await exit).signal).toBe('SIGKILL');

    expect(existsSync(path)).toBe(false);
    const io = captureIo(dir);
    expect(await runCli(['workspace', 'init', 'shop.stepwise', '--example'], io)).toBe(0);
    expect(io.stdout()).toMatch(/5 Procedures/);
    expect(readdirSync(dir)).toEqual(['shop.stepwise']); // the killed init's temporary file is gone too
    const workspace = Workspace.open(path, { readonly: true });
    expect(workspace.procedures.names()).toHaveLength(5);
    workspace.close();
  });

  it('that fails halfway leaves nothing, and never replaces a file that appeared meanwhile', () => {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    expect(() => Workspace.create(path, () => { throw new Error('examples are broken'); })).toThrow('examples are broken');
    expect(readdirSync(dir)).toEqual([]);

    const error = catchError(() => Workspace.create(path, () => writeFileSync(path, 'another init got here first')));
    expect((error as WorkspaceError).code).toBe('exists');
    expect(readFileSync(path, 'utf8')).toBe('another init got here first');
    expect(readdirSync(dir)).toEqual(['shop.stepwise']);
  });

  it('killed at a random moment, leaves either no file or a complete workspace', { timeout: 120_000 }, async () => {
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const dir = tempDir();
      const path = join(dir, 'shop.stepwise');
      const child = startCliAt(0, ['workspace', 'init', path, '--example']);
      const exit = finished(child);
      // Once init has begun (its file is being built), kill it at a random moment.
      while (readdirSync(dir).length === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 250));
      child.kill('SIGKILL');
      await exit;
      if (existsSync(path)) {
        outcomes.push('complete');
        const workspace = Workspace.open(path, { readonly: true });
        expect(workspace.integrityCheck()).toEqual(['ok']);
        expect(workspace.procedures.names()).toHaveLength(5);
        expect(workspace.procedures.list().every((record) => record.live !== null)).toBe(true);
        expect(workspace.knowledge.count()).toBeGreaterThan(0);
        workspace.close();
      } else {
        outcomes.push('nothing');
        expect(readdirSync(dir).every((name) => name.startsWith('.shop.stepwise.'))).toBe(true); // only the killed init's temporary files
        expect(await runCli(['workspace', 'init', path, '--example'], captureIo(dir))).toBe(0);
        expect(readdirSync(dir)).toEqual(['shop.stepwise']);
      }
    }
    expect(outcomes).toHaveLength(4);
  });
});

describe('a command that only reads', () => {
  const tempDir = useTempDir();

  it('opens the workspace read-only: it cannot write, and the file is left byte for byte', () => {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    Workspace.create(path).close();
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const workspace = Workspace.open(path, { readonly: true });
    expect(workspace.knowledge.count()).toBe(0);
    expect(() => workspace.teams.save({ name: 'Claims team' })).toThrow(/readonly/);
    workspace.close();
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readdirSync(dir)).toEqual(['shop.stepwise']); // no -wal or -shm left beside it
  });

  it('works in a folder it cannot write to: knowledge search, validate and simulations list', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const path = join(dir, 'shop.stepwise');
    expect(await runCli(['workspace', 'init', path, '--example'], captureIo(dir))).toBe(0);
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    chmodSync(path, 0o444);
    chmodSync(dir, 0o555);
    // Root may write anywhere, so as root the commands run without root's capabilities, for which
    // the folder is truly read-only; anyone else is already held by the modes.
    const user = process.getuid?.() === 0 ? { dropPrivileges: true } : {};
    try {
      const search = await runCliAt(0, ['knowledge', 'search', 'where do I find my order number', '--workspace', path, '--json'], user);
      expect(search.stderr).toBe('');
      expect(search.code).toBe(0);
      expect(JSON.parse(search.stdout).hits[0].title).toBe('Where to find your order number');

      const validate = await runCliAt(0, ['validate', '--workspace', path, '--no-python'], user);
      expect(validate.stdout).toMatch(/^0 errors/m);

      const simulations = await runCliAt(0, ['simulations', 'list', '--workspace', path], user);
      expect(simulations.stderr).toBe('');
      expect(simulations.code).toBe(0);

      // A command that writes says why it cannot, without a stack.
      const publish = await runCliAt(0, ['publish', 'Refund request', '--workspace', path], user);
      expect(publish.code).toBe(1);
      expect(publish.stderr).toMatch(/^stepwise publish failed: Cannot write to .*shop\.stepwise: the file or its folder is read-only/);
      expect(publish.stderr).not.toMatch(/ {4}at /);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readdirSync(dir)).toEqual(['shop.stepwise']); // no -wal or -shm was created
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
