// Acceptance of issue 19's points that no other test pinned down: conversations listed by Procedure
// and by start time (both sides of the bound), connector errors counted by action, the answers
// matching the schemas /openapi.json documents them with, the shutdown deadline, and the outbox
// flushed at shutdown, and `serve --host`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as api from '../../main/production/api-schemas';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { CRM_CONNECTOR, CRM_PROCEDURE, GREETING_PROCEDURE, HANDOFF_PROCEDURE, spawnServer, useShop, waitFor, writeBundle } from './helpers';

const startFake = useFakeAnthropic();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The body, exactly as the schema documents it: a key the schema lacks would be stripped and fail the comparison. */
async function documented(response: Response, schema: z.ZodType): Promise<unknown> {
  const body: unknown = await response.json();
  expect(schema.parse(body)).toEqual(body);
  return body;
}

describe('issue 19 acceptance', () => {
  const shop = useShop([HANDOFF_PROCEDURE, GREETING_PROCEDURE()]);

  it('lists conversations by Procedure and by start time, each filter keeping the ones it names and only those', async () => {
    const fake = await startFake([
      toolCall('route', { procedure: 'Greeting', reason: 'hello' }),
      toolCalls(['reply', { message: 'Hello!' }]),
      toolCall('route', { procedure: 'Order help', reason: 'order' }),
      toolCalls(['reply', { message: 'Passing you on.' }], ['handoff', { team: 'Orders team', summary: 'Order question.' }]),
    ]);
    const server = await shop.serve(fake);
    const create = async () => ((await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    const ids = async (query: string) => ((await (await server.request(`/v1/conversations?${query}`)).json()) as { conversations: { id: number }[] }).conversations.map((row) => row.id);

    const greeted = await create();
    await pause(30);
    const between = new Date().toISOString();
    await pause(30);
    const handedOff = await create();
    await server.request(`/v1/conversations/${greeted}/messages`, { json: { text: 'Hello' } });
    await server.request(`/v1/conversations/${handedOff}/messages`, { json: { text: 'My order?' } });

    expect(await ids('procedure=Greeting')).toEqual([greeted]);
    expect(await ids(`procedure=${encodeURIComponent('Order help')}`)).toEqual([handedOff]);
    expect(await ids(`startedBefore=${encodeURIComponent(between)}`)).toEqual([greeted]);
    expect(await ids(`startedAfter=${encodeURIComponent(between)}`)).toEqual([handedOff]);
    expect(await ids(`startedAfter=${encodeURIComponent(between)}&status=waiting`)).toEqual([]);
    expect(await ids(`status=waiting&procedure=Greeting&startedBefore=${encodeURIComponent(between)}`)).toEqual([greeted]);
  });

  it('answers every route with the very shape /openapi.json documents', async () => {
    const fake = await startFake([toolCall('route', { procedure: 'Greeting', reason: 'hello' }), toolCalls(['reply', { message: 'Hello!' }])]);
    const server = await shop.serve(fake);
    const created = await server.request('/v1/conversations', { json: { externalId: 'chat-9', attributes: { plan: 'pro' } } });
    const { id } = (await documented(created, api.conversationStateSchema)) as { id: number };
    await documented(await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello' } }), api.turnResponseSchema);
    await documented(await server.request(`/v1/conversations/${id}`), api.conversationStateSchema);
    await documented(await server.request(`/v1/conversations/${id}/transcript`), api.transcriptSchema);
    await documented(await server.request(`/v1/conversations/${id}/trace`), api.traceSchema);
    await documented(await server.request('/v1/conversations'), api.conversationListSchema);
    await documented(await server.request(`/v1/conversations/${id}/close`, { method: 'POST' }), api.conversationStateSchema);
    await documented(await server.request('/v1/admin/bundles', { key: server.adminKey }), api.bundlesSchema);
    await documented(await server.request('/v1/admin/keys', { key: server.adminKey }), api.keysSchema);
    await documented(await server.request('/v1/admin/reload', { method: 'POST', key: server.adminKey }), api.reloadSchema);
    await documented(await server.request('/v1/conversations/999999'), api.errorSchema);
  });

  it('stops within the shutdown deadline when a turn in flight outlasts it', async () => {
    const fake = await startFake([toolCall('route', { procedure: 'Greeting', reason: 'hello' }), { ...toolCalls(['reply', { message: 'Too late.' }]), delayMs: 4000 }]);
    const server = await shop.serve(fake, { shutdownDeadlineMs: 300 });
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const inFlight = server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello' } }).then(
      (response) => response.status,
      () => 'connection closed',
    );
    await waitFor(() => fake.requests.length >= 2, 'the turn to reach the model');
    const started = performance.now();
    await server.close();
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(280);
    expect(took).toBeLessThan(2000);
    expect(await inFlight).toBe('connection closed');
    expect(server.logs.join('')).toContain('shutdown deadline passed with turns still running');
  });

  it('delivers, before it stops, a webhook due in the outbox that no pass has reached yet', async () => {
    const received: string[] = [];
    const hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    try {
      const fake = await startFake([]);
      // Idle, the outbox looks for due rows once a second (its poll is the first retry's wait, at most 1 s).
      const server = await shop.serve(fake, { webhook: { url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`, firstRetryMs: 3_600_000 } }, { STEPWISE_WEBHOOK_SECRET: 'whsec-acceptance-77' });
      const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
      await pause(100);
      // A row due now, written behind the server's back: no turn kicked the outbox for it.
      const db = new Database(server.database);
      try {
        const at = new Date().toISOString();
        db.prepare('INSERT INTO webhook_outbox (conversation_id, event, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)').run(id, 'conversation.handed_off', '{"flushed":true}', at, at);
      } finally {
        db.close();
      }
      await server.close();
      expect(received).toEqual(['{"flushed":true}']);
    } finally {
      await new Promise<void>((resolve) => hooks.close(() => resolve()));
    }
  });

  it.runIf(process.platform === 'linux')('serve --host listens on the address given, and only there', async () => {
    const fake = await startFake([]);
    const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url };
    // 127.0.0.2 is loopback on Linux, and not the default 127.0.0.1.
    const { child, url } = await spawnServer(['serve', shop.bundle, '--trust', shop.signer.publicKeyFile, '--database', join(shop.dir, 'server.sqlite'), '--port', '0', '--host', '127.0.0.2'], env);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await expect(fetch(url.replace('127.0.0.2', '127.0.0.1') + '/healthz')).rejects.toThrow();
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  describe('connector errors', () => {
    let crm: Server;
    beforeEach(async () => {
      crm = createServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"the CRM is down"}');
      });
      await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
      return () => new Promise<void>((resolve) => crm.close(() => resolve()));
    });

    it('are counted by action in the metrics', async () => {
      const connector = { ...CRM_CONNECTOR, baseUrl: `http://127.0.0.1:${(crm.address() as AddressInfo).port}`, allowInternalHosts: true };
      shop.bundle = await writeBundle(shop.signer, join(shop.dir, 'crm.bundle'), [CRM_PROCEDURE], { connectors: [connector as never] });
      const fake = await startFake([
        toolCall('route', { procedure: 'Account question', reason: 'account' }),
        toolCalls(['crm__lookup', { email: 'ada@example.com' }]),
        toolCalls(['reply', { message: 'The CRM does not answer now.' }]),
      ]);
      const server = await shop.serve(fake, { approve: { internalHosts: ['crm'] } }, { STEPWISE_SECRET_CRM_API_TOKEN: 'crm-token-1234' });
      const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
      expect((await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'A question about my account' } })).status).toBe(200);
      const metrics = await (await server.request('/metrics', { key: server.adminKey })).text();
      expect(metrics).toMatch(/stepwise_connector_calls_total\{action="crm\.lookup",result="error"\} 1/);
      expect(metrics).not.toMatch(/stepwise_connector_calls_total\{action="crm\.lookup",result="ok"\}/);
    });
  });
});
