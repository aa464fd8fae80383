// Files only their owner may read: written atomically with mode 0600.
import { randomBytes } from 'node:crypto';
import { chmodSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { shellCommand } from '../../shared/shell-quote';
import { SecretStoreError } from './secret-store';

export function writePrivateFile(path: string, content: string | Buffer): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, content, { flag: 'wx', mode: 0o600 });
    chmodSync(temporary, 0o600); // the umask may have taken bits away, never added: this is for clarity
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Refuses a key file that other users could read; the fix it prints pastes as one command whatever the path holds. */
export function assertPrivate(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SecretStoreError(`The key file ${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')}); run ${shellCommand(['chmod', '600', path])} and try again.`);
  }
}
