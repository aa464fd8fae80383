// The preamble every workspace command shares, in one place: the --workspace path, the workspace
// opened (read-only for commands that only read) and closed whatever happens, its secret store, the
// model it is set up for (asked for only by commands that need one), and a Python sandbox started
// on first use and closed when the command ends.
import { lazyPythonSandbox, type LazySandbox } from '../assembly/lazy-sandbox';
import type { ModelClient } from '../model/client';
import type { ModelSettings } from '../model/settings';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import type { CliIo } from './io';
import { requireModel } from './model-args';
import { requireWorkspacePath, secretStoreFor, withWorkspace } from './workspace-args';

export interface CliSession {
  workspace: Workspace;
  /** The workspace file, absolute. */
  path: string;
  secrets: SecretStore;
  /** The workspace's model, or a usage error saying how to set one up. */
  model(): Promise<{ settings: ModelSettings; client: ModelClient }>;
  /** Started only if something needs Python; closed when the command ends. */
  sandbox: LazySandbox;
}

export interface SessionOptions {
  /** The command only reads: the workspace opens read-only. */
  readonly?: boolean;
  /** Interpreters in the sandbox, if it starts (default 1). */
  poolSize?: number;
}

/** Runs a command's work over the --workspace file (`workspaceArg`, relative to the working directory). */
export function withSession<T>(workspaceArg: string | undefined, io: CliIo, work: (session: CliSession) => Promise<T> | T, options: SessionOptions = {}): Promise<T> {
  const path = requireWorkspacePath(workspaceArg, io);
  const secrets = secretStoreFor(path);
  return withWorkspace(
    path,
    io,
    async (workspace) => {
      const sandbox = lazyPythonSandbox(options.poolSize);
      try {
        return await work({ workspace, path, secrets, sandbox, model: () => requireModel(workspace, secrets, io) });
      } finally {
        await sandbox.close();
      }
    },
    options.readonly ? { readonly: true } : {},
  );
}
