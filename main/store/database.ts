// Opens a workspace file: checks that it is one, sets the pragmas, backs it up and migrates it.
// Every way a file can be wrong ends in a WorkspaceError that says which, never in a crash.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { WorkspaceError } from './errors';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations';

/** `PRAGMA application_id` of a Stepwise workspace: "STPW". */
export const APPLICATION_ID = 0x53545057;
const SQLITE_HEADER = 'SQLite format 3\u0000';

export interface OpenOptions {
  /** Create the file if it does not exist (workspace init). Default false. */
  create?: boolean;
  readonly?: boolean;
  /** Where to put the backup taken before a migration; default `<file>.v<old>-<time>.bak`. */
  backupPath?: (fromVersion: number) => string;
  /** Migrate only up to this version (tests of older schemas). */
  targetVersion?: number;
}

export interface OpenedDatabase {
  db: Database.Database;
  /** Versions migrated on this open, and the backup taken first (if the file already had data). */
  migration: { from: number; to: number; backup: string | null };
}

export function openDatabase(path: string, options: OpenOptions = {}): OpenedDatabase {
  checkFile(path, options.create ?? false);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create });
  } catch (error) {
    throw translateOpenError(error, path);
  }
  try {
    configure(db, options.readonly ?? false);
    const from = checkIdentity(db, path);
    const target = options.targetVersion ?? LATEST_VERSION;
    let backup: string | null = null;
    if (from < target) {
      if (options.readonly) {
        throw new WorkspaceError(`${path} was made by an older Stepwise and needs an upgrade; open it once with write access.`, 'readonly', path);
      }
      if (from > 0) {
        backup = (options.backupPath ?? defaultBackupPath(path))(from);
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

function configure(db: Database.Database, readonly: boolean) {
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!readonly) {
    // WAL lets readers go on while a writer writes. FULL syncs the log on every commit, so a
    // committed write survives a crash of the process and of the machine.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
}

/** Returns the file's schema version after checking that it is a workspace this build can open. */
function checkIdentity(db: Database.Database, path: string): number {
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
  return version;
}

function checkFile(path: string, create: boolean) {
  if (!existsSync(path)) {
    if (create) return;
    throw new WorkspaceError(`There is no workspace at ${path}. Create one with "stepwise workspace init ${path}".`, 'not-found', path);
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
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new WorkspaceError(`${path} is locked by another program; close it there and try again.`, 'unavailable', path);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_PERM')) {
    return new WorkspaceError(`Cannot open ${path}: ${detail}.`, 'unavailable', path);
  }
  return error instanceof Error ? error : new Error(String(error));
}
