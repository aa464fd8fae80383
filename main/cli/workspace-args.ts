// Helpers the workspace commands share: opening the --workspace file and its secret store.
import { resolve } from 'node:path';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../secrets/encrypted-file-store';
import type { SecretStore } from '../secrets/secret-store';
import { translateOpenError } from '../store/database';
import { WorkspaceError } from '../store/errors';
import { Workspace } from '../store/workspace';
import { UsageError, type CliIo } from './io';

export function requireWorkspacePath(value: string | undefined, io: CliIo): string {
  if (!value) throw new UsageError('Say which workspace with --workspace <file>.');
  return resolve(io.cwd, value);
}

/**
 * Opens the workspace, runs `work`, and closes it whatever happens. A command that only reads
 * opens it `readonly`: it writes nothing, and works in a folder it cannot write to.
 */
export async function withWorkspace<T>(path: string, io: CliIo, work: (workspace: Workspace) => Promise<T> | T, options: { readonly?: boolean } = {}): Promise<T> {
  const workspace = openWorkspace(path, options.readonly ?? false);
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

function openWorkspace(path: string, readonly: boolean): Workspace {
  if (!readonly) return Workspace.open(path);
  try {
    return Workspace.open(path, { readonly: true });
  } catch (error) {
    // A file from an older Stepwise is upgraded (after a backup) even by a command that only reads.
    if (error instanceof WorkspaceError && error.code === 'readonly') return Workspace.open(path);
    throw error;
  }
}

/** The headless secret store of a workspace: an encrypted file beside it (see docs/bundles.md). */
export function secretStoreFor(workspacePath: string): SecretStore {
  return new EncryptedFileSecretStore(defaultSecretLocation(workspacePath));
}
