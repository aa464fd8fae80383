// The engine's implementation of the API contract: every call's handler, over one open workspace.
import type { AppInfo } from '../../shared/api';
import type { Workspace } from '../store/workspace';
import type { CodeSandbox } from '../sandbox/types';
import { connectorHandlers } from './connectors-service';
import type { Handlers } from './dispatch';
import type { EventHub } from './events';
import { languageHandlers, type PythonChecker } from './language-service';
import { previewHandlers, type PreviewRuntimeFactory } from './preview-service';
import { procedureHandlers } from './procedures-service';
import { settingsHandlers, type SettingsDeps } from './settings-service';
import { teamHandlers } from './teams-service';
import { bundleHandlers } from './bundles-service';
import { knowledgeHandlers } from './knowledge-service';
import { simulationHandlers, type RunningSuites } from './simulations-service';
import { authoringHandlers } from './authoring-service';

export interface ServiceDeps {
  workspace: Workspace;
  hub: EventHub;
  info: AppInfo;
  settings: SettingsDeps;
  /** The sandbox's Python check, or null when no sandbox runs (Python is then not checked, and a Procedure with Python is not published). */
  python: PythonChecker | null;
  /** Builds the chat preview's conversation runtime (the app's engine assembly). */
  previewRuntime: PreviewRuntimeFactory;
  /** The app's sandbox, for connectors' Python mock handlers; null when none runs. */
  sandbox?: CodeSandbox | null;
  /** The suites the app runs (cancelled when it closes), and the sandbox they share, started only if a run needs Python. */
  simulations: { suites: RunningSuites; sandbox: CodeSandbox };
}

export function createHandlers(deps: ServiceDeps): Handlers {
  return {
    'app.info': () => deps.info,
    ...procedureHandlers(deps.workspace, deps.hub, deps.python),
    ...languageHandlers(deps.workspace, deps.python),
    ...settingsHandlers(deps.workspace, deps.settings),
    ...teamHandlers(deps.workspace, deps.hub),
    ...knowledgeHandlers(deps.workspace),
    ...bundleHandlers({ workspace: deps.workspace, hub: deps.hub, secrets: deps.settings.secrets, python: deps.python }),
    ...connectorHandlers({ workspace: deps.workspace, secrets: deps.settings.secrets, sandbox: deps.sandbox ?? null }),
    ...previewHandlers({ workspace: deps.workspace, hub: deps.hub, secrets: deps.settings.secrets, runtime: deps.previewRuntime, ...(deps.settings.modelClient ? { modelClient: deps.settings.modelClient } : {}) }),
    ...simulationHandlers({ ...deps.simulations, workspace: deps.workspace, hub: deps.hub, secrets: deps.settings.secrets, ...(deps.settings.modelClient ? { modelClient: deps.settings.modelClient } : {}) }),
    ...authoringHandlers({ workspace: deps.workspace, hub: deps.hub, secrets: deps.settings.secrets, sandbox: deps.simulations.sandbox, ...(deps.settings.modelClient ? { modelClient: deps.settings.modelClient } : {}) }),
  };
}
