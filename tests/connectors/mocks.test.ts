// Mocks and worlds: static responses with injected failures, Python handlers in the real sandbox
// changing a per-run world, and the example shop running every example Procedure with no real system.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema, type ConnectorDefinition } from '../../main/connectors/definition';
import { RuntimeConnectors, type ConnectorCallRecord } from '../../main/connectors/runtime-connectors';
import { workspaceConnectors } from '../../main/connectors/workspace-connectors';
import { loadExamples } from '../../main/services/example-workspace';
import { Workspace } from '../../main/store/workspace';
import { namedActions, parse, pythonSnippets } from '../../shared/procedure';
import { useSandbox } from '../support/fixtures';
import { examplesDir, exampleFiles, readExample } from '../support/paths';
import { useTempDir } from '../store/helpers';

const CLOCK = () => new Date('2026-11-25T10:00:00Z');

function exampleConnectors(): ConnectorDefinition[] {
  return readdirSync(join(examplesDir, 'connectors'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => connectorDefinitionSchema.parse(JSON.parse(readFileSync(join(examplesDir, 'connectors', file), 'utf8'))));
}
const shopWorld = () => JSON.parse(readFileSync(join(examplesDir, 'worlds/shop.json'), 'utf8')) as Record<string, unknown>;

const sandbox = useSandbox();

function mocked(extra: Partial<ConstructorParameters<typeof RuntimeConnectors>[0]> = {}) {
  const calls: ConnectorCallRecord[] = [];
  const connectors = new RuntimeConnectors({ definitions: exampleConnectors(), mode: 'mock', world: shopWorld(), sandbox, clock: CLOCK, onCall: (call) => calls.push(call), ...extra });
  return { connectors, calls };
}

describe('Python mock handlers and the world', () => {
  it('answer like the real API, and the model sees only the selected fields', async () => {
    const { connectors, calls } = mocked();
    const order = await connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: 7 });
    expect(order).toEqual({
      ok: true,
      data: {
        order_number: '1043',
        created_on: '2026-11-02',
        status: 'delivered',
        delivered_on: '2026-11-10',
        items: [
          { sku: 'KETTLE-1', title: 'Glass kettle', quantity: 1, price: 24 },
          { sku: 'MUG-2', title: 'Stoneware mug', quantity: 1, price: 8.5 },
        ],
        total_price: 32.5,
        damaged_skus: ['KETTLE-1'],
        payment_intent: 'pi_3Q1043',
      },
    });
    // The trace gets the Shopify-shaped response, and the request a live call would have sent (secrets named, not resolved).
    expect(calls[0]).toMatchObject({ mode: 'mock', status: 200, mock: { source: 'handler', worldChanged: false }, fullResponse: { orders: [{ name: '#1043', email: 'jane.doe@example.com' }] } });
    expect(calls[0]!.request).toMatchObject({
      method: 'GET',
      url: 'https://example-shop.myshopify.com/admin/api/2024-10/orders.json?name=%231043&status=any',
      headers: { 'x-shopify-access-token': '[secret:shopify_admin_token]' },
    });
    const none = await connectors.execute('shop.get_order', { order_number: '5' }, { conversationId: 7 });
    expect(none).toMatchObject({ ok: true, data: { order_number: null, items: null, payment_intent: null } });
  });

  it('change the run\'s world, so a simulation can check exactly one refund of 24.00 was created', async () => {
    const changes: unknown[] = [];
    const { connectors, calls } = mocked({ onWorldChange: (world, conversationId) => changes.push([conversationId, world]) });
    const refund = { payment_intent: 'pi_3Q1043', amount: 2400, reason: 'requested_by_customer' };
    const first = await connectors.execute('payments.create_refund', refund, { conversationId: 3 });
    expect(first).toEqual({ ok: true, data: { refund_id: 're_mock0001', amount_cents: 2400, currency: 'usd', status: 'succeeded' } });
    expect(calls[0]!.request).toMatchObject({ body: 'payment_intent=pi_3Q1043&amount=2400&reason=requested_by_customer', headers: { 'idempotency-key': 'pi_3Q1043-2400' } });
    // The same request again is an idempotent replay, as Stripe does with the Idempotency-Key.
    expect(await connectors.execute('payments.create_refund', refund, { conversationId: 3 })).toEqual(first);
    const tooMuch = await connectors.execute('payments.create_refund', { payment_intent: 'pi_3Q1043', amount: 5000 }, { conversationId: 3 });
    expect(tooMuch).toEqual({ ok: false, error: '@payments.create_refund failed: the mocked system answered 400: Refund amount (5000) is greater than unrefunded amount on charge (850).' });

    const world = connectors.finalWorld() as { payments: { refunds: { amount: number }[]; payment_intents: { id: string; amount_refunded: number }[] } };
    expect(world.payments.refunds.map((entry) => entry.amount / 100)).toEqual([24]);
    expect(world.payments.payment_intents.find((intent) => intent.id === 'pi_3Q1043')!.amount_refunded).toBe(2400);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toEqual([3, expect.objectContaining({ payments: expect.objectContaining({ refunds: [expect.objectContaining({ amount: 2400 })] }) })]);
    // Each run has its own world: a new instance starts from the starting world again.
    expect((mocked().connectors.finalWorld() as typeof world).payments.refunds).toEqual([]);
  });

  it('report a handler that fails, with the action and the line', async () => {
    const definition = connectorDefinitionSchema.parse({
      name: 'shop',
      baseUrl: 'https://example-shop.myshopify.com/admin/api/2024-10',
      auth: { type: 'none' },
      actions: [
        {
          name: 'get_order',
          description: 'Look up an order.',
          inputSchema: { type: 'object', properties: { order_number: { type: 'string' } } },
          method: 'GET',
          path: '/orders.json',
          mocks: { handler: ['orders = attributes["world"]["orders"]', 'return {"response": orders[5]}'] },
        },
        {
          name: 'no_response',
          description: 'Forgets to answer.',
          inputSchema: { type: 'object' },
          method: 'GET',
          path: '/x',
          mocks: { handler: 'attributes["world"]["touched"] = True' },
        },
      ],
    });
    const connectors = new RuntimeConnectors({ definitions: [definition], mode: 'mock', world: { orders: [] }, sandbox, clock: CLOCK });
    expect(await connectors.execute('shop.get_order', { order_number: '1' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: expect.stringMatching(/^The mock handler of @shop\.get_order failed: .*index out of range.* \(line 2 of the handler\)\.$/),
    });
    expect(await connectors.execute('shop.no_response', {}, { conversationId: 1 })).toEqual({
      ok: false,
      error: 'The mock handler of @shop.no_response gave no response: end it with return {"response": {...}}.',
    });
  });
});

describe('static mocks', () => {
  it('match on the input, inject 5xx and timeouts, run out after `times`, and let a run add its own first', async () => {
    const { connectors } = mocked({
      extraMocks: { 'shop.get_order': [{ when: { order_number: '1043' }, status: 200, body: { orders: [{ order_number: 1043, fulfillments: [{ shipment_status: 'lost' }] }] }, times: 1 }] },
    });
    // The run's own mock answers first, once.
    expect(await connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: 1 })).toMatchObject({ ok: true, data: { status: 'lost' } });
    expect(await connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: 1 })).toMatchObject({ ok: true, data: { status: 'delivered' } });
    // The definition's injected failures.
    expect(await connectors.execute('shop.get_order', { order_number: '9999' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: '@shop.get_order failed: the mocked system answered 503.',
    });
    expect(await connectors.execute('shop.get_order', { order_number: '0000' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: '@shop.get_order did not answer in time (an injected mock timeout).',
    });

    const definition = connectorDefinitionSchema.parse({
      name: 'tickets',
      baseUrl: 'https://api.linear.app',
      auth: { type: 'none' },
      actions: [{ name: 'create_issue', description: 'Open an issue.', inputSchema: { type: 'object' }, method: 'POST', path: '/graphql', mocks: { responses: [{ when: { title: 'x' }, body: { ok: 1 } }] } }],
    });
    const only = new RuntimeConnectors({ definitions: [definition], mode: 'mock' });
    expect(await only.execute('tickets.create_issue', { title: 'y' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: 'No mock of @tickets.create_issue answers this input: its static responses match other inputs (or were used up) and it has no handler.',
    });
    expect(connectorDefinitionSchema.safeParse({ ...definition, actions: [{ ...definition.actions[0], mocks: { responses: [{ error: 'timeout', body: {} }] } }] }).success).toBe(false);
  });
});

describe('the example shop', () => {
  const tempDir = useTempDir();

  it('has a mock for every action, and every example Procedure runs its actions and Python on them with no real system', async () => {
    const definitions = exampleConnectors();
    const known = new Map<string, ConnectorDefinition['actions'][number]>(definitions.flatMap((connector) => connector.actions.map((action) => [`${connector.name}.${action.name}`, action] as const)));
    for (const [name, action] of known) expect(action.mocks, name).toBeDefined();

    // Sample inputs a conversation with Jane (order 1043) would give each action, in order.
    const inputs: Record<string, Record<string, unknown>> = {
      'shop.get_order': { order_number: '1043' },
      'shop.create_replacement': { order_number: '1043', line_items: [{ sku: 'KETTLE-1', quantity: 1 }] },
      'payments.create_refund': { payment_intent: 'pi_3Q1043', amount: 2400 },
      'accounts.lookup_account': { email: 'jane.doe@example.com' },
      'accounts.send_code': { email: 'jane.doe@example.com' },
      'accounts.check_code': { email: 'jane.doe@example.com', code: '123456' },
      'accounts.unlock_account': { email: 'jane.doe@example.com' },
      'accounts.send_password_reset': { email: 'jane.doe@example.com' },
      'billing.get_subscription': { customer_email: 'jane.doe@example.com' },
      'billing.apply_discount': { subscription_id: 'sub_1Jane', coupon: 'RETAIN50' },
      'billing.cancel_subscription': { subscription_id: 'sub_1Jane' },
      'tickets.create_issue': { title: 'Kettle lid cracks', description: 'Two customers this week.' },
    };
    const attributes: Record<string, unknown> = {
      order_number: '1043',
      preferred_resolution: 'refund',
      refund_reason: 'changed_mind',
      returned_skus: ['MUG-2'],
      damage_description: 'The lid is cracked.',
      cancellation_reason: 'too_expensive',
      accepted_offer: true,
      email: 'jane.doe@example.com',
      has_email_access: true,
      account_locked: false,
      verification_code: '123456',
    };
    let snippets = 0;
    for (const file of exampleFiles()) {
      const { document } = parse(readExample(file));
      const { connectors } = mocked();
      const data: Record<string, unknown> = {};
      for (const name of namedActions(document)) {
        expect(known.has(name), `${file} names @${name}`).toBe(true);
        expect(inputs[name], `a sample input for ${name}`).toBeDefined();
        const result = await connectors.execute(name, inputs[name], { conversationId: 1 });
        expect(result, `${file}: @${name}`).toMatchObject({ ok: true });
        if (result.ok) data[name] = result.data;
      }
      const declared = document.frontMatter!.header!.attributes;
      const values = Object.fromEntries(declared.filter((decl) => decl.name in attributes).map((decl) => [decl.name, attributes[decl.name]]));
      for (const snippet of pythonSnippets(document)) {
        const result = await sandbox.evaluate({ mode: snippet.mode, code: snippet.code, attributes: values as never, data: data as never, declared, clock: { now: CLOCK().toISOString() } });
        expect(result, `${file}: ${snippet.code}`).toMatchObject({ ok: true });
        if (result.ok) Object.assign(values, result.attributeWrites);
        snippets++;
      }
    }
    expect(snippets).toBeGreaterThan(10);
  });

  it('installs with workspace init --example, and a mocked conversation keeps its final world', async () => {
    const workspace = Workspace.create(join(tempDir(), 'shop.stepwise'));
    try {
      const report = loadExamples(workspace);
      expect(report.worlds).toEqual(['shop']);
      const conversation = workspace.conversations.create({ kind: 'simulation' });
      const connectors = workspaceConnectors(workspace, { mode: 'mock', sandbox, clock: CLOCK });
      await connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: conversation.id });
      expect(workspace.worlds.final(conversation.id)).toBeNull();
      const replacement = await connectors.execute('shop.create_replacement', { order_number: '1043', line_items: [{ sku: 'KETTLE-1', quantity: 1 }] }, { conversationId: conversation.id });
      expect(replacement).toEqual({ ok: true, data: { order_number: '1100', name: '#1100' } });
      const kept = workspace.worlds.final(conversation.id)!;
      expect(kept.startedFrom).toBe('shop');
      const orders = (kept.world as { shop: { orders: { name: string; source_name?: string; line_items: unknown[] }[] } }).shop.orders;
      expect(orders.filter((order) => order.source_name === 'replacement')).toEqual([expect.objectContaining({ name: '#1100', line_items: [expect.objectContaining({ sku: 'KETTLE-1', quantity: 1 })] })]);
      // The starting world itself is unchanged.
      expect((workspace.worlds.get('shop')!.world as typeof kept.world & { shop: { orders: unknown[] } }).shop.orders).toHaveLength(3);
      expect(() => workspaceConnectors(workspace, { mode: 'mock', world: 'moon' })).toThrow('There is no mock world "moon" in this workspace (it has shop).');
    } finally {
      workspace.close();
    }
  });
});
