// The engine as the app runs it: the open workspace, the API's handlers and dispatch, the event hub
// and one Python sandbox, started the first time something needs it (the editor's check, a
// re-run simulation, a preview conversation). Electron and browser mode both run this; only the
// transport differs.
import { basename } from 'node:path';
import type { AppInfo } from '../../shared/api';
import { appVersion } from '../app-version';
import { createDispatch, type Dispatch } from '../api/dispatch';
import { EventHub } from '../api/events';
import type { PythonChecker } from '../api/language-service';
import { createHandlers } from '../api/service';
import { RunningSuites } from '../api/simulations-service';
import type { SettingsDeps } from '../api/settings-service';
import { createEngine, type AssembledEngine, type CreateEngineOptions } from '../assembly/engine';
import { LazySandbox } from '../assembly/lazy-sandbox';
import { createPreviewEngine } from '../assembly/preview-engine';
import type { PythonSandbox } from '../sandbox';
import { startAppAutoRerun } from '../simulations/app-auto-rerun';
import type { Workspace } from '../store/workspace';

export interface AppEngineOptions {
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
  /** A conversation runtime over this workspace, sharing the app's sandbox (the preview's). */
  conversations(options: Omit<CreateEngineOptions, 'workspace' | 'sandbox'>): AssembledEngine;
  close(): Promise<void>;
}

export function startEngine(options: AppEngineOptions): Engine {
  const hub = new EventHub();
  const sandbox = new LazySandbox(options.startSandbox, 'Python is not available in this session, so nothing that needs it can run.');
  const python: PythonChecker | null = sandbox.available ? (code, mode) => sandbox.check(code, mode) : null;
  const info: AppInfo = { mode: options.mode, version: appVersion(), workspacePath: options.workspace.path, workspaceName: basename(options.workspace.path) };
  const suites = new RunningSuites();
  const handlers = createHandlers({
    workspace: options.workspace,
    hub,
    info,
    settings: options.settings,
    python,
    sandbox: sandbox.available ? sandbox.shared() : null,
    // The chat preview runs the one engine assembly, sharing the app's sandbox.
    previewRuntime: ({ subject, model, connectors }) => createPreviewEngine({ workspace: options.workspace, subject, model, connectors, sandbox: sandbox.shared() }),
    simulations: { suites, sandbox: sandbox.shared() },
  });
  // Re-runs a Procedure's simulations when its draft is saved, if the workspace's setting says so.
  const autoRerun = startAppAutoRerun({
    workspace: options.workspace,
    events: hub,
    secrets: options.settings.secrets,
    sandbox: sandbox.shared(),
    ...(options.settings.modelClient ? { modelClient: options.settings.modelClient } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    dispatch: createDispatch(handlers, options.log ? { log: options.log } : {}),
    hub,
    workspace: options.workspace,
    conversations: (engine) => createEngine({ ...engine, workspace: options.workspace, sandbox: sandbox.shared() }),
    async close() {
      // The app's suites stop (what finished is kept) before the workspace closes under them.
      await suites.close();
      await autoRerun.close();
      await sandbox.close();
      options.workspace.close();
    },
  };
}
