// Errors the workspace store raises. Each one names the problem and, where there is one, the fix.

export type WorkspaceErrorCode =
  | 'not-found' // no file at that path
  | 'exists' // a file is already there (workspace init)
  | 'not-sqlite' // the file is not an SQLite database at all
  | 'not-workspace' // an SQLite database, but not a Stepwise workspace
  | 'corrupt' // an SQLite database that SQLite itself reports as damaged
  | 'too-new' // made by a newer Stepwise with a schema this one does not know
  | 'readonly' // needs a migration but was opened read-only
  | 'locked' // another program held the write lock for longer than the busy timeout
  | 'unavailable'; // unreadable

/** A workspace file cannot be opened or used as it is. */
export class WorkspaceError extends Error {
  constructor(
    message: string,
    readonly code: WorkspaceErrorCode,
    readonly path: string,
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export type StoreErrorCode = 'not-found' | 'conflict' | 'invalid' | 'in-use' | 'unchanged' | 'unavailable'; // unavailable: the database server cannot be reached or refused us

/** An operation on the workspace's contents was refused; nothing was changed. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: StoreErrorCode,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
