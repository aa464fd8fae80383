// Operations: liveness and readiness, Prometheus metrics, the OpenAPI document generated from the
// request schemas, JSON logs with a request id on every line, SIGHUP reloads, and a graceful
// shutdown that finishes the turn in flight.
import type { ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, HANDOFF_PROCEDURE, makeKeys, newSigner, spawnServer, startServer, useTempDir, waitFor, writeBundle, type RunningServer, type Signer } from './helpers';

const startFake = useFakeAnthropic();
const tempDir = useTempDir();

describe('operations', () => {
  let dir: string;
  let signer: Signer;
  let bundle: string;
  let running: RunningServer | null = null;
  let child: ChildProcess | null = null;

  beforeEach(async () => {
    dir = tempDir();
    signer = await newSigner(dir);
    bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [HANDOFF_PROCEDURE, GREETING_PROCEDURE()]);
  });
  afterEach(async () => {
    await running?.close();
    running = null;
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = null;
    signer.close();
  });

  it('answers health and readiness without a key, and counts turns, model use, handoffs and active conversations', async () => {
    const fake = await startFake([
      toolCall('route', { procedure: 'Greeting', reason: 'hello' }, { usage: { input_tokens: 1200, output_tokens: 30 } }),
      toolCalls(['reply', { message: 'Hello!' }]),
      toolCall('route', { procedure: 'Order help', reason: 'order' }),
      toolCalls(['reply', { message: 'Passing you on.' }], ['handoff', { team: 'Orders team', summary: 'Order question.' }]),
    ]);
    running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite') }, { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url });
    const server = running;
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ ready: true });

    const a = ((await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    const b = ((await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    await server.request(`/v1/conversations/${a}/messages`, { json: { text: 'Hello' } });
    const handoff = await server.request(`/v1/conversations/${b}/messages`, { json: { text: 'My order?' } });
    // Routed, then answered: two model calls, said in the header so a client can tell the model's share.
    expect(handoff.headers.get('server-timing')).toMatch(/^total;dur=[\d.]+, model;dur=[\d.]+;desc="2 calls"$/);

    const metrics = await (await server.request('/metrics', { key: server.adminKey })).text();
    expect(metrics).toMatch(/stepwise_turns_total\{result="ok"\} 2/);
    expect(metrics).toMatch(/stepwise_turn_seconds_count 2/);
    expect(metrics).toMatch(/stepwise_turn_server_seconds_count 2/);
    expect(metrics).toMatch(/stepwise_model_calls_total\{result="ok"\} 4/);
    expect(metrics).toMatch(/stepwise_model_tokens_total\{kind="input"\} \d+/);
    expect(metrics).toMatch(/stepwise_model_cost_usd_total \d/);
    expect(metrics).toMatch(/stepwise_handoffs_total\{kind="handoff",reason="procedure"\} 1/);
    // a waits for the customer, b is handed off: one active. A new one waits too.
    expect(((await (await server.request(`/v1/conversations/${a}`)).json()) as { status: string }).status).toBe('waiting');
    expect(metrics).toMatch(/stepwise_conversations_active 1\n/);
    await server.request('/v1/conversations', { json: {} });
    expect(await (await server.request('/metrics', { key: server.adminKey })).text()).toMatch(/stepwise_conversations_active 2\n/);
    expect(metrics).toMatch(/process_resident_memory_bytes/);
  });

  it("counts a turn's server time from the request's arrival, its reading included", async () => {
    const fake = await startFake([toolCall('route', { procedure: 'Greeting', reason: 'hello' }), toolCalls(['reply', { message: 'Hello!' }])]);
    running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite') }, { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url });
    const id = ((await (await running.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    // The headers now, the body 300 ms later: the server spends that time reading the request.
    const body = JSON.stringify({ text: 'Hello' });
    const url = new URL(`${running.url}/v1/conversations/${id}/messages`);
    const timing = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { authorization: `Bearer ${running!.key}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.headers['server-timing'] ?? '')));
      });
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end(body), 300);
    });
    const [, total, model] = /^total;dur=([\d.]+), model;dur=([\d.]+);desc="2 calls"$/.exec(timing) ?? [];
    expect(Number(total) - Number(model)).toBeGreaterThanOrEqual(290);
  });

  it('prices model calls at the configured prices, and keeps idle connections open as long as configured', async () => {
    const usage = { usage: { input_tokens: 2_000, output_tokens: 100 } };
    const fake = await startFake([toolCall('route', { procedure: 'Greeting', reason: 'hello' }, usage), { ...toolCalls(['reply', { message: 'Hello!' }]), ...usage }]);
    const price = { inputPerMTok: 1_000, outputPerMTok: 10_000, cacheReadPerMTok: 0, cacheWritePerMTok: 0 };
    running = await startServer(
      { bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), model: { agent: 'local-model-7b', prices: { 'local-model-7b': price } }, keepAliveTimeoutMs: 2_000 },
      { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url },
    );
    const id = ((await (await running.request('/v1/conversations', { json: {} })).json()) as { id: number }).id;
    const turn = await running.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello' } });
    expect(turn.headers.get('keep-alive')).toBe('timeout=2');
    // Two calls of 2,000 input and 100 output tokens: 2 × (0.002 × 1,000 + 0.0001 × 10,000) = 6 dollars.
    const metrics = await (await running.request('/metrics', { key: running.adminKey })).text();
    expect(metrics).toMatch(/^stepwise_model_cost_usd_total 6$/m);
  });

  it('keeps idle connections open 65 s by default, longer than a load balancer\'s usual 60 s', async () => {
    const fake = await startFake([]);
    running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite') }, { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url });
    expect((await fetch(`${running.url}/healthz`)).headers.get('keep-alive')).toBe('timeout=65');
  });

  it('serves an OpenAPI document generated from the schemas that validate requests', async () => {
    const fake = await startFake([]);
    running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), limits: { messageChars: 321 } }, { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url });
    const document = (await (await fetch(`${running.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { maxLength?: number; type?: string }>; required?: string[]; additionalProperties?: boolean } }> } }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(
      ['/healthz', '/metrics', '/readyz', '/v1/admin/bundles', '/v1/admin/keys', '/v1/admin/reload', '/v1/conversations', '/v1/conversations/{id}', '/v1/conversations/{id}/close', '/v1/conversations/{id}/messages', '/v1/conversations/{id}/trace', '/v1/conversations/{id}/transcript'].sort(),
    );
    const message = document.paths['/v1/conversations/{id}/messages']!.post!.requestBody!.content['application/json']!.schema;
    // The limit the server enforces is the one documented.
    expect(message.properties.text).toMatchObject({ type: 'string', maxLength: 321 });
    expect(message.required).toEqual(['text']);
    expect(message.additionalProperties).toBe(false);
    const refused = await running.request('/v1/conversations/1/messages', { json: { text: 'x'.repeat(322) } });
    expect(refused.status).toBe(400);
  });

  it('logs JSON lines, each line of a request with its request id', async () => {
    const fake = await startFake([toolCall('route', { procedure: 'Greeting', reason: 'hello' }), toolCalls(['reply', { message: 'Hello!' }])]);
    running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite') }, { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url });
    const server = running;
    const { id } = (await (await server.request('/v1/conversations', { json: {} })).json()) as { id: number };
    const turn = await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Hello' }, headers: { 'x-request-id': 'req-from-the-lb-42' } });
    expect(turn.headers.get('x-request-id')).toBe('req-from-the-lb-42');
    const generated = (await server.request('/v1/conversations')).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const lines = server.logs.join('').trim().split('\n').map((line) => JSON.parse(line) as { reqId?: string; msg: string });
    const ofTurn = lines.filter((line) => line.reqId === 'req-from-the-lb-42');
    expect(ofTurn.map((line) => line.msg)).toEqual(['turn', 'request']);
    expect(lines.filter((line) => line.msg === 'request').every((line) => typeof line.reqId === 'string')).toBe(true);
    // An admin reload's own line carries its request's id too.
    await server.request('/v1/admin/reload', { method: 'POST', key: server.adminKey, headers: { 'x-request-id': 'req-reload-7' } });
    const ofReload = server.logs.join('').trim().split('\n').map((line) => JSON.parse(line) as { reqId?: string; msg: string }).filter((line) => line.reqId === 'req-reload-7');
    expect(ofReload.map((line) => line.msg)).toEqual(['bundles reloaded', 'request']);
  });

  it('as a process: reloads on SIGHUP, and on SIGTERM stops accepting, finishes the turn in flight and exits 0', async () => {
    const database = join(dir, 'server.sqlite');
    const { key, adminKey } = await makeKeys(database);
    const fake = await startFake((request) =>
      request.body.tools?.some((tool) => tool.name === 'route') ? toolCall('route', { procedure: 'Greeting', reason: 'hello' }) : { ...toolCalls(['reply', { message: 'Slow hello.' }]), delayMs: 1500 },
    );
    // As `npm run` starts it: npm would not pass the signals on, so the server names the pid to send them to.
    const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url, npm_command: 'run-script' };
    const started = await spawnServer(['serve', bundle, '--trust', signer.publicKeyFile, '--database', database, '--port', '0'], env);
    child = started.child;
    expect(started.stderr()).toContain(`send SIGHUP (reload) and SIGTERM (stop) to pid ${child.pid}`);
    const call = (path: string, init: RequestInit = {}, bearer = key) =>
      fetch(`${started.url}${path}`, { ...init, headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
    const setHash = async () => ((await (await call('/v1/admin/bundles', {}, adminKey)).json()) as { setHash: string }).setHash;

    const before = await setHash();
    await writeBundle(signer, bundle, [HANDOFF_PROCEDURE, GREETING_PROCEDURE('Wave and ask how you can help.')]);
    child.kill('SIGHUP');
    await waitFor(async () => (await setHash()) !== before, 'the reload after SIGHUP');

    const { id } = (await (await call('/v1/conversations', { method: 'POST', body: '{}' })).json()) as { id: number };
    const inFlight = call(`/v1/conversations/${id}/messages`, { method: 'POST', body: '{"text":"Hello"}' });
    await waitFor(() => fake.requests.length >= 2, 'the turn to reach the model');
    child.kill('SIGTERM');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // No new connections while it drains.
    await expect(fetch(`${started.url}/healthz`)).rejects.toThrow();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ replies: ['Slow hello.'] });
    expect(await exited).toBe(0);
  });
});
