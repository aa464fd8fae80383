// The two ways the renderer reaches the engine, for the API tests: browser mode (HTTP calls with the
// launch token, events over the WebSocket) and Electron (the IPC bridge with its sender check, events
// sent to the windows). Each test drives the real server or bridge; only the renderer is played here.
import WebSocket from 'ws';
import { channelForMethod } from '../../../shared/api';
import { startBrowserServer } from '../../../main/server/browser-server';
import { forwardEvents, registerIpc } from '../../../main/shell/ipc';
import type { TestEngine } from '../helpers';

export interface Answer {
  ok: boolean;
  value?: Record<string, unknown>;
  error?: { code: string; message: string };
}

export interface HttpTransport {
  /** Posts a call as the page does, with the launch token unless another `token` is given. */
  post(method: string, input: unknown, token?: string): Promise<Answer>;
  /** Every answer's body as it came, to look for what must never be in one. */
  bodies: string[];
  /** Opens the events WebSocket with the app's origin; resolves once it is open, with what it receives. */
  listen(): Promise<{ event: string; payload: Record<string, unknown> }[]>;
  /** Closes the WebSockets, then the server. */
  close(): Promise<void>;
}

/** Browser mode: the engine behind the real browser server on a free port. */
export async function overHttp(api: TestEngine): Promise<HttpTransport> {
  const server = await startBrowserServer({ dispatch: api.dispatch, hub: api.hub, staticRoot: api.home });
  const sockets: WebSocket[] = [];
  const bodies: string[] = [];
  return {
    bodies,
    async post(method, input, token = server.token) {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      const text = await response.text();
      bodies.push(text);
      return JSON.parse(text) as Answer;
    },
    async listen() {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`, { origin: server.origin });
      sockets.push(socket);
      const received: { event: string; payload: Record<string, unknown> }[] = [];
      socket.on('message', (data) => received.push(JSON.parse(String(data))));
      await new Promise((resolve) => socket.on('open', resolve));
      return received;
    },
    async close() {
      for (const socket of sockets) socket.close();
      await server.close();
    },
  };
}

/** The app's own frame, the only sender the IPC bridge answers. */
export const APP_FRAME = { senderFrame: { url: 'stepwise://app/index.html', parent: null } };
/** A frame of another origin (an embedded page, say), which the bridge must refuse. */
export const FOREIGN_FRAME = { senderFrame: { url: 'https://evil.example/', parent: null } };

/** Electron: the engine behind the real IPC bridge; `invoke` calls as the preload does, from the app frame unless told. */
export function overIpc(api: TestEngine): { invoke(method: string, input: unknown, event?: unknown): Promise<Answer> } {
  const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
  registerIpc({ handle: (channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) => handlers.set(channel, handler) } as never, api.dispatch);
  return { invoke: (method, input, event = APP_FRAME) => handlers.get(channelForMethod(method as never))!(event, input) as Promise<Answer> };
}

/** Electron: the engine's events as sent to one open window, as [channel, payload]; `stop` ends the forwarding. */
export function windowEvents(api: TestEngine): { sent: [string, Record<string, unknown>][]; stop: () => void } {
  const sent: [string, Record<string, unknown>][] = [];
  const stop = forwardEvents(api.hub, () => [{ send: (channel: string, payload: Record<string, unknown>) => sent.push([channel, payload]), isDestroyed: () => false }] as never);
  return { sent, stop };
}
