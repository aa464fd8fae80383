// Opens a workspace file: checks that it is one and undamaged, then sets the pragmas, backs it up
// and migrates it.
// Every way a file can be wrong ends in a WorkspaceError that says which, never in a crash.
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { stepwiseCommand } from '../../shared/shell-quote';
import { WorkspaceError } from './errors';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations';
import { createPrivateFile } from './private-files';
import { DEFAULT_BUSY_TIMEOUT_MS, isLockedError, lockedError } from './write-transaction';

/** `PRAGMA application_id` of a Stepwise workspace: "STPW". */
export const APPLICATION_ID = 0x53545057;
const SQLITE_HEADER = 'SQLite format 3\u0000';

export interface OpenOptions {
  /** Create the file if it does not exist (workspace init). Default false. */
  create?: boolean;
  /** Only read: nothing is written to the file, which may sit in a folder this process cannot write to. */
  readonly?: boolean;
  /** Where to put the backup taken before a migration; default `<file>.v<old>-<time>.bak`. */
  backupPath?: (fromVersion: number) => string;
  /** Migrate only up to this version (tests of older schemas). */
  targetVersion?: number;
  /** How long a write waits for another program's write to finish; default 5 s. */
  busyTimeoutMs?: number;
}

export interface OpenedDatabase {
  db: Database.Database;
  /** Versions migrated on this open, and the backup taken first (if the file already had data). */
  migration: { from: number; to: number; backup: string | null };
}

export function openDatabase(path: string, options: OpenOptions = {}): OpenedDatabase {
  const create = options.create ?? false;
  const readonly = options.readonly ?? false;
  checkFile(path, create);
  // Private from its first byte (and so its -wal and -shm, which SQLite gives the same mode).
  if (create && !readonly && !existsSync(path)) createPrivateFile(path);
  const db = connect(path, readonly, create);
  try {
    // Settings of this connection only. Nothing that changes the file (WAL, the application id, a
    // migration) happens before the file is known to be a workspace, so another program's
    // database is refused exactly as it was found.
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    const from = checkIdentity(db, path, create);
    if (from > 0) checkPages(db, path);
    if (!readonly) configureWrites(db);
    const target = options.targetVersion ?? LATEST_VERSION;
    let backup: string | null = null;
    if (from < target) {
      if (readonly) {
        throw new WorkspaceError(`${path} was made by an older Stepwise and needs an upgrade; open it once with write access.`, 'readonly', path);
      }
      if (from > 0) {
        backup = (options.backupPath ?? defaultBackupPath(path))(from);
        createPrivateFile(backup); // VACUUM INTO fills an empty file, keeping its mode
        db.prepare('VACUUM INTO ?').run(backup);
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
      migrate(db, target);
    }
    return { db, migration: { from, to: schemaVersion(db), backup } };
  } catch (error) {
    db.close();
    throw translateOpenError(error, path);
  }
}

function defaultBackupPath(path: string) {
  return (from: number) => `${path}.v${from}-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
}

function connect(path: string, readonly: boolean, create: boolean): Database.Database {
  let db: Database.Database;
  try {
    if (readonly && writable(path)) {
      // A connection that refuses every write (query_only) rather than a read-only one: the last
      // connection to close removes the WAL's -wal and -shm files, which a read-only one leaves
      // behind, so a read leaves the folder as it found it.
      db = new Database(path, { fileMustExist: true });
      db.pragma('query_only = ON');
      return db;
    }
    db = new Database(path, { readonly, fileMustExist: !create });
  } catch (error) {
    throw translateOpenError(error, path);
  }
  if (!readonly) return db;
  try {
    db.pragma('schema_version'); // the first read, where SQLite needs the WAL's companion files
    return db;
  } catch (error) {
    db.close();
    if (!cannotCreateWalFiles(error)) throw translateOpenError(error, path);
    return readInMemory(path);
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A WAL database needs `-wal` and `-shm` files beside it, even to read; a read-only folder has none. */
function cannotCreateWalFiles(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_READONLY_DIRECTORY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY_CANTINIT';
}

/**
 * Reads a workspace in a folder this process cannot write to (a read-only share, a locked-down
 * folder) into memory. Safe only when there is no `-wal` file: then every committed write is in
 * the main file. The file is read once, and refused if it changed during the read.
 */
function readInMemory(path: string): Database.Database {
  const wal = `${path}-wal`;
  const pending = () =>
    new WorkspaceError(
      `Cannot read ${path}: its folder is read-only and ${wal} holds writes not yet in the file. Open it once from a program with write access to the folder.`,
      'unavailable',
      path,
    );
  if (existsSync(wal)) throw pending();
  let before, bytes, after;
  try {
    before = statSync(path);
    bytes = readFileSync(path);
    after = statSync(path);
  } catch (error) {
    throw new WorkspaceError(`Cannot read ${path}: ${(error as Error).message}.`, 'unavailable', path);
  }
  if (existsSync(wal)) throw pending();
  if (before.size !== after.size || before.mtimeMs !== after.mtimeMs) {
    throw new WorkspaceError(`${path} changed while it was being read; try again.`, 'unavailable', path);
  }
  // Bytes 18 and 19 of the header say "WAL"; the copy in memory has no log, so it is read as a
  // rollback-journal database. Only the copy is changed.
  bytes[18] = 1;
  bytes[19] = 1;
  return new Database(bytes, { readonly: true });
}

function configureWrites(db: Database.Database) {
  // WAL lets readers go on while a writer writes. FULL syncs the log on every commit, so a
  // committed write survives a crash of the process and of the machine.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
}

/** Returns the file's schema version after checking that it is a workspace this build can open. */
function checkIdentity(db: Database.Database, path: string, create: boolean): number {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = schemaVersion(db);
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
  if (applicationId !== APPLICATION_ID && (version !== 0 || tables > 0)) {
    throw new WorkspaceError(`${path} is an SQLite database but not a Stepwise workspace (it holds other tables).`, 'not-workspace', path);
  }
  if (version > LATEST_VERSION) {
    throw new WorkspaceError(
      `${path} has schema version ${version}, made by a newer Stepwise; this one knows up to version ${LATEST_VERSION}. Update Stepwise to open it.`,
      'too-new',
      path,
    );
  }
  // Only `workspace init` turns an empty database into a workspace; opening one never does.
  if (version === 0 && !create) {
    throw new WorkspaceError(
      `${path} is an SQLite database with no workspace in it (nothing was ever set up in it, or an older "workspace init" was interrupted). Remove it, or create a workspace with "stepwise workspace init <file>".`,
      'not-workspace',
      path,
    );
  }
  return version;
}

/** Damage anywhere in the file, found before anything is written over it. */
function checkPages(db: Database.Database, path: string) {
  let found: string[];
  try {
    found = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((row) => row.quick_check);
  } catch (error) {
    if (!((error as { code?: string }).code ?? '').startsWith('SQLITE_CORRUPT')) throw error;
    // A page too damaged to walk stops the check itself.
    found = [`a page it could not read (${(error as Error).message})`];
  }
  if (found.length === 1 && found[0] === 'ok') return;
  throw new WorkspaceError(
    `${path} is damaged: SQLite's check of its pages found ${found.length === 5 ? 'at least 5 problems' : `${found.length} problem(s)`}, the first: ${found[0]}. Nothing was written to it; restore it from a backup.`,
    'corrupt',
    path,
  );
}

function checkFile(path: string, create: boolean) {
  if (!existsSync(path)) {
    if (create) return;
    throw new WorkspaceError(`There is no workspace at ${path}. Create one with: ${stepwiseCommand(['workspace', 'init', path])}`, 'not-found', path);
  }
  const stat = statSync(path);
  if (!stat.isFile()) throw new WorkspaceError(`${path} is not a file, so it cannot be a workspace.`, 'not-workspace', path);
  if (stat.size === 0) {
    if (create) return;
    throw new WorkspaceError(`${path} is empty, so it is not a Stepwise workspace.`, 'not-workspace', path);
  }
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  let read: number;
  try {
    read = readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 16 || header.toString('latin1') !== SQLITE_HEADER) {
    throw new WorkspaceError(`${path} is not a Stepwise workspace: it is not an SQLite database file.`, 'not-sqlite', path);
  }
}

/** Turns SQLite's errors on open into WorkspaceErrors that say what is wrong with the file. */
export function translateOpenError(error: unknown, path: string): Error {
  if (error instanceof WorkspaceError) return error;
  const code = (error as { code?: string }).code ?? '';
  const detail = (error as Error).message;
  if (code === 'SQLITE_NOTADB') return new WorkspaceError(`${path} is not a Stepwise workspace: it is not an SQLite database file.`, 'not-sqlite', path);
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new WorkspaceError(`${path} is damaged (SQLite reports: ${detail}). Restore it from a backup; the file was left as it is.`, 'corrupt', path);
  }
  if (isLockedError(error)) return lockedError(path);
  if (code.startsWith('SQLITE_READONLY')) {
    return new WorkspaceError(`Cannot write to ${path}: the file or its folder is read-only (SQLite reports: ${detail}). Nothing was changed.`, 'unavailable', path);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_PERM')) {
    return new WorkspaceError(`Cannot open ${path}: ${detail}.`, 'unavailable', path);
  }
  return error instanceof Error ? error : new Error(String(error));
}
