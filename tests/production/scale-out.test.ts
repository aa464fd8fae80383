// Scale-out: two server processes on one real PostgreSQL. A conversation's messages alternate
// between the instances, concurrent messages to one conversation are serialized, and an instance
// SIGKILLed mid-turn loses nothing and runs no turn twice once the message is retried. Also what is
// PostgreSQL's own for a server: an outage survived, no secret in any table, a failed turn's calls counted.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runCli } from '../../main/cli/run';
import { createApiKey } from '../../main/production/api-keys';
import { resolveConfig } from '../../main/production/config';
import { startProductionServer } from '../../main/production/server';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import { toolCall, toolCalls, type RecordedRequest } from '../support/fake-anthropic';
import { captureIo } from '../support/capture-io';
import { useFakeAnthropic } from '../support/fixtures';
import { usePostgres } from '../support/postgres';
import { CRM_CONNECTOR, CRM_PROCEDURE, RETURNS_PROCEDURE, spawnServer, useShop, waitFor, writeBundle } from './helpers';

const startFake = useFakeAnthropic();
const postgres = usePostgres();

/** The last customer text the model was sent. */
function lastCustomerText(request: RecordedRequest): string {
  const text = JSON.stringify(request.body.messages.at(-1));
  return /(MSG-\d+)/.exec(text)?.[1] ?? 'none';
}

describe('two instances on one PostgreSQL', () => {
  const shop = useShop([RETURNS_PROCEDURE]);
  const children: ChildProcess[] = [];

  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('alternate, serialize concurrent messages to one conversation, and survive a SIGKILL mid-turn', { timeout: 120_000 }, async () => {
    const url = await postgres.createDatabase();
    // The key made with the command line, on the same database.
    const keyIo = captureIo(shop.dir);
    expect(await runCli(['serve-keys', 'create', '--database', url, '--scope', 'conversations'], keyIo)).toBe(0);
    const key = keyIo.stdout().trim();
    const store = await PostgresConversationStore.open({ url });
    expect((await store.production.listApiKeys()).map((entry) => entry.scope)).toEqual(['conversations']);
    const modelRuns: string[] = [];
    const fake = await startFake((request) => {
      if (request.body.tools?.some((tool) => tool.name === 'route')) return toolCall('route', { procedure: 'Returns', reason: 'return' });
      const message = lastCustomerText(request);
      modelRuns.push(message);
      // Slow enough for two messages to overlap; MSG-SLOW stalls long enough to kill the instance.
      return { ...toolCalls(['reply', { message: `answer to ${message}` }]), delayMs: message === 'MSG-9' ? 4000 : 300 };
    });
    const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url };
    // Ten turns of small talk would escalate for want of progress: not what this test is about.
    const configFile = join(shop.dir, 'server.json');
    writeFileSync(configFile, JSON.stringify({ escalation: { noProgressTurns: 100 }, logLevel: 'warn' }));
    const start = async () => {
      const started = await spawnServer(['serve', shop.bundle, '--trust', shop.signer.publicKeyFile, '--database', url, '--port', '0', '--config', configFile], env);
      children.push(started.child);
      return started;
    };
    const [a, b] = await Promise.all([start(), start()]);
    // The start line names the database, never its password.
    for (const server of [a, b]) {
      expect(server.stderr()).toMatch(new RegExp(`database postgres://${postgres.user}@${postgres.host}:${postgres.port}/\\w+\\)`));
      expect(server.stderr()).not.toContain(postgres.password);
    }
    const call = (base: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const say = async (base: string, n: number, headers: Record<string, string> = {}) => {
      const response = await call(base, `/v1/conversations/${id}/messages`, { text: `Return, MSG-${n}` }, headers);
      const body = (await response.json()) as { turn: number; replies: string[] };
      if (response.status !== 200) throw new Error(JSON.stringify({ status: response.status, n, body }));
      return body;
    };
    const transcript = async (base: string) =>
      ((await (await call(base, `/v1/conversations/${id}/transcript`)).json()) as { messages: { role: string; content: string }[] }).messages.map((message) =>
        message.role === 'customer' ? /MSG-\d+/.exec(message.content)![0] : message.content,
      );

    const { id } = (await (await call(a.url, '/v1/conversations', { externalId: 'chat-1' })).json()) as { id: number };
    // The same external id on the other instance finds the same conversation.
    expect(((await (await call(b.url, '/v1/conversations', { externalId: 'chat-1' })).json()) as { id: number }).id).toBe(id);

    // Alternating instances.
    expect(await say(a.url, 1)).toMatchObject({ turn: 1, replies: ['answer to MSG-1'] });
    expect(await say(b.url, 2)).toMatchObject({ turn: 2, replies: ['answer to MSG-2'] });
    expect(await say(a.url, 3)).toMatchObject({ turn: 3, replies: ['answer to MSG-3'] });

    // Concurrent messages, one to each instance: serialized, each turn whole.
    const concurrent = await Promise.all([say(a.url, 4), say(b.url, 5), say(a.url, 6), say(b.url, 7)]);
    expect(concurrent.map((turn) => turn.turn).sort()).toEqual([4, 5, 6, 7]);
    const lines = await transcript(b.url);
    expect(lines.slice(0, 6)).toEqual(['MSG-1', 'answer to MSG-1', 'MSG-2', 'answer to MSG-2', 'MSG-3', 'answer to MSG-3']);
    for (let index = 0; index < lines.length; index += 2) expect(lines[index + 1]).toBe(`answer to ${lines[index]}`);
    expect(lines).toHaveLength(14);

    // An instance killed mid-turn: nothing of the turn is kept, and the conversation's lock is free.
    const killed = call(a.url, `/v1/conversations/${id}/messages`, { text: 'Return, MSG-9' }, { 'idempotency-key': 'msg-9' }).then(
      () => 'answered',
      () => 'connection lost',
    );
    await waitFor(() => modelRuns.includes('MSG-9'), 'the turn to reach the model');
    a.child.kill('SIGKILL');
    expect(await killed).toBe('connection lost');
    expect(await transcript(b.url)).toHaveLength(14);

    // The client retries on the other instance with the same key: the turn runs once; a retry on
    // the restarted instance replays it.
    const retried = await say(b.url, 9, { 'idempotency-key': 'msg-9' });
    expect(retried).toMatchObject({ turn: 8, replies: ['answer to MSG-9'] });
    const restarted = await start();
    const replayed = await call(restarted.url, `/v1/conversations/${id}/messages`, { text: 'Return, MSG-9' }, { 'idempotency-key': 'msg-9' });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await replayed.json()).toEqual(retried);
    expect(await say(restarted.url, 10)).toMatchObject({ turn: 9 });
    const final = await transcript(restarted.url);
    expect(final.filter((line) => line === 'MSG-9')).toHaveLength(1);
    expect(final).toHaveLength(18);
    // The killed turn's model call, the retry's, and no other run of MSG-9.
    expect(modelRuns.filter((run) => run === 'MSG-9')).toHaveLength(2);
    await store.close();
  });

  it('outlives its PostgreSQL going away: not ready, 503 to requests, metrics and the webhook outbox waiting; all again once it accepts connections', { timeout: 60_000 }, async () => {
    const url = await postgres.createDatabase();
    const database = new URL(url).pathname.slice(1);
    const store = await PostgresConversationStore.open({ url });
    const key = (await createApiKey(store.production, { name: 'outage', scope: 'admin' })).token;
    await store.close();
    const fake = await startFake([]);
    const logs: string[] = [];
    // A webhook is configured, so the outbox reads the database about every 100 ms throughout.
    const server = await startProductionServer({
      config: resolveConfig({ bundles: [shop.bundle], trust: [shop.signer.publicKeyFile], database: url, port: 0, logLevel: 'warn', metricsPublic: true, webhook: { url: 'http://127.0.0.1:9/unused', firstRetryMs: 100 } }),
      env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url, STEPWISE_WEBHOOK_SECRET: 'whsec-outage-test' },
      logDestination: { write: (line: string) => void logs.push(line) },
    });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [database]);
      const down = await waitFor(async () => {
        const response = await fetch(`${server.url}/readyz`);
        return response.status === 503 ? response : null;
      }, 'readiness to fail');
      expect(await down.json()).toMatchObject({ ready: false, error: { code: 'not-ready' } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      // The outbox's passes fail meanwhile, and are logged, not thrown (an unhandled rejection fails this test).
      await waitFor(() => logs.some((line) => line.includes('webhook outbox unreadable')), 'the outbox to find the database gone');
      const refused = await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: { code: 'unavailable' } });
      // Scraped without a key (metricsPublic): a key could not be checked with the database gone.
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/stepwise_turns_total/);
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 200, 'readiness to return');
      expect((await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' })).status).toBe(201);
    } finally {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await server.close();
    }
  });

  it('keeps the connectors\' secrets and the model key out of every PostgreSQL table, as out of the SQLite file', async () => {
    const token = 'crm-token-PG-SECRET-5531';
    const modelKey = 'sk-model-PG-SECRET-7719';
    const seen: string[] = [];
    const crm = createServer((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'Ada', plan: 'pro' }));
    });
    await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
    const connector = { ...CRM_CONNECTOR, baseUrl: `http://127.0.0.1:${(crm.address() as AddressInfo).port}`, allowInternalHosts: true };
    const bundle = await writeBundle(shop.signer, join(shop.dir, 'crm.bundle'), [CRM_PROCEDURE], { connectors: [connector as never] });
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    const key = (await createApiKey(store.production, { name: 'secrets', scope: 'conversations' })).token;
    await store.close();
    const fake = await startFake([toolCall('route', { procedure: 'Account question', reason: 'account' }), toolCalls(['crm__lookup', { email: 'ada@example.com' }]), toolCalls(['reply', { message: 'Found you, Ada.' }])]);
    const server = await startProductionServer({
      config: resolveConfig({ bundles: [bundle], trust: [shop.signer.publicKeyFile], database: url, port: 0, logLevel: 'silent', approve: { internalHosts: ['crm'] } }),
      env: { ANTHROPIC_API_KEY: modelKey, ANTHROPIC_BASE_URL: fake.url, STEPWISE_SECRET_CRM_API_TOKEN: token },
    });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    try {
      const { id } = (await (await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' })).json()) as { id: number };
      const turn = await fetch(`${server.url}/v1/conversations/${id}/messages`, { method: 'POST', headers, body: JSON.stringify({ text: 'A question about my account' }) });
      expect(await turn.json()).toMatchObject({ replies: ['Found you, Ada.'] });
      expect(seen).toEqual([`Bearer ${token}`]);
    } finally {
      await server.close();
      await new Promise<void>((resolve) => crm.close(() => resolve()));
    }
    // Every row of every table, as text.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = (await client.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((row) => row.name);
      expect(tables).toEqual(expect.arrayContaining(['trace_events', 'messages', 'conversation_state', 'bundled_procedures']));
      let everything = '';
      for (const table of tables) everything += (await client.query<{ row: string }>(`SELECT t::text AS row FROM ${pg.escapeIdentifier(table)} t`)).rows.map((row) => row.row).join('\n');
      expect(everything).toContain('connector_call');
      expect(everything).toContain('Found you, Ada.');
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(modelKey);
      expect(everything).not.toContain(key);
    } finally {
      await client.end();
    }
  });

  it('counts the model calls of a turn that fails afterwards: they were spent', async () => {
    const url = await postgres.createDatabase();
    const store = await PostgresConversationStore.open({ url });
    const key = (await createApiKey(store.production, { name: 'spent', scope: 'admin' })).token;
    await store.close();
    // The reply holds a NUL, which PostgreSQL cannot store: the turn fails at its save, after both calls.
    const fake = await startFake([toolCall('route', { procedure: 'Returns', reason: 'return' }, { usage: { input_tokens: 1000, output_tokens: 20 } }), toolCalls(['reply', { message: 'Which item?\u0000' }])]);
    const server = await startProductionServer({
      config: resolveConfig({ bundles: [shop.bundle], trust: [shop.signer.publicKeyFile], database: url, port: 0, logLevel: 'silent' }),
      env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url },
    });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    try {
      const { id } = (await (await fetch(`${server.url}/v1/conversations`, { method: 'POST', headers, body: '{}' })).json()) as { id: number };
      const turn = await fetch(`${server.url}/v1/conversations/${id}/messages`, { method: 'POST', headers, body: JSON.stringify({ text: 'I want to return a mug' }) });
      expect(turn.status).toBeGreaterThanOrEqual(400);
      const metrics = await (await fetch(`${server.url}/metrics`, { headers })).text();
      expect(metrics).toMatch(/stepwise_model_calls_total\{result="ok"\} 2/);
      expect(metrics).toMatch(/stepwise_model_tokens_total\{kind="input"\} \d+/);
      expect(metrics).not.toMatch(/stepwise_turns_total\{result="ok"\} [1-9]/);
    } finally {
      await server.close();
    }
  });
});
