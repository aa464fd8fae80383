// Every bad request gets a 4xx JSON error (code and message), never a 500 or a crash; keys,
// scopes, rate limits and CORS hold; secrets appear in no log, trace, response or database file.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { CRM_CONNECTOR, CRM_PROCEDURE, GREETING_PROCEDURE, HANDOFF_PROCEDURE, useShop, writeBundle, type RunningServer } from './helpers';

const startFake = useFakeAnthropic();
/** The model key the server is given: no log or database file may hold it. */
const MODEL_KEY = 'sk-test-model-key-5150';

describe('the production API under bad input and attack', () => {
  const shop = useShop([HANDOFF_PROCEDURE, GREETING_PROCEDURE()]);

  async function serve(extra: Record<string, unknown> = {}, script: Parameters<typeof startFake>[0] = [], env: Record<string, string> = {}) {
    const fake = await startFake(script);
    return shop.serve(fake, extra, { ANTHROPIC_API_KEY: MODEL_KEY, ...env });
  }

  const raw = (server: RunningServer, path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${server.key}`, ...(init.headers as Record<string, string> | undefined) } });

  async function expectError(response: Response, status: number, code: string, message?: RegExp) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    if (message) expect(body.error.message).toMatch(message);
  }

  it('answers each bad input with a 4xx and a clear JSON error, and keeps serving', async () => {
    const server = await serve({ limits: { bodyBytes: 4096, messageChars: 100 } });
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => raw(server, `/v1/conversations/${id}/messages`, { method: 'POST', body, headers });

    await expectError(await post('{"text": "hi"'), 400, 'malformed-json', /not valid JSON/);
    await expectError(await post('{"text": 42}'), 400, 'invalid-request', /text/);
    await expectError(await post('{"text": "hi", "admin": true}'), 400, 'invalid-request', /admin/);
    await expectError(await post('{"text": "   "}'), 400, 'invalid-request', /empty/);
    await expectError(await post(JSON.stringify({ text: 'x'.repeat(101) })), 400, 'invalid-request', /longer than 100 characters/);
    await expectError(await post(JSON.stringify({ text: 'x'.repeat(5000) })), 413, 'too-large', /4,096 bytes/);
    await expectError(await post('text=hi', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type');
    await expectError(await post('{"text":"hi"}', { 'content-type': 'application/json', 'idempotency-key': 'has spaces in it' }), 400, 'invalid-request', /Idempotency-Key/);
    await expectError(await raw(server, '/v1/conversations/987654/messages', { method: 'POST', body: '{"text":"hi"}', headers: { 'content-type': 'application/json' } }), 404, 'not-found', /987654/);
    await expectError(await raw(server, '/v1/conversations/abc'), 400, 'invalid-request', /^The conversation id is not valid: it must be a whole number, as in \/v1\/conversations\/42\.?$/);
    await expectError(await raw(server, '/v1/conversations/0'), 400, 'invalid-request', /^The conversation id is not valid: it must be 1 or more\.?$/);
    await expectError(await raw(server, '/v1/conversations/987654'), 404, 'not-found');
    await expectError(await raw(server, '/v1/conversations/987654/trace'), 404, 'not-found');
    await expectError(await raw(server, '/v1/nothing-here'), 404, 'unknown-route', /openapi/);
    await expectError(await raw(server, `/v1/conversations/${id}/messages`), 405, 'method-not-allowed', /POST/);
    await expectError(await raw(server, '/v1/conversations?status=lost'), 400, 'invalid-request', /status/);
    await expectError(await raw(server, '/v1/conversations?startedAfter=yesterday'), 400, 'invalid-request', /startedAfter/);
    await expectError(await raw(server, '/v1/conversations', { method: 'POST', body: '{"attributes": {"plan": {"nested": 1}}}', headers: { 'content-type': 'application/json' } }), 400, 'invalid-request', /attributes/);
    await expectError(await raw(server, '/v1/conversations', { method: 'POST', body: '{"procedure": "Nope"}', headers: { 'content-type': 'application/json' } }), 422, 'unknown-procedure', /Greeting/);
    // Still serving, and nothing answered 500.
    expect((await raw(server, '/healthz')).status).toBe(200);
    expect(server.logs.join('')).not.toMatch(/"status":5\d\d/);
  });

  it('wants a valid key with the right scope', async () => {
    const server = await serve();
    await expectError(await server.request('/v1/conversations', { key: null }), 401, 'unauthorized', /Authorization: Bearer/);
    await expectError(await server.request('/v1/conversations', { key: 'swk_not-a-real-key-at-all-000000000000' }), 401, 'unauthorized', /not valid/);
    await expectError(await fetch(`${server.url}/v1/conversations`, { headers: { authorization: `Basic ${server.key}` } }), 401, 'unauthorized');
    await expectError(await server.request('/v1/admin/bundles'), 403, 'forbidden', /admin scope/);
    await expectError(await server.request('/metrics'), 403, 'forbidden');
    expect((await server.request('/v1/admin/bundles', { key: server.adminKey })).status).toBe(200);
    // An admin key may use the conversation API too.
    expect((await server.request('/v1/conversations', { key: server.adminKey })).status).toBe(200);
    const keys = (await (await server.request('/v1/admin/keys', { key: server.adminKey })).json()) as { keys: { fingerprint: string; scope: string }[] };
    expect(keys.keys.map((key) => key.scope).sort()).toEqual(['admin', 'conversations']);
    expect(JSON.stringify(keys)).not.toContain(server.key.slice(4, 20));
    // Only a hash of each token is stored.
    const file = readFileSync(server.database);
    expect(file.includes(server.key)).toBe(false);
    expect(file.includes(server.adminKey)).toBe(false);
  });

  it('limits each key to its rate, with Retry-After, without slowing other keys', async () => {
    const server = await serve({ rateLimit: { burst: 3, perSecond: 0.5 } });
    const statuses = [];
    for (let index = 0; index < 4; index++) statuses.push((await server.request('/v1/conversations')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await server.request('/v1/conversations');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(limited, 429, 'rate-limited');
    expect((await server.request('/v1/conversations', { key: server.adminKey })).status).toBe(200);
  });

  it('sends no CORS headers unless origins are configured, and then only to those', async () => {
    const closed = await serve();
    const plain = await closed.request('/v1/conversations', { headers: { origin: 'https://shop.example.com' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${closed.url}/v1/conversations`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com' } })).headers.get('access-control-allow-origin')).toBeNull();
    await closed.close();

    const open = await serve({ corsOrigins: ['https://shop.example.com'] });
    const allowed = await open.request('/v1/conversations', { headers: { origin: 'https://shop.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const other = await open.request('/v1/conversations', { headers: { origin: 'https://evil.example.net' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${open.url}/v1/conversations`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  describe('secrets', () => {
    let crm: Server;
    let seen: string[];
    beforeEach(async () => {
      seen = [];
      crm = createServer((req, res) => {
        seen.push(String(req.headers.authorization));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: 'Ada', plan: 'pro' }));
      });
      await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
      return () => new Promise<void>((resolve) => crm.close(() => resolve()));
    });

    it('reach the connector, and no log, trace, response or database file', async () => {
      const port = (crm.address() as AddressInfo).port;
      const connector = { ...CRM_CONNECTOR, baseUrl: `http://127.0.0.1:${port}`, allowInternalHosts: true };
      shop.bundle = await writeBundle(shop.signer, join(shop.dir, 'crm.bundle'), [CRM_PROCEDURE], { connectors: [connector as never] });
      const token = 'crm-token-SUPER-SECRET-8812';
      const server = await serve(
        { approve: { internalHosts: ['crm'] } },
        [toolCall('route', { procedure: 'Account question', reason: 'account' }), toolCalls(['crm__lookup', { email: 'ada@example.com' }]), toolCalls(['reply', { message: 'Found you, Ada.' }])],
        { STEPWISE_SECRET_CRM_API_TOKEN: token },
      );
      const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
      const turn = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'A question about my account' } });
      expect(await turn.json()).toMatchObject({ replies: ['Found you, Ada.'] });
      expect(seen).toEqual([`Bearer ${token}`]);
      const trace = await (await server.request(`/v1/conversations/${id}/trace`)).text();
      expect(trace).toContain('connector_call');
      expect(trace).not.toContain(token);
      const metrics = await (await server.request('/metrics', { key: server.adminKey })).text();
      expect(metrics).toMatch(/stepwise_connector_calls_total\{action="crm.lookup",result="ok"\} 1/);
      expect(await (await server.request(`/v1/conversations/${id}`)).text()).not.toContain(token);
      await server.close();
      const logs = server.logs.join('');
      expect(logs).toContain('"reqId"');
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(MODEL_KEY);
      expect(logs).not.toContain(server.key);
      for (const file of [server.database, `${server.database}-wal`].filter(existsSync)) {
        expect(readFileSync(file).includes(MODEL_KEY)).toBe(false);
        expect(readFileSync(file).includes(token)).toBe(false);
      }
    });
  });
});
