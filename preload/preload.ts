// The preload: exposes `window.stepwise` with two functions, invoke and on, for the calls and
// events the API contract declares, and nothing else. Bundled into dist/electron/preload.cjs
// (a sandboxed preload can require only `electron`).
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_GLOBAL, channelForEvent, channelForMethod, isEventName, isMethod, type StepwiseBridge } from '../shared/api';

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
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
