// An engine over a fresh example workspace, in a temporary folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ModelCaller } from '../../main/model/client';
import type { ModelSettings } from '../../main/model/settings';
import { startEngine, type Engine } from '../../main/app/engine';
import { appPaths } from '../../main/app/home';
import { createExampleWorkspace } from '../../main/app/open-workspace';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { ModelSettingsFile } from '../../main/settings/model-settings-file';
import { useTempDir } from '../store/helpers';

export interface TestEngine extends Engine {
  home: string;
  call(method: string, input?: unknown): Promise<unknown>;
  settingsFileText(): string;
}

export function useEngine(): (options?: { modelClient?: (settings: ModelSettings) => ModelCaller }) => TestEngine {
  const tempDir = useTempDir();
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });
  return (options = {}) => {
    const home = tempDir();
    const paths = appPaths(home);
    const workspace = createExampleWorkspace(join(home, 'shop.stepwise'));
    const engine = startEngine({
      workspace,
      mode: 'browser',
      settings: { file: new ModelSettingsFile(paths.settings), secrets: new EncryptedFileSecretStore(paths.secrets), secretStoreLabel: 'test file', ...options },
      startSandbox: null,
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
      settingsFileText: () => readFileSync(paths.settings, 'utf8'),
    };
  };
}
