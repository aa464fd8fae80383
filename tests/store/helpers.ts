import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary folder per test, removed afterwards. */
export function useTempDir(): () => string {
  let dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    dirs = [];
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-store-'));
    dirs.push(dir);
    return dir;
  };
}

export const procedureText = (name: string, body = '## Start\nSay hello. @end', extra = '') =>
  `---\nname: ${name}\ntrigger: The customer says hello.\n${extra}---\n\n${body}\n`;

/** The error `work` throws, to look at more than its message; a test fails when it throws none. */
export function catchError(work: () => unknown): Error {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
