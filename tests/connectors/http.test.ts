// HTTP data connectors against real servers on 127.0.0.1: auth, templates, field selection,
// timeouts, retries, the size cap, redirects and the address policy.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema, type ConnectorDefinition } from '../../main/connectors/definition';
import { internalAddress } from '../../main/connectors/network-guard';
import { RuntimeConnectors, type ConnectorCallRecord } from '../../main/connectors/runtime-connectors';
import { describeZodError } from '../../main/validation/zod-error';
import { grantEverything, json, MemorySecretStore, useServers, type TestServer } from './helpers';

const secrets = new MemorySecretStore({ shop_token: 'shpat_0123456789abcdef', stripe_key: 'sk_test_51Hxyz', svc_password: 'p@ss word/1', svc_user: 'ops-bot' });

function connector(server: TestServer, fields: Record<string, unknown>): ConnectorDefinition {
  return connectorDefinitionSchema.parse({
    name: 'shop',
    baseUrl: `${server.url}/admin/api`,
    auth: { type: 'none' },
    ...fields,
  });
}

const action = (fields: Record<string, unknown>) => ({
  name: 'get_order',
  description: 'Look up an order.',
  inputSchema: { type: 'object', properties: { order_number: { type: 'string' } }, required: ['order_number'] },
  method: 'GET',
  path: '/orders/{{input.order_number}}.json',
  ...fields,
});

function live(definition: ConnectorDefinition, server: TestServer | null, extra: Partial<ConstructorParameters<typeof RuntimeConnectors>[0]> = {}) {
  const calls: ConnectorCallRecord[] = [];
  const connectors = new RuntimeConnectors({
    definitions: [definition],
    mode: 'live',
    secrets,
    grants: grantEverything([definition]),
    onCall: (call) => calls.push(call),
    retryDelayMs: 10,
    ...(server ? { loopbackPortsForTesting: [server.port] } : {}),
    ...extra,
  });
  return { connectors, calls };
}

describe('HTTP connectors: auth', () => {
  const serve = useServers();

  it('send each kind of auth from the secret store, and record it redacted', async () => {
    const server = await serve((req, res) => json(res, 200, { ok: true, path: req.url }));
    const cases: [Record<string, unknown>, (seen: TestServer['requests'][number]) => void, string][] = [
      [{ type: 'bearer', secret: 'shop_token' }, (seen) => expect(seen.headers.authorization).toBe('Bearer shpat_0123456789abcdef'), 'Bearer [redacted:shop_token]'],
      [
        { type: 'basic', username: 'support', passwordSecret: 'svc_password' },
        (seen) => expect(Buffer.from(seen.headers.authorization!.slice(6), 'base64').toString()).toBe('support:p@ss word/1'),
        'Basic [redacted:svc_password]',
      ],
      [
        { type: 'basic', usernameSecret: 'svc_user', passwordSecret: 'svc_password' },
        (seen) => expect(Buffer.from(seen.headers.authorization!.slice(6), 'base64').toString()).toBe('ops-bot:p@ss word/1'),
        'Basic [redacted:svc_password]',
      ],
      [{ type: 'apiKey', in: 'header', name: 'X-Shopify-Access-Token', secret: 'shop_token' }, (seen) => expect(seen.headers['x-shopify-access-token']).toBe('shpat_0123456789abcdef'), ''],
      [{ type: 'apiKey', in: 'query', name: 'api_key', secret: 'stripe_key' }, (seen) => expect(new URL(seen.url, server.url).searchParams.get('api_key')).toBe('sk_test_51Hxyz'), ''],
    ];
    for (const [auth, check, recordedAuthorization] of cases) {
      const { connectors, calls } = live(connector(server, { auth, actions: [action({})] }), server);
      const result = await connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: 1 });
      expect(result.ok).toBe(true);
      check(server.requests[server.requests.length - 1]!);
      const recorded = JSON.stringify(calls[0]!.request);
      if (recordedAuthorization) expect(calls[0]!.request).toMatchObject({ headers: { authorization: recordedAuthorization } });
      for (const value of ['shpat_0123456789abcdef', 'sk_test_51Hxyz', 'p@ss word/1', 'p%40ss%20word%2F1', 'p%40ss+word%2F1']) expect(recorded).not.toContain(value);
    }
    const queryCall = live(connector(server, { auth: { type: 'apiKey', in: 'query', name: 'api_key', secret: 'stripe_key' }, actions: [action({})] }), server);
    await queryCall.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 });
    expect((queryCall.calls[0]!.request as { url: string }).url).toContain('?api_key=[redacted:stripe_key]');
  });

  it('fail clearly, without calling, when a secret is not set', async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const { connectors } = live(connector(server, { auth: { type: 'bearer', secret: 'missing_token' }, actions: [action({})] }), server);
    const result = await connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 });
    expect(result).toEqual({ ok: false, error: expect.stringContaining('The secret "missing_token" that connector "shop" needs is not set') });
    expect(server.requests).toHaveLength(0);
  });
});

describe('HTTP connectors: requests and responses', () => {
  const serve = useServers();

  it('fill path, query, header and JSON body templates from the input, encoding what could break the URL', async () => {
    const server = await serve((req, res) => json(res, 200, { received: req.body }));
    const definition = connector(server, {
      actions: [
        {
          name: 'create_replacement',
          description: 'Create a replacement order.',
          inputSchema: {
            type: 'object',
            properties: { order_number: { type: 'string' }, line_items: { type: 'array' }, note: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
            required: ['order_number', 'line_items'],
          },
          method: 'POST',
          path: '/orders/{{input.order_number}}/replace.json',
          query: { tag: '{{input.tags}}', source: 'stepwise', missing: '{{input.note}}' },
          headers: { 'X-Request-Note': 'replacement for {{input.order_number}}' },
          body: { order: { note: 'Replacement for order {{input.order_number}}', line_items: '{{input.line_items}}', internal_note: '{{input.note}}' } },
          confirm: true,
        },
      ],
    });
    const { connectors } = live(definition, server);
    const input = { order_number: '10/../43?x=1', line_items: [{ sku: 'KETTLE-1', quantity: 1 }], tags: ['damaged', 'vip'] };
    const result = await connectors.execute('shop.create_replacement', input, { conversationId: 1 });
    expect(result.ok).toBe(true);
    const seen = server.requests[0]!;
    expect(seen.url).toBe('/admin/api/orders/10%2F..%2F43%3Fx%3D1/replace.json?tag=damaged&tag=vip&source=stepwise');
    expect(seen.headers['x-request-note']).toBe('replacement for 10/../43?x=1');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen.body)).toEqual({ order: { note: 'Replacement for order 10/../43?x=1', line_items: [{ sku: 'KETTLE-1', quantity: 1 }] } });
  });

  it('refuse an input of "." or ".." in a path segment instead of moving up the path', async () => {
    const server = await serve((req, res) => json(res, 200, { path: req.url }));
    const definition = connector(server, { baseUrl: `${server.url}/customers/42`, actions: [action({ name: 'order_items', path: '/orders/{{input.order_number}}/items' })] });
    const { connectors, calls } = live(definition, server);
    for (const order_number of ['..', '.']) {
      const result = await connectors.execute('shop.order_items', { order_number }, { conversationId: 1 });
      expect(result, order_number).toEqual({ ok: false, error: `@shop.order_items failed: path: the input makes the path segment "${order_number}", which would move up the URL's path; "." and ".." are not allowed as values here` });
    }
    expect(server.requests).toHaveLength(0);
    expect(calls.map((call) => [call.status, call.attempts, call.request])).toEqual([[null, 0, null], [null, 0, null]]);
    // Encoded dots and slashes stay inside their one segment.
    for (const order_number of ['%2e%2e', '..%2f..', '../..']) expect((await connectors.execute('shop.order_items', { order_number }, { conversationId: 1 })).ok, order_number).toBe(true);
    expect(server.requests.map((request) => request.url)).toEqual(['/customers/42/orders/%252e%252e/items', '/customers/42/orders/..%252f../items', '/customers/42/orders/..%2F../items']);
  });

  it('send form bodies the way Stripe reads them, from an object or a string template', async () => {
    const server = await serve((_req, res) => json(res, 200, { id: 're_1', object: 'refund', amount: 2400, status: 'succeeded', charge: 'ch_1', metadata: {} }));
    const definition = connector(server, {
      actions: [
        {
          name: 'create_refund',
          description: 'Refund a payment.',
          inputSchema: { type: 'object', properties: { payment_intent: { type: 'string' }, amount: { type: 'integer' }, reason: { type: 'string' } }, required: ['payment_intent', 'amount'] },
          method: 'POST',
          path: '/refunds',
          headers: { 'Idempotency-Key': '{{input.payment_intent}}-{{input.amount}}' },
          body: { payment_intent: '{{input.payment_intent}}', amount: '{{input.amount}}', reason: '{{input.reason}}', metadata: { source: 'stepwise support' } },
          bodyEncoding: 'form',
          responseFields: ['id', 'amount', 'status'],
          retries: 1,
          confirm: true,
        },
        {
          name: 'apply_discount',
          description: 'Apply a coupon.',
          inputSchema: { type: 'object', properties: { subscription_id: { type: 'string' }, coupon: { type: 'string' } }, required: ['subscription_id', 'coupon'] },
          method: 'POST',
          path: '/subscriptions/{{input.subscription_id}}',
          body: 'coupon={{input.coupon}}',
        },
      ],
    });
    const { connectors } = live(definition, server);
    const refund = await connectors.execute('shop.create_refund', { payment_intent: 'pi_3', amount: 2400 }, { conversationId: 1 });
    expect(refund).toEqual({ ok: true, data: { id: 're_1', amount: 2400, status: 'succeeded' } });
    expect(server.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(server.requests[0]!.headers['idempotency-key']).toBe('pi_3-2400');
    expect(server.requests[0]!.body).toBe('payment_intent=pi_3&amount=2400&metadata%5Bsource%5D=stepwise%20support');
    await connectors.execute('shop.apply_discount', { subscription_id: 'sub_1', coupon: 'HALF&OFF=1' }, { conversationId: 1 });
    expect(server.requests[1]!.body).toBe('coupon=HALF%26OFF%3D1');
  });

  it('show the model only the selected fields, and the trace the whole response', async () => {
    const order = {
      orders: [
        {
          id: 450789469,
          name: '#1043',
          order_number: 1043,
          email: 'jane@example.com',
          total_price: '32.50',
          customer: { id: 207119551, email: 'jane@example.com', phone: '+16135551111' },
          line_items: [
            { sku: 'KETTLE-1', title: 'Kettle', price: '24.00', quantity: 1, vendor: 'Acme' },
            { sku: 'MUG-2', title: 'Mug', price: '8.50', quantity: 1, vendor: 'Acme' },
          ],
          fulfillments: [{ shipment_status: 'delivered', updated_at: '2026-11-10T14:03:00-05:00' }],
        },
      ],
    };
    const server = await serve((_req, res) => json(res, 200, order));
    const renamed = {
      order_number: { path: 'orders[0].order_number', as: 'string' },
      status: 'orders[0].fulfillments[0].shipment_status',
      delivered_on: { path: 'orders[0].fulfillments[0].updated_at', as: 'date' },
      items: { path: 'orders[0].line_items', fields: { sku: 'sku', price: { path: 'price', as: 'number' } } },
      skus: 'orders[0].line_items[*].sku',
      refunds: 'orders[0].refunds',
    };
    const definition = connector(server, {
      actions: [action({ name: 'renamed', responseFields: renamed }), action({ name: 'picked', responseFields: ['orders[0].name', 'orders[*].line_items[*].sku', 'orders[0].customer.email'] }), action({ name: 'everything' })],
    });
    const { connectors, calls } = live(definition, server);
    expect(await connectors.execute('shop.renamed', { order_number: '1043' }, { conversationId: 1 })).toEqual({
      ok: true,
      data: {
        order_number: '1043',
        status: 'delivered',
        delivered_on: '2026-11-10',
        items: [
          { sku: 'KETTLE-1', price: 24 },
          { sku: 'MUG-2', price: 8.5 },
        ],
        skus: ['KETTLE-1', 'MUG-2'],
        refunds: null,
      },
    });
    expect(calls[0]!.fullResponse).toEqual(order);
    expect(calls[0]!.status).toBe(200);
    expect(await connectors.execute('shop.picked', { order_number: '1043' }, { conversationId: 1 })).toEqual({
      ok: true,
      data: { orders: [{ name: '#1043', customer: { email: 'jane@example.com' }, line_items: [{ sku: 'KETTLE-1' }, { sku: 'MUG-2' }] }] },
    });
    expect(await connectors.execute('shop.everything', { order_number: '1043' }, { conversationId: 1 })).toEqual({ ok: true, data: order });
  });

  it('check the input against the schema before calling anything', async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const { connectors, calls } = live(connector(server, { actions: [action({})] }), server);
    const missing = await connectors.execute('shop.get_order', {}, { conversationId: 1 });
    expect(missing).toEqual({ ok: false, error: 'The input of @shop.get_order is not valid: "order_number" is required.' });
    const wrongType = await connectors.execute('shop.get_order', { order_number: 1043 }, { conversationId: 1 });
    expect(wrongType).toEqual({ ok: false, error: 'The input of @shop.get_order is not valid: order_number must be string.' });
    expect(await connectors.execute('shop.nope', {}, { conversationId: 1 })).toEqual({ ok: false, error: 'There is no connector action @shop.nope in this workspace.' });
    expect(server.requests).toHaveLength(0);
    expect(calls.map((call) => call.request)).toEqual([null, null, null]);
  });

  it('turn an error answer into a failed call that says who answered what', async () => {
    const server = await serve((_req, res) => json(res, 404, { errors: 'Not Found' }));
    const { connectors, calls } = live(connector(server, { actions: [action({})] }), server);
    const result = await connectors.execute('shop.get_order', { order_number: '9' }, { conversationId: 1 });
    expect(result).toEqual({ ok: false, error: `@shop.get_order failed: 127.0.0.1:${server.port} answered 404 Not Found: Not Found.` });
    expect(calls[0]).toMatchObject({ status: 404, fullResponse: { errors: 'Not Found' }, shown: null, attempts: 1 });
  });
});

describe('HTTP connectors: limits', () => {
  const serve = useServers();

  it('give up after the timeout', async () => {
    const server = await serve(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      json(res, 200, {});
    });
    const { connectors, calls } = live(connector(server, { actions: [action({ timeoutMs: 300 })] }), server);
    const started = Date.now();
    const result = await connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(result).toEqual({ ok: false, error: `@shop.get_order failed: 127.0.0.1:${server.port} did not answer within 300 ms.` });
    expect(calls[0]!.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('retry idempotent calls on 503, 429, timeouts and dropped connections, and nothing else', async () => {
    let count = 0;
    const server = await serve((req, res) => {
      count++;
      if (req.url!.includes('flaky')) {
        if (count === 1) return json(res, 503, { message: 'busy' });
        if (count === 2) return json(res, 429, { message: 'slow down' }, { 'retry-after': '0' });
        if (count === 3) return req.url!.includes('drop') ? res.socket!.destroy() : json(res, 200, { attempt: count });
        return json(res, 200, { attempt: count });
      }
      json(res, 400, { message: 'bad order number' });
    });
    const definition = connector(server, { actions: [action({ path: '/flaky/drop/{{input.order_number}}', retries: 3 }), action({ name: 'bad', path: '/bad', retries: 3 })] });
    const { connectors, calls } = live(definition, server);
    expect(await connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toEqual({ ok: true, data: { attempt: 4 } });
    expect(calls[0]!.attempts).toBe(4);
    count = 0;
    expect(await connectors.execute('shop.bad', { order_number: '1' }, { conversationId: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('answered 400 Bad Request: bad order number') });
    expect(calls[1]!.attempts).toBe(1);

    // A POST is only retried with an Idempotency-Key; the definition says so, naming the field.
    const post = connectorDefinitionSchema.safeParse({ name: 'payments', baseUrl: 'https://api.stripe.com/v1', auth: { type: 'none' }, actions: [action({ method: 'POST', retries: 2 })] });
    expect(post.success).toBe(false);
    expect(describeZodError(post.error!)).toContain('actions[0].retries: a POST is not idempotent, so it is not retried');
  });

  it('refuse a response over the size cap, whether announced, streamed or compressed', async () => {
    const big = 'x'.repeat(50_000);
    const server = await serve((req, res) => {
      if (req.url!.includes('announced')) return json(res, 200, { big });
      if (req.url!.includes('streamed')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"big":"');
        for (let i = 0; i < 10; i++) res.write('y'.repeat(10_000));
        return res.end('"}');
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ big: 'z'.repeat(5_000_000) })));
    });
    const actions = ['announced', 'streamed', 'compressed'].map((kind) => action({ name: kind, path: `/${kind}` }));
    const { connectors } = live(connector(server, { maxResponseBytes: 20_000, actions }), server);
    for (const kind of ['announced', 'streamed', 'compressed']) {
      const result = await connectors.execute(`shop.${kind}`, { order_number: '1' }, { conversationId: 1 });
      expect(result).toEqual({ ok: false, error: `@shop.${kind} failed: The response from 127.0.0.1:${server.port} is larger than the 20000-byte limit, so it was not read.` });
    }
    const small = live(connector(server, { actions: [action({ path: '/announced' })] }), server);
    expect((await small.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).ok).toBe(true);
  });

  it('follow redirects on the same host only', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/admin/api/old') {
        res.writeHead(301, { location: '/admin/api/new' });
        return res.end();
      }
      if (req.url === '/admin/api/away') {
        res.writeHead(302, { location: 'https://attacker.example/steal' });
        return res.end();
      }
      if (req.url === '/admin/api/loop') {
        res.writeHead(307, { location: '/admin/api/loop' });
        return res.end();
      }
      json(res, 200, { at: req.url, method: req.method, auth: req.headers.authorization ?? null });
    });
    const definition = connector(server, {
      auth: { type: 'bearer', secret: 'shop_token' },
      actions: [action({ name: 'old', path: '/old' }), action({ name: 'away', path: '/away' }), action({ name: 'loop', path: '/loop' })],
    });
    const { connectors, calls } = live(definition, server);
    expect(await connectors.execute('shop.old', { order_number: '1' }, { conversationId: 1 })).toEqual({
      ok: true,
      data: { at: '/admin/api/new', method: 'GET', auth: 'Bearer [redacted:shop_token]' },
    });
    expect(await connectors.execute('shop.away', { order_number: '1' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: `@shop.away failed: Refused a redirect from 127.0.0.1:${server.port} to attacker.example: a connector follows redirects only on the same host.`,
    });
    expect(await connectors.execute('shop.loop', { order_number: '1' }, { conversationId: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('Stopped after 3 redirects') });
    expect(calls[1]!.status).toBeNull();
    expect(server.requests.filter((seen) => seen.url === '/steal')).toHaveLength(0);
  });
});

describe('HTTP connectors: the address policy', () => {
  const serve = useServers();

  it('refuse loopback, private and link-local addresses unless the connector allows internal hosts', async () => {
    const server = await serve((_req, res) => json(res, 200, { reached: true }));
    const definition = connector(server, { actions: [action({})] });

    // Without the test-only setting, the test's own loopback server is refused like any internal host.
    const refused = live(definition, null);
    expect(await refused.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: '@shop.get_order failed: Refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address; a connector reaches internal hosts only when its definition sets allowInternalHosts.',
    });
    // A name that resolves to loopback is refused at connection time.
    const byName = live(connector(server, { baseUrl: `http://localhost:${server.port}/admin/api`, actions: [action({})] }), null);
    expect(await byName.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/Refused to connect to localhost \((127\.0\.0\.1|::1)\): .* is a loopback address/),
    });
    // The test-only setting opens exactly the test server's port on loopback, nothing else.
    const otherPort = live(definition, null, { loopbackPortsForTesting: [server.port + 1] });
    expect((await otherPort.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).ok).toBe(false);
    for (const host of ['10.0.0.7', '169.254.169.254', '192.168.1.1', '[::1]', '[::ffff:127.0.0.1]', '[fe80::1]', '0.0.0.0', '2130706433']) {
      const internal = live(connector(server, { baseUrl: `http://${host}:${server.port}/api`, actions: [action({})] }), null);
      const result = await internal.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 });
      expect(result, host).toMatchObject({ ok: false, error: expect.stringContaining('Refused to connect to') });
    }
    // The test-only setting is for loopback only: a private address stays refused with it.
    const privateWithSetting = live(connector(server, { baseUrl: `http://10.0.0.7:${server.port}/api`, actions: [action({})] }), server);
    expect(await privateWithSetting.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('10.0.0.7 is a private address'),
    });
    expect(server.requests).toHaveLength(0);

    // allowInternalHosts lets a connector reach them (an on-premise API, a local mock server).
    const allowed = live(connector(server, { allowInternalHosts: true, actions: [action({})] }), null);
    expect(await allowed.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toEqual({ ok: true, data: { reached: true } });
  });

  it('call only the hosts the connector allows', async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const definition = connector(server, { actions: [action({ path: undefined, url: 'https://evil.example/{{input.order_number}}' })] });
    const { connectors } = live(definition, server);
    expect(await connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: '@shop.get_order failed: Refused to call evil.example: connector "shop" may call 127.0.0.1 only (add it to allowedHosts).',
    });
  });

  it('classify addresses, including IPv4 written inside IPv6', () => {
    const internal = ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.10', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', 'fc00::abcd', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '224.0.0.1'];
    const external = ['8.8.8.8', '93.184.215.14', '172.32.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'];
    for (const address of internal) expect(internalAddress(address), address).not.toBeNull();
    for (const address of external) expect(internalAddress(address), address).toBeNull();
  });

  it('look inside the IPv6 prefixes that carry an IPv4 address: SIIT, 6to4, Teredo and both NAT64 prefixes', async () => {
    // SIIT (::ffff:0:0:0/96), 6to4 (2002::/16) and well-known NAT64 (64:ff9b::/96) reach the IPv4 they carry.
    const internal = ['::ffff:0:127.0.0.1', '::ffff:0:7f00:1', '::ffff:0:a00:1', '::ffff:0:a9fe:a9fe', '2002:7f00:1::', '2002:a00:1::1', '2002:c0a8:101:1::1', '2002:a9fe:a9fe::', '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe'];
    // Local-use NAT64 (64:ff9b:1::/48) maps to whatever the local network chooses: refused whatever it carries.
    internal.push('64:ff9b:1::808:808', '64:ff9b:1:abcd::1');
    // Teredo (2001::/32) carries the client's IPv4 inverted: 80ff:fefe is 127.0.1.1, f5ff:fffe is 10.0.0.1.
    internal.push('2001:0:4136:e378:8000:63bf:80ff:fefe', '2001::f5ff:fffe');
    const external = ['::ffff:0:808:808', '2002:808:808::1', '64:ff9b::808:808', '2003:7f00:1::', '2001:0:4136:e378:8000:63bf:f7f7:f7f7', '2001:db9::1'];
    for (const address of internal) expect(internalAddress(address), address).not.toBeNull();
    for (const address of external) expect(internalAddress(address), address).toBeNull();
    expect(internalAddress('2002:7f00:1::')).toEqual({ description: 'a loopback address', loopback: true });
    expect(internalAddress('64:ff9b:1::808:808')?.description).toBe('a local-use NAT64 address');

    // And a connector whose host is one of them is refused before anything is sent.
    const server = await serve((_req, res) => json(res, 200, { reached: true }));
    for (const host of ['[::ffff:0:7f00:1]', '[2002:7f00:1::]', '[2002:a00:1::1]', '[64:ff9b:1::808:808]']) {
      const internalHost = live(connector(server, { baseUrl: `http://${host}:${server.port}/api`, actions: [action({})] }), null);
      const result = await internalHost.connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 });
      expect(result, host).toMatchObject({ ok: false, error: expect.stringContaining('Refused to connect to') });
    }
    expect(server.requests).toHaveLength(0);
  });
});
