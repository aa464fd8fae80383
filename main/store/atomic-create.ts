// Creating a file all at once: it is built under a temporary name beside its final one and linked
// into place only when complete. A creation killed halfway leaves no half-made file at the final
// path to block the next attempt, and a file someone else created meanwhile is never replaced.
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, fsyncSync, linkSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WorkspaceError } from './errors';

/** SQLite's companion files, which go wherever the database goes. */
const COMPANIONS = ['', '-wal', '-shm', '-journal'];

export function createAtomically(path: string, build: (temporaryPath: string) => void): void {
  if (existsSync(path)) throw alreadyThere(path);
  const folder = dirname(path);
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new WorkspaceError(`Cannot create ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its folder does not exist' : 'its folder is not writable'}.`, 'unavailable', path);
  }
  removeAbandoned(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.init`);
  try {
    build(temporary);
    place(temporary, path);
  } finally {
    for (const suffix of COMPANIONS) rmSync(`${temporary}${suffix}`, { force: true });
  }
}

function place(temporary: string, path: string) {
  try {
    linkSync(temporary, path); // fails rather than replace a file that appeared meanwhile
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw alreadyThere(path);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    // A file system without hard links: rename, after checking once more.
    if (existsSync(path)) throw alreadyThere(path);
    renameSync(temporary, path);
  }
  syncFolder(dirname(path));
}

/** Makes the new name itself survive a power cut (where the platform can sync a folder). */
function syncFolder(folder: string) {
  let fd: number | null = null;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; its file systems keep the rename without this.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Temporary files of earlier creations of `path` whose process has died (killed mid-way). */
function removeAbandoned(path: string) {
  const folder = dirname(path);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.(\\d+)\\.[0-9a-f]{8}\\.init(?:-wal|-shm|-journal)?$`);
  for (const name of readdirSync(folder)) {
    const match = pattern.exec(name);
    if (match && !processAlive(Number(match[1]))) rmSync(join(folder, name), { force: true });
  }
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alreadyThere(path: string): WorkspaceError {
  return new WorkspaceError(`${path} already exists; choose another file name or remove it first.`, 'exists', path);
}
