// Reading Procedure files from disk for the CLI. Files sit below the command line: what cannot be
// read is a ProcedureFileError, which the CLI reports as a usage error (exit 2).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, type ParseResult } from '../../shared/procedure';
import { normaliseTextFile } from '../../shared/text-file';

/** A file or folder named as Procedures that cannot be read as such: the caller named it wrongly. */
export class ProcedureFileError extends Error {}

export interface ProcedureFile {
  /** As given on the command line. */
  file: string;
  path: string;
  /** The file's text exactly as stored. */
  original: string;
  /** The text as parsed: no byte-order mark, LF line breaks (as knowledge articles are read). */
  text: string;
  parsed: ParseResult;
}

/**
 * Reads the Procedure files named on the command line. With `expandFolders`, a folder stands for the
 * `.md` files directly inside it (not its subfolders: a workspace folder keeps knowledge articles
 * there); without, naming a folder is a usage error that says so.
 */
export function readProcedureFiles(files: string[], cwd: string, options: { expandFolders?: boolean } = {}): ProcedureFile[] {
  return files.flatMap((file) => namedFiles(file, cwd, options.expandFolders ?? false)).map((file) => {
    const path = resolve(cwd, file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new ProcedureFileError(`Cannot read ${file}: ${reason(error)}.`);
    }
    let original: string;
    try {
      // Strict, so that bad bytes are not swapped for U+FFFD (which fmt would then write back), and
      // keeping a byte-order mark, so that `original` is the text exactly as stored.
      original = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new ProcedureFileError(`Cannot read ${file}: it is not UTF-8 text.`);
    }
    const text = normaliseTextFile(original);
    return { file, path, original, text, parsed: parse(text) };
  });
}

/** The file itself, or a folder's .md files (sorted) when folders are expanded. */
function namedFiles(file: string, cwd: string, expandFolders: boolean): string[] {
  const path = resolve(cwd, file);
  let folder: boolean;
  try {
    folder = statSync(path).isDirectory();
  } catch (error) {
    throw new ProcedureFileError(`Cannot read ${file}: ${reason(error)}.`);
  }
  if (!folder) return [file];
  if (!expandFolders) throw new ProcedureFileError(`${file} is a folder: name a Procedure file (.md) instead.`);
  let names: string[];
  try {
    names = readdirSync(path)
      .filter((name) => name.toLowerCase().endsWith('.md') && isFile(join(path, name)))
      .sort();
  } catch (error) {
    throw new ProcedureFileError(`Cannot read the folder ${file}: ${reason(error)}.`);
  }
  if (names.length === 0) throw new ProcedureFileError(`${file} is a folder with no Procedure files (.md) directly in it.`);
  return names.map((name) => join(file, name));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
