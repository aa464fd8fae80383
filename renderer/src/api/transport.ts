// Picks the transport: Electron's preload bridge when it is there, else browser mode over HTTP
// with the launch token (read once from the URL, then kept for this tab only).
import { BRIDGE_GLOBAL, createApiClient, type ApiClient, type ApiTransport, type StepwiseBridge } from '../../../shared/api';
import { createHttpTransport } from './http-transport';

const TOKEN_KEY = 'stepwise.token';

export class MissingTokenError extends Error {}

/** Reads `token=…` from the URL's fragment, keeps it in sessionStorage and removes it from the address bar. */
export function takeLaunchToken(location: Location = window.location, storage: Storage = window.sessionStorage): string | null {
  const hash = location.hash.replace(/^#/, '');
  const query = hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : hash;
  const token = new URLSearchParams(query).get('token');
  if (token) {
    storage.setItem(TOKEN_KEY, token);
    const route = hash.includes('?') ? hash.slice(0, hash.indexOf('?')) : '';
    history.replaceState(null, '', `${location.pathname}#${route.startsWith('/') ? route : '/'}`);
    return token;
  }
  return storage.getItem(TOKEN_KEY);
}

export function connectApi(): ApiClient {
  const bridge = (window as unknown as Record<string, StepwiseBridge | undefined>)[BRIDGE_GLOBAL];
  let transport: ApiTransport;
  if (bridge) {
    transport = { invoke: (method, input) => bridge.invoke(method, input), subscribe: (event, listener) => bridge.on(event, listener) };
  } else {
    const token = takeLaunchToken();
    if (!token) throw new MissingTokenError('This page needs the launch token: open the full URL that `npm run serve` printed.');
    transport = createHttpTransport(token);
  }
  return createApiClient(transport);
}
