// Group commit for a SQLite file in WAL mode. With synchronous=FULL every commit fsyncs the WAL
// before it returns, and better-sqlite3 runs that on the event loop: a production server's every
// conversation stalls for the disk once per commit. Instead activity commits at NORMAL (no fsync)
// and whoever must not answer before its commit is on disk awaits `durable()`: every commit made
// during one turn of the event loop waits for one fdatasync of the WAL, run at the loop's check
// phase (setImmediate), after that turn's I/O callbacks have committed. The loop blocks for one
// sync per turn of the loop rather than one per commit. (A sync in the thread pool was measured
// too: its completion waits for a busy loop to come round, and answers came later.) A commit is on
// disk when its `durable()` resolves, as with FULL; checkpoints sync as SQLite always does.
import { closeSync, fdatasyncSync, openSync } from 'node:fs';

/** Syncs an open file's data (fdatasync); tests replace it. */
export type FileSync = (fd: number) => void;

export class WalGroupSync {
  private pending: Promise<void> | null = null;
  /**
   * The WAL's descriptor, opened on first use and kept: SQLite deletes a WAL only when the last
   * connection to the database closes, and the server's connection is open while it syncs.
   */
  private fd: number | null = null;
  private readonly walFile: string;
  /** Syncs made so far (for tests). */
  syncs = 0;

  constructor(
    /** The database file; its WAL is `<file>-wal`. */
    databaseFile: string,
    private readonly sync: FileSync = fdatasyncSync,
  ) {
    this.walFile = `${databaseFile}-wal`;
  }

  /** Resolves once every commit made before this call is on disk (rejects if the sync fails). */
  durable(): Promise<void> {
    // A sync not begun yet covers every commit made before it begins.
    this.pending ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.pending = null;
        try {
          this.syncNow();
          resolve();
        } catch (error) {
          reject(error as Error);
        }
      }),
    );
    return this.pending;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private syncNow() {
    if (this.fd === null) {
      try {
        this.fd = openSync(this.walFile, 'r');
      } catch (error) {
        // No WAL yet: no commit in it to sync.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    this.syncs++;
    this.sync(this.fd);
  }
}
