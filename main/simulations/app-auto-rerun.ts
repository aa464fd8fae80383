// The auto re-run as the app runs it: listens to the API's change events, takes the model settings
// the workspace holds (key from the app's secret store) when a suite starts, and shares the app's
// Python sandbox, started only if a run needs Python.
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
  /** The app's sandbox, started on first use; null when the app runs without Python. */
  sandbox: (() => Promise<CodeSandbox>) | null;
  modelClient?: (settings: ModelSettings) => ModelCaller;
  log?: (message: string) => void;
  debounceMs?: number;
}

/** A CodeSandbox over the app's lazily started one; without one, Python fails with a clear message. */
function sharedSandbox(start: (() => Promise<CodeSandbox>) | null): CodeSandbox {
  const get = async () => {
    if (!start) throw new Error('Python is not available in this session, so simulations that need it cannot run.');
    return start();
  };
  return {
    check: async (code, mode) => (await get()).check(code, mode),
    evaluate: async (request) => (await get()).evaluate(request),
    tryIt: async (request) => (await get()).tryIt(request),
    // The app closes its own sandbox.
    close: async () => undefined,
  };
}

export function startAppAutoRerun(options: AppAutoRerunOptions): { rerun: AutoRerun; close(): Promise<void> } {
  const rerun = new AutoRerun({
    services: { workspace: options.workspace, sandbox: sharedSandbox(options.sandbox), secrets: options.secrets },
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
