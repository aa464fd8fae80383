// The engine's implementation of the API contract: every call's handler, over one open workspace.
import type { AppInfo } from '../../shared/api';
import type { Workspace } from '../store/workspace';
import type { Handlers } from './dispatch';
import type { EventHub } from './events';
import { languageHandlers, type PythonChecker } from './language-service';
import { previewHandlers, type PreviewRuntimeFactory } from './preview-service';
import { procedureHandlers } from './procedures-service';
import { settingsHandlers, type SettingsDeps } from './settings-service';

export interface ServiceDeps {
  workspace: Workspace;
  hub: EventHub;
  info: AppInfo;
  settings: SettingsDeps;
  /** The sandbox's Python check, or null when no sandbox runs (Python is then not checked, and a Procedure with Python is not published). */
  python: PythonChecker | null;
  /** Builds the chat preview's conversation runtime (the app's engine assembly). */
  previewRuntime: PreviewRuntimeFactory;
}

export function createHandlers(deps: ServiceDeps): Handlers {
  return {
    'app.info': () => deps.info,
    ...procedureHandlers(deps.workspace, deps.hub, deps.python),
    ...languageHandlers(deps.workspace, deps.python),
    ...settingsHandlers(deps.workspace, deps.settings),
    ...previewHandlers({ workspace: deps.workspace, hub: deps.hub, secrets: deps.settings.secrets, runtime: deps.previewRuntime, ...(deps.settings.modelClient ? { modelClient: deps.settings.modelClient } : {}) }),
  };
}
