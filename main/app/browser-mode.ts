// Browser mode: the engine over a workspace, served to a browser on 127.0.0.1 with a launch token.
import { defaultSecretLocation, EncryptedFileSecretStore } from '../secrets/encrypted-file-store';
import { createPythonSandbox } from '../sandbox';
import type { ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { startBrowserServer, type BrowserServer } from '../server/browser-server';
import { startEngine, type Engine } from './engine';
import { appPaths } from './home';
import { openAppWorkspace } from './open-workspace';

export interface BrowserModeOptions {
  home: string;
  staticRoot: string;
  workspace?: string;
  port?: number;
  token?: string;
  /** Whether the editor gets Python checks from a sandbox (started on first use). Default true. */
  python?: boolean;
  modelClient?: (settings: ModelSettings) => ModelCaller;
  log?: (message: string) => void;
}

export interface BrowserMode {
  server: BrowserServer;
  engine: Engine;
  /** True when this launch created the default workspace from the examples. */
  createdWorkspace: boolean;
  close(): Promise<void>;
}

export async function launchBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const paths = appPaths(options.home);
  const { workspace, created } = openAppWorkspace({ ...(options.workspace ? { workspace: options.workspace } : {}), defaultWorkspace: paths.defaultWorkspace });
  const secretLocation = defaultSecretLocation(workspace.path);
  const engine = startEngine({
    workspace,
    mode: 'browser',
    settings: {
      // The same store as the command line's, so `stepwise simulate` finds the key saved here.
      secrets: new EncryptedFileSecretStore(secretLocation),
      secretStoreLabel: `encrypted file ${secretLocation.file}`,
      ...(options.modelClient ? { modelClient: options.modelClient } : {}),
    },
    // One interpreter at rest; a second only while work waits, released when idle.
    startSandbox: options.python === false ? null : async () => createPythonSandbox({ poolSize: 2 }),
    ...(options.log ? { log: options.log } : {}),
  });
  let server: BrowserServer;
  try {
    server = await startBrowserServer({ dispatch: engine.dispatch, hub: engine.hub, staticRoot: options.staticRoot, ...(options.port !== undefined ? { port: options.port } : {}), ...(options.token ? { token: options.token } : {}) });
  } catch (error) {
    await engine.close();
    throw error;
  }
  return {
    server,
    engine,
    createdWorkspace: created,
    async close() {
      await server.close();
      await engine.close();
    },
  };
}
