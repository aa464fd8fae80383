// A workspace holds transcripts, key hashes and settings: the files Stepwise creates for it (the
// database, SQLite's -wal and -shm beside it, a migration's backup, a scratch copy) are readable by
// their owner only, and a folder it creates for one is its owner's alone.
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openAppWorkspace } from '../../main/app/open-workspace';
import { openDatabase } from '../../main/store/database';
import { createPrivateFile, ensurePrivateFolder, readableByOthers } from '../../main/store/private-files';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from './helpers';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const posix = process.platform !== 'win32';

describe.runIf(posix)('the modes of the files Stepwise creates', () => {
  const tempDir = useTempDir();

  it('creates a workspace 0600, and SQLite its -wal and -shm with the same mode', () => {
    const path = join(tempDir(), 'shop.stepwise');
    const workspace = Workspace.create(path);
    try {
      workspace.settings.set('theme', z.string(), 'dark'); // a write, so the WAL is in use
      expect(modeOf(path)).toBe(0o600);
      expect(existsSync(`${path}-wal`)).toBe(true);
      expect(modeOf(`${path}-wal`)).toBe(0o600);
      expect(modeOf(`${path}-shm`)).toBe(0o600);
    } finally {
      workspace.close();
    }
  });

  it('creates the backup taken before a migration 0600', () => {
    const dir = tempDir();
    const path = join(dir, 'old.stepwise');
    const backup = join(dir, 'old.bak');
    openDatabase(path, { create: true, targetVersion: 8 }).db.close();
    const workspace = Workspace.open(path, { backupPath: () => backup });
    workspace.close();
    expect(existsSync(backup)).toBe(true);
    expect(modeOf(backup)).toBe(0o600);
  });

  it('creates a scratch copy (the mutants\' workspace) 0600', () => {
    const dir = tempDir();
    const workspace = Workspace.create(join(dir, 'shop.stepwise'));
    const copy = workspace.copyTo(join(dir, 'copy.stepwise'));
    try {
      expect(modeOf(join(dir, 'copy.stepwise'))).toBe(0o600);
    } finally {
      copy.close();
      workspace.close();
    }
  });

  it('creates the default workspace\'s missing folders 0700', () => {
    const home = join(tempDir(), 'config', 'stepwise');
    const path = join(home, 'workspace.stepwise');
    const { workspace, created } = openAppWorkspace({ defaultWorkspace: path });
    workspace.close();
    expect(created).toBe(true);
    expect(modeOf(home)).toBe(0o700);
    expect(modeOf(join(home, '..'))).toBe(0o700);
    expect(modeOf(path)).toBe(0o600);
  });

  it('leaves a folder the user made as it is, and says who can read it', () => {
    const folder = join(tempDir(), 'shared');
    mkdirSync(folder);
    chmodSync(folder, 0o755);
    ensurePrivateFolder(folder);
    expect(modeOf(folder)).toBe(0o755);
    expect(readableByOthers(folder)).toEqual(['group', 'others']);
    chmodSync(folder, 0o740);
    expect(readableByOthers(folder)).toEqual(['group']);
    chmodSync(folder, 0o711); // others may pass through, not list it
    expect(readableByOthers(folder)).toEqual([]);
    expect(readableByOthers(join(folder, 'missing'))).toEqual([]);
  });

  it('never creates a private file over one that is there', () => {
    const path = join(tempDir(), 'taken');
    createPrivateFile(path);
    expect(() => createPrivateFile(path)).toThrow(/EEXIST/);
  });
});
