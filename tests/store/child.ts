// Real child processes for the concurrency and crash tests: the command line in another process,
// and another program holding the workspace's write lock.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cliAt = fileURLToPath(new URL('./fixtures/cli-at.ts', import.meta.url));
const lockHolder = fileURLToPath(new URL('./fixtures/lock-holder.mjs', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ChildOptions {
  /**
   * Runs the child with no capabilities (util-linux's setpriv), so that even root cannot write a
   * file or folder whose mode forbids it, while it still reads the repository wherever it is cloned.
   */
  dropPrivileges?: boolean;
}

/** Starts a TypeScript script in its own Node process (through tsx), from the repository's root. */
export function startScript(script: string, args: string[], options: ChildOptions = {}): ChildProcessByStdio<null, Readable, Readable> {
  const command = [process.execPath, '--import', 'tsx', script, ...args];
  const [file, ...rest] = options.dropPrivileges ? ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--', ...command] : command;
  return spawn(file!, rest, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function finished(child: ChildProcessByStdio<null, Readable, Readable>): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts `stepwise <args>` in a child process; the command itself starts at `at` (epoch ms). */
export function startCliAt(at: number, args: string[], options: ChildOptions = {}): ChildProcessByStdio<null, Readable, Readable> {
  return startScript(cliAt, [String(at), ...args], options);
}

export function runCliAt(at: number, args: string[], options: ChildOptions = {}): Promise<Finished> {
  return finished(startCliAt(at, args, options));
}

/** Resolves once `child` has printed `line`. */
export function waitForLine(child: ChildProcessByStdio<null, Readable, Readable>, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.split('\n').includes(line)) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', () => reject(new Error(`the child exited before printing "${line}"`)));
  });
}

/** Another program: takes the workspace's write lock, adds the team `team`, holds the lock for `holdMs`, then commits. */
export async function holdWriteLock(path: string, holdMs: number, team = 'Lock holder'): Promise<{ released: Promise<Finished> }> {
  const child = spawn(process.execPath, [lockHolder, path, String(holdMs), team], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const locked = waitForLine(child, 'locked');
  const released = finished(child);
  await locked;
  return { released };
}
