// Files and folders only their owner may read. A workspace and a server's database hold
// transcripts, key hashes and settings, so Stepwise creates them (and the folders it makes for
// them) private. SQLite gives a database's -wal, -shm and -journal files the mode of the database
// itself, so creating the database file 0600 before SQLite opens it makes them private too.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_FOLDER_MODE = 0o700;

/** Creates `path` empty with mode 0600; refuses (EEXIST) if something is already there. */
export function createPrivateFile(path: string): void {
  const fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  closeSync(fd);
  chmodSync(path, PRIVATE_FILE_MODE); // a umask only takes bits away; this is for clarity
}

/**
 * Makes `folder` (and its missing parents) with mode 0700. A folder that already exists is the
 * user's: it is left as it is (see `readableByOthers`, to warn about it instead).
 */
export function ensurePrivateFolder(folder: string): void {
  if (existsSync(folder)) return;
  mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
}

/**
 * Who other than the owner can read `path` ("group", "others"), from its mode; empty when no one
 * can, or on a platform without POSIX modes (Windows), or when the path does not exist.
 */
export function readableByOthers(path: string): ('group' | 'others')[] {
  if (process.platform === 'win32' || !existsSync(path)) return [];
  const mode = statSync(path).mode;
  return [...(mode & 0o040 ? (['group'] as const) : []), ...(mode & 0o004 ? (['others'] as const) : [])];
}
