// The server's SQLite database holds transcripts and API key hashes. Stepwise creates it and its
// folder private, but never changes the mode of a folder or file an operator made: it says so at
// startup instead, with the command that fixes it.
import { dirname } from 'node:path';
import { shellQuote } from '../../shared/shell-quote';
import { readableByOthers } from '../store/private-files';

export interface ExposedPath {
  path: string;
  kind: 'folder' | 'file';
  readableBy: ('group' | 'others')[];
  message: string;
}

export function exposedDataPaths(database: string): ExposedPath[] {
  const found: ExposedPath[] = [];
  for (const [path, kind] of [[dirname(database), 'folder'], [database, 'file']] as const) {
    const readableBy = readableByOthers(path);
    if (readableBy.length === 0) continue;
    // SQLite gives the -wal and -shm it creates the database's mode, so the file is enough.
    const fix = `chmod ${kind === 'folder' ? '700' : '600'} ${shellQuote(path)}`;
    found.push({
      path,
      kind,
      readableBy,
      message: `The database ${kind} ${path} can be read by ${readableBy.join(' and ')} (it holds transcripts and API key hashes); run ${fix} to keep it private.`,
    });
  }
  return found;
}
