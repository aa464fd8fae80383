// What the Electron preload exposes to the renderer as `window.stepwise`: the engine's calls and
// events (the preload refuses any the contract does not declare) and the shell's few calls
// (shell.ts), and nothing else.
import type { ApiResult } from './result';
import type { SaveBundleInput, SaveBundleResult } from './shell';

export interface StepwiseBridge {
  invoke(method: string, input: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Electron only: the signed bundle, saved through the system's save dialog. */
  saveBundle?(input: SaveBundleInput): Promise<ApiResult<SaveBundleResult>>;
}

export const BRIDGE_GLOBAL = 'stepwise';
