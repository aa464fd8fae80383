// The auto re-run as the app runs it: listens to the API's change events, takes the model settings
// the workspace holds (key from the app's secret store) when a suite starts, and shares the app's
// Python sandbox (main/assembly/lazy-sandbox.ts), started only if a run needs Python.
import { ModelClient, type ModelCaller } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { loadModelSettings } from '../model/workspace-settings';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { AutoRerun, type ChangeEvents } from './auto-rerun';

export interface AppAutoRerunOptions {
  workspace: Workspace;
  events: ChangeEvents;
  secrets: SecretStore;
  /** The app's sandbox, started on first use; the app closes it. */
  sandbox: CodeSandbox;
  modelClient?: (settings: ModelSettings) => ModelCaller;
  log?: (message: string) => void;
  debounceMs?: number;
}

export function startAppAutoRerun(options: AppAutoRerunOptions): { rerun: AutoRerun; close(): Promise<void> } {
  const rerun = new AutoRerun({
    services: { workspace: options.workspace, sandbox: options.sandbox, secrets: options.secrets },
    model: async () => (options.modelClient ?? ((settings: ModelSettings) => new ModelClient(settings)))(await loadModelSettings(options.workspace, options.secrets, {})),
    ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
    onReport: (procedure, report) => options.log?.(`simulations of "${procedure}" re-run after a save: ${report.passed} of ${report.total} passed`),
    onError: (procedure, error) => options.log?.(`simulations of "${procedure}" could not be re-run: ${error.message}`),
  });
  const detach = rerun.attach(options.events);
  return {
    rerun,
    async close() {
      detach();
      await rerun.close();
    },
  };
}
