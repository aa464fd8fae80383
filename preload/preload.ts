// The preload: exposes `window.stepwise` with invoke and on, for the calls and events the API
// contract declares, and saveBundle, the shell's one call (shared/api/shell.ts), checked here too;
// nothing else. Bundled into dist/electron/preload.cjs (a sandboxed preload can require only `electron`).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, channelForEvent, channelForMethod, isEventName, isMethod, SAVE_BUNDLE_CHANNEL, SaveBundleInputSchema, type StepwiseBridge } from '../shared/api';
import { describeZodError } from '../shared/zod-error';

export const bridge: StepwiseBridge = {
  invoke(method, input) {
    if (!isMethod(method)) return Promise.resolve({ ok: false, error: { code: 'unknown-method', message: `There is no API call named "${String(method).slice(0, 100)}".` } });
    return ipcRenderer.invoke(channelForMethod(method), input);
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`There is no event named "${String(event).slice(0, 100)}".`);
    const channel = channelForEvent(event);
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
  saveBundle(input) {
    const parsed = SaveBundleInputSchema.safeParse(input);
    if (!parsed.success) return Promise.resolve({ ok: false, error: { code: 'invalid-input', message: describeZodError(parsed.error) } });
    return ipcRenderer.invoke(SAVE_BUNDLE_CHANNEL, parsed.data);
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
