// Group commit for a SQLite file in WAL mode, off the event loop. better-sqlite3 is synchronous, so
// synchronous=FULL makes every commit's fsync stall the whole process (a production server's every
// conversation) for the disk's latency. Instead the activity is committed at NORMAL (no fsync), and
// whoever must not answer before its commit is on disk awaits `durable()`: one fdatasync of the WAL
// file in libuv's thread pool covers every commit made before it began, so the commits of
// concurrent turns share one. A commit is on disk when its `durable()` resolves, as with FULL;
// checkpoints sync as SQLite always does (NORMAL syncs the WAL before a checkpoint, the file after).
import { open, type FileHandle } from 'node:fs/promises';

export type FileSync = (file: string) => Promise<void>;

/**
 * fdatasync of `file`, through a descriptor opened on first use and kept: one hop to the thread
 * pool per sync instead of three (open, sync, close), which matters when the event loop is busy.
 * Keeping it is sound because SQLite deletes a WAL only when the last connection to the database
 * closes, and the server's connection is open for as long as it syncs. A WAL that is not there
 * yet holds no commit to sync.
 */
export function keptFileSync(): FileSync & { close(): Promise<void> } {
  let handle: FileHandle | null = null;
  const sync = async (file: string) => {
    if (!handle) {
      try {
        handle = await open(file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    await handle.datasync();
  };
  return Object.assign(sync, {
    async close() {
      await handle?.close();
      handle = null;
    },
  });
}

/** fdatasync of `file` (opened and closed each time); a WAL file that is not there holds no commit to sync. */
export const syncFile: FileSync = async (file) => {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
};

export class WalGroupSync {
  /** The sync running now: it may have begun before a caller's commit, so it cannot cover it. */
  private running: Promise<void> | null = null;
  /** The next sync, which every caller arriving meanwhile joins. */
  private queued: Promise<void> | null = null;
  /** Syncs begun so far (for tests and the bench). */
  syncs = 0;

  constructor(
    /** The database file; its WAL is `<file>-wal`. */
    databaseFile: string,
    private readonly sync: FileSync = syncFile,
  ) {
    this.walFile = `${databaseFile}-wal`;
  }

  private readonly walFile: string;

  /** Resolves once every commit made before this call is on disk (rejects if the sync fails). */
  durable(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.begin();
    const queued = this.running.then(
      () => this.begin(),
      () => this.begin(),
    );
    this.queued = queued;
    return queued;
  }

  private begin(): Promise<void> {
    this.queued = null;
    this.syncs++;
    const running = this.sync(this.walFile).finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }
}
