// The app's files are served from stepwise://app/ (not file://), through the same path check as
// browser mode, with the app's CSP on every response.
import { readFile } from 'node:fs/promises';
import type { Protocol } from 'electron';
import { contentSecurityPolicy } from '../server/csp';
import { resolveStaticFile } from '../server/static-files';

export const APP_SCHEME = 'stepwise';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Must run before the app is ready: a standard, secure scheme (workers and fetch need it). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'app';
  } catch {
    return false;
  }
}

/** Answers one request for an app file: 404 for anything outside `root` or not ours. */
export async function serveAppFile(root: string, url: string): Promise<Response> {
  const headers = { 'content-security-policy': contentSecurityPolicy(), 'x-content-type-options': 'nosniff' };
  if (!isAppUrl(url)) return new Response('Not found', { status: 404, headers });
  const file = resolveStaticFile(root, new URL(url).pathname);
  if (!file) return new Response('Not found', { status: 404, headers });
  return new Response(new Uint8Array(await readFile(file.path)), { status: 200, headers: { ...headers, 'content-type': file.type } });
}

export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppFile(root, request.url));
}
