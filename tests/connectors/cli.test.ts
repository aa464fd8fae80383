// `stepwise connectors …` in-process: list, try (mocked and live), add, secret, import-openapi, mcp-tools.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { captureIo } from '../support/capture-io';
import { repoRoot } from '../support/paths';
import { useTempDir } from '../store/helpers';
import { json, useServers } from './helpers';

describe('connectors commands', () => {
  const tempDir = useTempDir();
  const serve = useServers();
  const run = async (dir: string, argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const io = { ...captureIo(dir), env };
    const code = await runCli(argv, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('list the example connectors, and try an action mocked: request, response, what the model sees', async () => {
    const dir = tempDir();
    expect((await run(dir, ['workspace', 'init', 'shop.stepwise', '--example'])).out).toMatch(/1 mock world \(shop\)/);
    const list = await run(dir, ['connectors', 'list', '--workspace', 'shop.stepwise']);
    expect(list.code).toBe(0);
    expect(list.out).toContain('@payments.create_refund  [confirm]  [mocked]');
    expect(list.out).toContain('shop  (https://example-shop.myshopify.com/admin/api/2024-10)');

    const tried = await run(dir, ['connectors', 'try', 'shop.get_order', '--input', '{"order_number":"1043"}', '--mock', '--workspace', 'shop.stepwise']);
    expect(tried.code).toBe(0);
    expect(tried.out).toContain('@shop.get_order (mocked) succeeded');
    expect(tried.out).toContain('Request (not sent: mocked)\n  GET https://example-shop.myshopify.com/admin/api/2024-10/orders.json?name=%231043&status=any');
    expect(tried.out).toContain('x-shopify-access-token: [secret:shopify_admin_token]');
    expect(tried.out).toContain('"email": "jane.doe@example.com"');
    expect(tried.out).toMatch(/What the model sees\n[\s\S]*"delivered_on": "2026-11-10"/);
    expect(tried.out).toContain('The world did not change.');

    const refund = await run(dir, ['connectors', 'try', 'payments.create_refund', '--input', '{"payment_intent":"pi_3Q1043","amount":2400}', '--mock', '--json', '--workspace', 'shop.stepwise']);
    const result = JSON.parse(refund.out);
    expect(result).toMatchObject({ ok: true, mode: 'mock', shown: { amount_cents: 2400, status: 'succeeded' }, world: { changed: true } });
    expect(result.world.after.payments.refunds).toHaveLength(1);

    const bad = await run(dir, ['connectors', 'try', 'shop.get_order', '--input', '{}', '--mock', '--workspace', 'shop.stepwise']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('The input of @shop.get_order is not valid: "order_number" is required.');
    expect(await run(dir, ['connectors', 'try', 'shop.nothing', '--workspace', 'shop.stepwise'])).toMatchObject({ code: 2, err: expect.stringContaining('There is no action @shop.nothing') });
  });

  it('add a connector, store its secret from the environment, and try it live with the secret redacted', async () => {
    const dir = tempDir();
    const server = await serve((req, res) => json(res, 200, { ok: true, saw: req.headers.authorization, order: { status: 'shipped', internal_cost: 3.1 } }));
    await run(dir, ['workspace', 'init', 'w.stepwise']);
    writeFileSync(
      join(dir, 'orders.json'),
      JSON.stringify({
        name: 'orders',
        baseUrl: `${server.url}/api`,
        allowInternalHosts: true,
        auth: { type: 'bearer', secret: 'orders_token' },
        actions: [{ name: 'status', description: 'Order status.', inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, method: 'GET', path: '/orders/{{input.id}}', responseFields: { status: 'order.status' } }],
      }),
    );
    expect(await run(dir, ['connectors', 'add', 'orders.json', '--workspace', 'w.stepwise'])).toMatchObject({
      code: 0,
      out: `Saved connector "orders" with 1 action; it needs the secret orders_token.\nApproved as you added it: it may reach internal addresses (private networks, this machine) at 127.0.0.1.\n`,
    });
    const missing = await run(dir, ['connectors', 'try', 'orders.status', '--input', '{"id":"7"}', '--workspace', 'w.stepwise']);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('The secret "orders_token" that connector "orders" needs is not set');
    expect(await run(dir, ['connectors', 'secret', 'orders_token', '--workspace', 'w.stepwise'])).toMatchObject({ code: 2, err: expect.stringContaining('--from-env') });
    expect((await run(dir, ['connectors', 'secret', 'orders_token', '--from-env', 'ORDERS_TOKEN', '--workspace', 'w.stepwise'], { ORDERS_TOKEN: 'live-token-5551' })).code).toBe(0);

    const tried = await run(dir, ['connectors', 'try', 'orders.status', '--input', '{"id":"7"}', '--workspace', 'w.stepwise']);
    expect(tried.code).toBe(0);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer live-token-5551');
    expect(tried.out).toContain(`GET ${server.url}/api/orders/7`);
    expect(tried.out).toContain('authorization: Bearer [redacted:orders_token]');
    expect(tried.out).toContain('"saw": "Bearer [redacted:orders_token]"');
    expect(tried.out).toMatch(/What the model sees\n {2}\{\n {4}"status": "shipped"\n {2}\}/);
    expect(tried.out).not.toContain('live-token-5551');
  });

  it('import operations from an OpenAPI file, and allow an MCP server\'s tools', async () => {
    const dir = tempDir();
    await run(dir, ['workspace', 'init', 'w.stepwise']);
    const spec = join(repoRoot, 'tests/connectors/fixtures/github-issues.openapi.json');
    const listed = await run(dir, ['connectors', 'import-openapi', spec, '--workspace', 'w.stepwise']);
    expect(listed.out).toContain('issues/create                    POST /repos/{owner}/{repo}/issues  Create an issue');
    const imported = await run(dir, ['connectors', 'import-openapi', spec, '--connector', 'github', '--operations', 'issues/create,issues/get', '--workspace', 'w.stepwise']);
    expect(imported).toMatchObject({ code: 0, out: expect.stringContaining('Imported 2 operations into "github": @github.issues_create, @github.issues_get.') });
    const shown = JSON.parse((await run(dir, ['connectors', 'show', 'github', '--workspace', 'w.stepwise'])).out);
    expect(shown.actions.map((action: { name: string }) => action.name)).toEqual(['issues_create', 'issues_get']);

    writeFileSync(
      join(dir, 'everything.json'),
      JSON.stringify({ kind: 'mcp', name: 'everything', transport: { type: 'stdio', command: process.execPath, args: [join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'] } }),
    );
    expect((await run(dir, ['connectors', 'add', 'everything.json', '--workspace', 'w.stepwise'])).out).toMatch(/^Saved connector "everything" with 0 actions\.\nApproved as you added it: it runs the command `\S+ \S+server-everything\S+ stdio` on this machine\.\n$/);
    const tools = await run(dir, ['connectors', 'mcp-tools', 'everything', '--workspace', 'w.stepwise']);
    expect(tools.out).toMatch(/tools on "everything"[\s\S]* {3}echo /);
    expect((await run(dir, ['connectors', 'mcp-tools', 'everything', '--allow', 'echo,get-sum', '--workspace', 'w.stepwise'])).out).toBe(
      'Procedures may now use @everything.echo, @everything.get-sum.\n',
    );
    const tried = await run(dir, ['connectors', 'try', 'everything.get-sum', '--input', '{"a":20,"b":22}', '--workspace', 'w.stepwise']);
    expect(tried.code).toBe(0);
    expect(tried.out).toContain('MCP everything → get-sum');
    expect(tried.out).toContain('"text": "The sum of 20 and 22 is 42."');
  });
});
