// Prepared statements kept per connection. better-sqlite3 compiles a statement on every
// db.prepare(); on a server's hot paths (each turn reads and writes a dozen rows) that compiling
// was a tenth of a turn's CPU. A statement is reusable for run/get/all; its pluck mode is set on
// every use, so two callers of one SQL text cannot leave each other the wrong mode.
import type Database from 'better-sqlite3';

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The statement for `sql` on `db`, compiled once; `pluck` as given (default off). */
export function statement(db: Database.Database, sql: string, options: { pluck?: boolean } = {}): Database.Statement {
  let statements = cache.get(db);
  if (!statements) cache.set(db, (statements = new Map()));
  let prepared = statements.get(sql);
  if (!prepared) statements.set(sql, (prepared = db.prepare(sql)));
  // pluck() throws on a statement that returns no data (an INSERT without RETURNING).
  if (prepared.reader) prepared.pluck(options.pluck ?? false);
  return prepared;
}
