// Handoff and escalation webhooks: signed (HMAC-SHA256 over "timestamp.body"), retried with
// backoff from the durable outbox, and delivered once after a crash left them undelivered.
import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { retryDelayMs, signWebhook, verifyWebhookSignature, WebhookOutbox } from '../../main/production/webhooks';
import type { ProductionRepository } from '../../main/store/production';
import { Workspace } from '../../main/store/workspace';
import { toolCall, toolCalls, type FakeAnthropic } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, HANDOFF_PROCEDURE, makeKeys, newSigner, spawnServer, startServer, useTempDir, waitFor, writeBundle, type RunningServer, type Signer } from './helpers';

const startFake = useFakeAnthropic();
const tempDir = useTempDir();
const SECRET = 'whsec-test-3141592653';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver answering each delivery with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = [], port = 0): Promise<{ url: string; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${actual}/hooks/stepwise`, port: actual, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const handoffScript = () => [
  toolCall('route', { procedure: 'Order help', reason: 'order' }),
  toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['reply', { message: 'A person from the orders team takes over.' }], ['handoff', { team: 'Orders team', summary: 'Order 1043 never arrived.' }]),
];

describe('webhook signatures', () => {
  it('verify over the timestamp and the exact body, and refuse a changed body, a wrong secret or an old timestamp', () => {
    const body = '{"event":"conversation.handed_off","conversationId":1}';
    const now = 1_800_000_000;
    const header = signWebhook(body, SECRET, now);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(header, body, SECRET, { nowSeconds: now + 10, toleranceSeconds: 300 })).toBe(true);
    expect(verifyWebhookSignature(header, body.replace('1}', '2}'), SECRET, { nowSeconds: now, toleranceSeconds: 300 })).toBe(false);
    expect(verifyWebhookSignature(header, body, 'another-secret', { nowSeconds: now, toleranceSeconds: 300 })).toBe(false);
    expect(verifyWebhookSignature(header, body, SECRET, { nowSeconds: now + 301, toleranceSeconds: 300 })).toBe(false);
    expect(verifyWebhookSignature(header.replace('t=1800000000', 't=1800000100'), body, SECRET, { nowSeconds: now + 100, toleranceSeconds: 300 })).toBe(false);
    expect(verifyWebhookSignature(undefined, body, SECRET, { nowSeconds: now, toleranceSeconds: 300 })).toBe(false);
  });

  it('back off exponentially, with jitter, capped at an hour', () => {
    expect(retryDelayMs(1, 1000, () => 0.5)).toBe(1000);
    expect(retryDelayMs(2, 1000, () => 0.5)).toBe(2000);
    expect(retryDelayMs(5, 1000, () => 0.5)).toBe(16000);
    expect(retryDelayMs(40, 1000, () => 0.5)).toBe(3_600_000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(3200);
    expect(retryDelayMs(3, 1000, () => 1)).toBe(4800);
  });
});

describe('the webhook outbox', () => {
  /** The outbox's view of the store, holding one due row; it records each failed attempt. */
  const oneRow = () => {
    const failures: string[] = [];
    let passes = 0;
    const repository = {
      rescheduleUndelivered: async () => undefined,
      dueOutbox: async () => (passes++ === 0 ? [{ id: 1, event: 'conversation.handed_off', body: '{}', attempts: 0 }] : []),
      markDelivered: async () => undefined,
      markAttemptFailed: async (_id: number, _next: string, error: string) => void failures.push(error),
    };
    return { repository: repository as unknown as ProductionRepository, failures };
  };

  it("says why a delivery failed, with fetch's cause (connection refused), not just 'fetch failed'", async () => {
    const closed = await receiver();
    await closed.close(); // nothing listens on its port now
    const { repository, failures } = oneRow();
    const outbox = new WebhookOutbox(repository, { url: closed.url, secret: SECRET, maxAttempts: 3, firstRetryMs: 1000, timeoutMs: 2000 });
    await outbox.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^fetch failed: .*ECONNREFUSED/);
  });

  it('keeps going when a pass cannot read the outbox: the failure is reported, never thrown', async () => {
    const reported: string[] = [];
    const repository = { dueOutbox: async () => Promise.reject(new Error('PostgreSQL cannot be reached now')) } as unknown as ProductionRepository;
    const outbox = new WebhookOutbox(repository, { url: 'http://127.0.0.1:9/', secret: SECRET, maxAttempts: 3, firstRetryMs: 1000, timeoutMs: 2000, onPassFailed: (error) => reported.push(error.message) });
    await expect(outbox.flush()).resolves.toBeUndefined();
    expect(reported).toEqual(['PostgreSQL cannot be reached now']);
  });
});

describe('webhooks from a running server', () => {
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

  it('posts a signed handoff webhook with the summary, team, reason and attributes, retrying failures with backoff', async () => {
    const hooks = await receiver([500, 503]);
    try {
      const fake = await startFake(handoffScript());
      running = await startServer(
        { bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), webhook: { url: hooks.url, firstRetryMs: 40 } },
        { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url, STEPWISE_WEBHOOK_SECRET: SECRET },
      );
      const server = running;
      const { id } = (await (await server.request('/v1/conversations', { json: { externalId: 'zendesk-991', attributes: { plan: 'pro' } } })).json()) as { id: number };
      await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'Where is order 1043?' } });
      await waitFor(() => hooks.received.length >= 3, 'three delivery attempts');
      const [first, , last] = hooks.received;
      expect(first!.body).toBe(last!.body);
      const body = JSON.parse(last!.body);
      expect(body).toEqual({
        event: 'conversation.handed_off',
        conversationId: id,
        externalId: 'zendesk-991',
        team: 'Orders team',
        reason: 'procedure',
        summary: 'Order 1043 never arrived.',
        attributes: { plan: 'pro', order_number: '1043' },
        procedure: 'Order help',
        occurredAt: expect.any(String),
      });
      expect(last!.headers['stepwise-event']).toBe('conversation.handed_off');
      const signature = String(last!.headers['stepwise-signature']);
      expect(verifyWebhookSignature(signature, last!.body, SECRET, { nowSeconds: Math.floor(Date.now() / 1000), toleranceSeconds: 300 })).toBe(true);
      expect(signature).not.toContain(SECRET);
      // Delivered once it succeeded, and never again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(hooks.received).toHaveLength(3);
      const metrics = await (await server.request('/metrics', { key: server.adminKey })).text();
      expect(metrics).toMatch(/stepwise_webhook_deliveries_total\{result="retry"\} 2/);
      expect(metrics).toMatch(/stepwise_webhook_deliveries_total\{result="delivered"\} 1/);
      expect(metrics).toMatch(/stepwise_handoffs_total\{kind="handoff",reason="procedure"\} 1/);
      expect(server.logs.join('')).not.toContain(SECRET);
    } finally {
      await hooks.close();
    }
  });

  it('posts an escalation webhook when the customer asks for a person, before any model call', async () => {
    const hooks = await receiver();
    try {
      const fake = await startFake([]);
      running = await startServer(
        { bundles: [bundle], trust: [signer.publicKeyFile], database: join(dir, 'server.sqlite'), webhook: { url: hooks.url, firstRetryMs: 40 }, escalation: { team: 'Tier 2' } },
        { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url, STEPWISE_WEBHOOK_SECRET: SECRET },
      );
      const server = running;
      const { id } = (await (await server.request('/v1/conversations', { json: { attributes: { email: 'ada@example.com' } } })).json()) as { id: number };
      const turn = (await (await server.request(`/v1/conversations/${id}/messages`, { json: { text: 'I want to talk to a human please' } })).json()) as { status: string };
      expect(turn).toMatchObject({ status: 'escalated', outcome: { kind: 'escalated', team: 'Tier 2' } });
      expect(fake.requests).toHaveLength(0);
      await waitFor(() => hooks.received.length === 1, 'the escalation webhook');
      const body = JSON.parse(hooks.received[0]!.body);
      expect(body).toMatchObject({ event: 'conversation.escalated', conversationId: id, team: 'Tier 2', attributes: { email: 'ada@example.com' }, reason: expect.any(String) });
      expect(verifyWebhookSignature(String(hooks.received[0]!.headers['stepwise-signature']), hooks.received[0]!.body, SECRET, { nowSeconds: Math.floor(Date.now() / 1000), toleranceSeconds: 300 })).toBe(true);
      const metrics = await (await server.request('/metrics', { key: server.adminKey })).text();
      expect(metrics).toMatch(new RegExp(`stepwise_handoffs_total\\{kind="escalation",reason="${body.reason}"\\} 1`));
    } finally {
      await hooks.close();
    }
  });

  it('delivers a webhook left in the outbox by a killed server once, after the restart', async () => {
    const database = join(dir, 'server.sqlite');
    const { key } = await makeKeys(database);
    const fake: FakeAnthropic = await startFake(handoffScript());
    // The receiver is down while the first server runs: the row stays undelivered.
    const down = await receiver();
    const port = down.port;
    await down.close();
    const env = { ...process.env, ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url, STEPWISE_WEBHOOK_SECRET: SECRET };
    const configFile = join(dir, 'server.json');
    writeFileSync(configFile, JSON.stringify({ webhook: { url: `http://127.0.0.1:${port}/hooks/stepwise`, firstRetryMs: 60_000 }, logLevel: 'warn' }));
    const start = () => spawnServer(['serve', bundle, '--trust', signer.publicKeyFile, '--database', database, '--port', '0', '--config', configFile], env);

    const first = await start();
    child = first.child;
    const { id } = (await (await fetch(`${first.url}/v1/conversations`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' })).json()) as { id: number };
    const turn = await fetch(`${first.url}/v1/conversations/${id}/messages`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"text":"Where is order 1043?"}' });
    expect(await turn.json()).toMatchObject({ status: 'handed_off' });
    const pending = () => {
      const workspace = Workspace.open(database, { readonly: true });
      try {
        return workspace.production.pendingOutbox();
      } finally {
        workspace.close();
      }
    };
    await waitFor(async () => (await pending()) === 1 && true, 'the undelivered row');
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const hooks = await receiver([], port);
    try {
      const second = await start();
      child = second.child;
      // The row's next attempt is a minute away; a restart looks at every undelivered row again at once.
      await waitFor(() => hooks.received.length === 1, 'the delivery after the restart');
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(hooks.received).toHaveLength(1);
      expect(JSON.parse(hooks.received[0]!.body)).toMatchObject({ event: 'conversation.handed_off', conversationId: id, team: 'Orders team' });
      expect(await pending()).toBe(0);
      second.child.kill('SIGTERM');
      expect(await new Promise((resolve) => second.child.once('exit', (code) => resolve(code)))).toBe(0);
    } finally {
      await hooks.close();
    }
  });
});
