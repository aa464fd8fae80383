// The engine as the app runs it: the open workspace, the API's handlers and dispatch, the event hub
// and a Python sandbox started the first time the editor asks for a check. Electron and browser
// mode both run this; only the transport differs.
import { basename } from 'node:path';
import type { AppInfo } from '../../shared/api';
import { appVersion } from '../app-version';
import { createDispatch, type Dispatch } from '../api/dispatch';
import { EventHub } from '../api/events';
import type { PythonChecker } from '../api/language-service';
import { createHandlers } from '../api/service';
import type { SettingsDeps } from '../api/settings-service';
import type { PythonSandbox } from '../sandbox';
import { startAppAutoRerun } from '../simulations/app-auto-rerun';
import type { Workspace } from '../store/workspace';

export interface EngineOptions {
  workspace: Workspace;
  mode: AppInfo['mode'];
  settings: SettingsDeps;
  /** Starts the Python sandbox; null: Python is not checked. */
  startSandbox: (() => Promise<PythonSandbox>) | null;
  log?: (message: string) => void;
}

export interface Engine {
  dispatch: Dispatch;
  hub: EventHub;
  workspace: Workspace;
  close(): Promise<void>;
}

export function startEngine(options: EngineOptions): Engine {
  const hub = new EventHub();
  let sandbox: Promise<PythonSandbox> | null = null;
  const python: PythonChecker | null = options.startSandbox
    ? async (code, mode) => {
        const start = options.startSandbox!;
        sandbox ??= start();
        return (await sandbox).check(code, mode);
      }
    : null;
  const info: AppInfo = { mode: options.mode, version: appVersion(), workspacePath: options.workspace.path, workspaceName: basename(options.workspace.path) };
  const handlers = createHandlers({ workspace: options.workspace, hub, info, settings: options.settings, python });
  // Re-runs a Procedure's simulations when its draft is saved, if the workspace's setting says so.
  const autoRerun = startAppAutoRerun({
    workspace: options.workspace,
    events: hub,
    secrets: options.settings.secrets,
    sandbox: options.startSandbox ? () => (sandbox ??= options.startSandbox!()) : null,
    ...(options.settings.modelClient ? { modelClient: options.settings.modelClient } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    dispatch: createDispatch(handlers, options.log ? { log: options.log } : {}),
    hub,
    workspace: options.workspace,
    async close() {
      await autoRerun.close();
      if (sandbox) await (await sandbox.catch(() => null))?.close();
      options.workspace.close();
    },
  };
}
