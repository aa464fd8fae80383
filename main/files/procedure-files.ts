// Reading Procedure files from disk for the CLI.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, type ParseResult } from '../../shared/procedure';
import { UsageError } from '../cli/io';

export interface ProcedureFile {
  /** As given on the command line. */
  file: string;
  path: string;
  text: string;
  parsed: ParseResult;
}

export function readProcedureFiles(files: string[], cwd: string): ProcedureFile[] {
  return files.map((file) => {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`Cannot read ${file}: ${reason}.`);
    }
    return { file, path, text, parsed: parse(text) };
  });
}
