// Browser mode's server: the launch token, the host and origin checks, the static path check and
// events over the WebSocket.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createDispatch, type Handlers } from '../../main/api/dispatch';
import { EventHub } from '../../main/api/events';
import { startBrowserServer, type BrowserServer } from '../../main/server/browser-server';
import { resolveStaticFile } from '../../main/server/static-files';

const root = mkdtempSync(join(tmpdir(), 'stepwise-static-'));
mkdirSync(join(root, 'site', 'assets'), { recursive: true });
writeFileSync(join(root, 'site', 'index.html'), '<!doctype html><title>app</title>');
writeFileSync(join(root, 'site', 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'do not serve');
symlinkSync(join(root, 'secret.txt'), join(root, 'site', 'leak.txt'));
const site = join(root, 'site');

let server: BrowserServer | null = null;
const hub = new EventHub();
afterEach(async () => {
  await server?.close();
  server = null;
});

async function start() {
  const handlers = { 'app.info': () => ({ mode: 'browser', version: '0.0.0', workspacePath: '/w', workspaceName: 'w' }) } as unknown as Handlers;
  server = await startBrowserServer({ dispatch: createDispatch(handlers), hub, staticRoot: site });
  return server;
}

function raw(s: BrowserServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const call = (s: BrowserServer, headers: Record<string, string>) =>
  raw(s, '/api/call/app.info', { method: 'POST', headers: { host: `127.0.0.1:${s.port}`, 'content-type': 'application/json', ...headers }, body: '{}' });

describe('static files', () => {
  it('serves files inside the root only', () => {
    expect(resolveStaticFile(site, '/')?.path).toBe(join(site, 'index.html'));
    expect(resolveStaticFile(site, '/assets/app.js')?.type).toContain('javascript');
    expect(resolveStaticFile(site, '/../secret.txt')).toBeNull();
    expect(resolveStaticFile(site, '/%2e%2e/secret.txt')).toBeNull();
    expect(resolveStaticFile(site, '/assets/..%2f..%2fsecret.txt')).toBeNull();
    expect(resolveStaticFile(site, '/leak.txt')).toBeNull();
    expect(resolveStaticFile(site, '/..\\secret.txt')).toBeNull();
    expect(resolveStaticFile(site, '/%E0%A4%A')).toBeNull();
    expect(resolveStaticFile(site, '/assets')).toBeNull();
  });
});

describe('browser-mode server', () => {
  it('prints a URL on 127.0.0.1 that carries the token in the fragment', async () => {
    const s = await start();
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/#token=${s.token}`);
    expect(s.token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers calls that carry the token, and only those', async () => {
    const s = await start();
    expect(JSON.parse((await call(s, { authorization: `Bearer ${s.token}` })).body)).toMatchObject({ ok: true, value: { mode: 'browser' } });
    const missing = await call(s, {});
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    // Names no one launcher: `npm start` serves the same API as `npm run serve`.
    const message = (JSON.parse(missing.body) as { error: { message: string } }).error.message;
    expect(message).toBe('Missing or wrong launch token: open the URL, token included, that Stepwise printed when it started.');
    expect(message).not.toMatch(/npm/);
    expect((await call(s, { authorization: `Bearer ${s.token.slice(0, -1)}x` })).status).toBe(401);
  });

  it('refuses other sites, other host names (DNS rebinding) and non-JSON posts', async () => {
    const s = await start();
    const auth = { authorization: `Bearer ${s.token}` };
    expect((await call(s, { ...auth, origin: 'http://evil.example' })).status).toBe(403);
    expect((await call(s, { ...auth, origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await call(s, { ...auth, origin: `http://127.0.0.1:${s.port}` })).status).toBe(200);
    expect((await call(s, { ...auth, host: `evil.example:${s.port}` })).status).toBe(403);
    expect((await raw(s, '/', { headers: { host: 'evil.example' } })).status).toBe(403);
    expect((await call(s, { ...auth, 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('answers 400 with a clear JSON error, not 500, for a method name or path that cannot be decoded', async () => {
    const s = await start();
    const post = (path: string) =>
      raw(s, path, { method: 'POST', headers: { host: `127.0.0.1:${s.port}`, 'content-type': 'application/json', authorization: `Bearer ${s.token}` }, body: '{}' });
    for (const path of ['/api/call/%E0%A4%A', '/api/call/app.info%', '/api/call/%FF', '/api/call/app%2']) {
      const answer = await post(path);
      expect(answer.status, path).toBe(400);
      expect(String(answer.headers['content-type']), path).toContain('application/json');
      const body = JSON.parse(answer.body);
      expect(body, path).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect(body.error.message, path).toContain('is not valid percent-encoded UTF-8');
    }
    // A request target that is not a URL path at all.
    const broken = await post('//[');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toEqual({ ok: false, error: { code: 'invalid-input', message: "The request's path is not a valid URL path." } });
    // The token is still checked first, and a well-encoded name still works.
    expect((await raw(s, '/api/call/%E0%A4%A', { method: 'POST', headers: { host: `127.0.0.1:${s.port}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect(JSON.parse((await post('/api/call/app%2Einfo')).body)).toMatchObject({ ok: true, value: { mode: 'browser' } });
  });

  it('refuses a WebSocket upgrade to a target that is not a URL path, and keeps serving', async () => {
    const s = await start();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(s.port, '127.0.0.1', () => {
        socket.write(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nOrigin: ${s.origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
      });
      let text = '';
      socket.setTimeout(5000, () => socket.destroy());
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
    expect((await call(s, { authorization: `Bearer ${s.token}` })).status).toBe(200);
  });

  it('serves the app with a strict CSP and no eval', async () => {
    const s = await start();
    const page = await raw(s, '/', { headers: { host: `127.0.0.1:${s.port}` } });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect((await raw(s, '/../secret.txt', { headers: { host: `127.0.0.1:${s.port}` } })).status).toBe(404);
  });

  it('pushes events over the WebSocket to holders of the token from our own origin', async () => {
    const s = await start();
    const refused = new WebSocket(`ws://127.0.0.1:${s.port}/api/events?token=wrong`, { origin: s.origin });
    await expect(new Promise((resolve, reject) => { refused.on('open', resolve); refused.on('error', reject); })).rejects.toThrow(/403/);
    const foreign = new WebSocket(`ws://127.0.0.1:${s.port}/api/events?token=${s.token}`, { origin: 'http://evil.example' });
    await expect(new Promise((resolve, reject) => { foreign.on('open', resolve); foreign.on('error', reject); })).rejects.toThrow(/403/);

    const socket = new WebSocket(`ws://127.0.0.1:${s.port}/api/events?token=${s.token}`, { origin: s.origin });
    await new Promise((resolve) => socket.on('open', resolve));
    const message = new Promise<string>((resolve) => socket.on('message', (data) => resolve(String(data))));
    hub.emit('procedures.changed', { names: ['Refund request'], reason: 'saved' });
    expect(JSON.parse(await message)).toEqual({ event: 'procedures.changed', payload: { names: ['Refund request'], reason: 'saved' } });
    socket.close();
  });
});
