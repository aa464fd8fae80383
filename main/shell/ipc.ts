// The Electron bridge of the API: one ipcMain.handle per call of the contract, each checking that
// the sender is a frame of the app before dispatching (the dispatcher validates input and output).
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { channelForEvent, channelForMethod, METHODS, type ApiResult } from '../../shared/api';
import type { Dispatch } from '../api/dispatch';
import type { EventHub } from '../api/events';
import { isAppUrl } from './app-protocol';

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

const refused: ApiResult<never> = { ok: false, error: { code: 'unauthorized', message: 'Only the app\'s own window may call the engine.' } };

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, dispatch: Dispatch, trusted: (event: IpcMainInvokeEvent) => boolean = isTrustedSender): void {
  for (const method of METHODS) {
    ipcMain.handle(channelForMethod(method), (event, input: unknown) => (trusted(event) ? dispatch(method, input) : refused));
  }
}

/** Sends the engine's events to the app's windows. */
export function forwardEvents(hub: EventHub, windows: () => Pick<WebContents, 'send' | 'isDestroyed'>[]): () => void {
  return hub.subscribe((event, payload) => {
    for (const contents of windows()) if (!contents.isDestroyed()) contents.send(channelForEvent(event), payload);
  });
}
