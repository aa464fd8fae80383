// Helpers the workspace commands share: opening the --workspace file and its secret store.
import { resolve } from 'node:path';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../secrets/encrypted-file-store';
import type { SecretStore } from '../secrets/secret-store';
import { translateOpenError } from '../store/database';
import { Workspace } from '../store/workspace';
import { UsageError, type CliIo } from './io';

export function requireWorkspacePath(value: string | undefined, io: CliIo): string {
  if (!value) throw new UsageError('Say which workspace with --workspace <file>.');
  return resolve(io.cwd, value);
}

/** Opens the workspace, runs `work`, and closes it whatever happens. */
export async function withWorkspace<T>(path: string, io: CliIo, work: (workspace: Workspace) => Promise<T> | T): Promise<T> {
  const workspace = Workspace.open(path);
  if (workspace.migration.backup) io.err(`Upgraded ${path} from schema version ${workspace.migration.from} to ${workspace.migration.to}; the old file is backed up at ${workspace.migration.backup}.`);
  try {
    return await work(workspace);
  } catch (error) {
    // Damage that shows only when a page is read is still reported as damage to the file.
    throw translateOpenError(error, path);
  } finally {
    workspace.close();
  }
}

/** The headless secret store of a workspace: an encrypted file beside it (see docs/bundles.md). */
export function secretStoreFor(workspacePath: string): SecretStore {
  return new EncryptedFileSecretStore(defaultSecretLocation(workspacePath));
}
