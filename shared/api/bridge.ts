// What the Electron preload exposes to the renderer as `window.stepwise`: two functions and nothing
// else. The preload refuses any method or event the contract does not declare.
export interface StepwiseBridge {
  invoke(method: string, input: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

export const BRIDGE_GLOBAL = 'stepwise';
