// Browser mode: the app served on 127.0.0.1, the API over HTTP (POST /api/call/<method>) and events
// over a WebSocket (/api/events). Every API request must carry the per-launch token, come to our own
// host name (against DNS rebinding) and, when a browser says where it comes from, from our own origin.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiResult } from '../../shared/api';
import type { Dispatch } from '../api/dispatch';
import type { EventHub } from '../api/events';
import { contentSecurityPolicy } from './csp';
import { openStaticFile, resolveStaticFile } from './static-files';
import { newLaunchToken, tokenMatches } from './token';

export interface BrowserServerOptions {
  dispatch: Dispatch;
  hub: EventHub;
  /** The built renderer (dist/renderer). */
  staticRoot: string;
  port?: number;
  /** Fixed token (tests); by default a new random one per launch. */
  token?: string;
}

export interface BrowserServer {
  /** The origin, e.g. http://127.0.0.1:5173 */
  origin: string;
  port: number;
  token: string;
  /** The URL that opens the app, token included. */
  url: string;
  close(): Promise<void>;
}

// Said the same under `npm start` and `npm run serve` (and any other launcher): both print the URL.
export const UNAUTHORIZED_MESSAGE = 'Missing or wrong launch token: open the URL, token included, that Stepwise printed when it started.';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const CALL_PREFIX = '/api/call/';

export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? newLaunchToken();
  let port = 0;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const headers = () => ({
    'content-security-policy': contentSecurityPolicy({ connect: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] }),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
  });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, failure('internal', `The server failed: ${(error as Error).message}`));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (!hosts().has(req.headers.host ?? '')) return sendText(res, 403, 'This server only answers requests addressed to 127.0.0.1 or localhost.');
    const url = requestUrl(req, port);
    if (!url) return sendJson(res, 400, failure('invalid-input', 'The request\'s path is not a valid URL path.'));
    if (url.pathname.startsWith('/api/')) {
      const origin = req.headers.origin;
      if (origin !== undefined && !origins().has(origin)) return sendJson(res, 403, failure('unauthorized', 'Requests from other sites are refused.'));
      if (!tokenMatches(token, bearer(req))) return sendJson(res, 401, failure('unauthorized', UNAUTHORIZED_MESSAGE));
      if (!url.pathname.startsWith(CALL_PREFIX) || req.method !== 'POST') return sendJson(res, 404, failure('unknown-method', `No API route ${req.method} ${url.pathname}.`));
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return sendJson(res, 415, failure('invalid-input', 'API calls are JSON.'));
      const body = await readBody(req);
      if (body === null) return sendJson(res, 413, failure('invalid-input', 'The request is too large.'));
      let input: unknown;
      try {
        input = body.length === 0 ? {} : JSON.parse(body);
      } catch {
        return sendJson(res, 400, failure('invalid-input', 'The request body is not JSON.'));
      }
      const method = decodePathPart(url.pathname.slice(CALL_PREFIX.length));
      if (method === null) return sendJson(res, 400, failure('invalid-input', `The method name in the path, "${url.pathname.slice(CALL_PREFIX.length)}", is not valid percent-encoded UTF-8.`));
      return sendJson(res, 200, await options.dispatch(method, input));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Only GET here.');
    const file = resolveStaticFile(options.staticRoot, url.pathname);
    if (!file) return sendText(res, 404, 'Not found.');
    res.writeHead(200, {
      ...headers(),
      'content-type': file.type,
      'content-length': String(file.size),
      'cache-control': url.pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') return res.end();
    openStaticFile(file).pipe(res);
  }

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req, port);
    const allowed =
      url !== null &&
      url.pathname === '/api/events' && hosts().has(req.headers.host ?? '') && origins().has(req.headers.origin ?? '') && tokenMatches(token, url.searchParams.get('token'));
    if (!allowed) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const stop = options.hub.subscribe((event, payload) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
      });
      ws.on('close', stop);
      ws.on('error', stop);
      ws.on('message', () => ws.close(1008, 'This socket only sends events.'));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    token,
    url: `${origin}/#token=${token}`,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The request's URL, or null when its target cannot be read as one (a client's mistake, not ours). */
function requestUrl(req: IncomingMessage, port: number): URL | null {
  try {
    return new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  } catch {
    return null;
  }
}

/** A percent-decoded path part, or null when its encoding is broken (`%E0%A4%A`). */
function decodePathPart(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function bearer(req: IncomingMessage): string | null {
  const value = req.headers.authorization;
  return value?.startsWith('Bearer ') ? value.slice('Bearer '.length) : null;
}

function failure(code: Extract<ApiResult<never>, { ok: false }>['error']['code'], message: string): ApiResult<never> {
  return { ok: false, error: { code, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
