// An engine over a fresh example workspace, in a temporary folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ModelCaller } from '../../main/model/client';
import type { ModelSettings } from '../../main/model/settings';
import { startEngine, type Engine } from '../../main/app/engine';
import { createExampleWorkspace } from '../../main/app/open-workspace';
import { createPythonSandbox } from '../../main/sandbox';
import { defaultSecretLocation, EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { useTempDir } from '../store/helpers';

export interface TestEngine extends Engine {
  home: string;
  call(method: string, input?: unknown): Promise<unknown>;
  /** The workspace file and its WAL, as text, to look for what must not be there. */
  workspaceBytes(): string;
  secretsFile: string;
}

export interface TestEngineOptions {
  modelClient?: (settings: ModelSettings) => ModelCaller;
  /** Run a real Python sandbox (started on first use), as the app does: publishing a Procedure with Python needs it. */
  python?: boolean;
}

export function useEngine(): (options?: TestEngineOptions) => TestEngine {
  const tempDir = useTempDir();
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });
  return ({ python = false, ...options } = {}) => {
    const home = tempDir();
    const workspace = createExampleWorkspace(join(home, 'shop.stepwise'));
    const secrets = defaultSecretLocation(workspace.path, {});
    const engine = startEngine({
      workspace,
      mode: 'browser',
      settings: { secrets: new EncryptedFileSecretStore(secrets), secretStoreLabel: 'test file', ...options },
      startSandbox: python ? async () => createPythonSandbox({ poolSize: 1 }) : null,
      log: () => {},
    });
    engines.push(engine);
    return {
      ...engine,
      home,
      async call(method, input = {}) {
        const result = await engine.dispatch(method, input);
        if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
        return result.value;
      },
      workspaceBytes: () => [workspace.path, `${workspace.path}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join(''),
      secretsFile: secrets.file,
    };
  };
}
