// The connectors screen's calls: listings (users of each action, secrets present, last try), saves
// checked by the engine's schema with nothing written when invalid, secrets set by name and never
// sent back, tries mocked and live (secrets masked), OpenAPI imports and an MCP server's tools.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { maskSecretValues } from '../../main/api/connectors-masking';
import { repoRoot } from '../support/paths';
import { useEngine } from './helpers';

const EVERYTHING = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const GITHUB = readFileSync(join(repoRoot, 'tests/connectors/fixtures/github-issues.openapi.json'), 'utf8');
type View = { name: string; kind: string; actions: { name: string; usedBy: string[] }[]; secrets: { name: string; present: boolean }[]; lastTry: { ok: boolean; action: string } | null; definition: Record<string, unknown> };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A local API that echoes the request's headers back in its body (as a careless server might). */
async function echoServer(): Promise<string> {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ id: 'c_1', seen: request.headers, path: request.url }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const crm = (baseUrl: string, extra: Record<string, unknown> = {}) => ({
  kind: 'http',
  name: 'crm',
  baseUrl,
  auth: { type: 'bearer', secret: 'crm_token' },
  allowInternalHosts: true,
  actions: [{ name: 'get_customer', description: 'Find a customer.', method: 'GET', path: '/customers/{{input.id}}', inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, responseFields: { id: 'id' } }],
  ...extra,
});

describe('connectors through the API', () => {
  const engine = useEngine();

  it('lists the connectors with their actions, the Procedures using each, and which secrets are stored', async () => {
    const api = engine();
    const list = (await api.call('connectors.list')) as View[];
    expect(list.map((connector) => connector.name)).toEqual(expect.arrayContaining(['shop', 'payments', 'billing', 'accounts', 'tickets']));
    const shop = list.find((connector) => connector.name === 'shop')!;
    expect(shop.kind).toBe('http');
    expect(shop.actions.find((action) => action.name === 'get_order')!.usedBy).toEqual(expect.arrayContaining(['Refund request']));
    expect(shop.secrets).toEqual([{ name: 'shopify_admin_token', present: false }]);
    expect(shop.lastTry).toBeNull();
  });

  it('saves nothing when a field is invalid, and says which', async () => {
    const api = engine();
    const before = JSON.stringify(await api.call('connectors.list'));
    await expect(api.call('connectors.save', { definition: crm('ftp://crm.example.com') })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('baseUrl must be an http(s) URL') });
    // A token pasted into a header is refused, not stored.
    await expect(api.call('connectors.save', { definition: crm('https://crm.example.com', { actions: [{ ...crm('').actions[0], headers: { Authorization: 'Bearer sk-pasted' } }] }) })).rejects.toMatchObject({ code: 'invalid' });
    // Stepwise's own model key is never a connector's secret.
    await expect(api.call('connectors.save', { definition: crm('https://crm.example.com', { auth: { type: 'bearer', secret: 'model.api_key' } }) })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining("the model's key") });
    // A new connector under a taken name is refused, not written over the old one.
    await expect(api.call('connectors.save', { definition: { ...crm('https://crm.example.com'), name: 'shop' }, create: true })).rejects.toMatchObject({ code: 'conflict' });
    expect(JSON.stringify(await api.call('connectors.list'))).toBe(before);
    expect(api.workspaceBytes()).not.toContain('sk-pasted');
  });

  it('sets, replaces and deletes a secret by name, never sending the value back', async () => {
    const api = engine();
    await api.call('connectors.save', { definition: crm('https://crm.example.com') });
    const answers: unknown[] = [];
    answers.push(await api.call('connectors.setSecret', { connector: 'crm', name: 'crm_token', value: 'tok-first-value-1' }));
    answers.push(await api.call('connectors.setSecret', { connector: 'crm', name: 'crm_token', value: 'tok-second-value-2' }));
    const listed = (await api.call('connectors.list')) as View[];
    answers.push(listed);
    expect(listed.find((connector) => connector.name === 'crm')!.secrets).toEqual([{ name: 'crm_token', present: true }]);
    expect(JSON.stringify(answers)).not.toMatch(/tok-(first|second)-value/);
    expect(api.workspaceBytes()).not.toMatch(/tok-(first|second)-value/);
    // A name the connector does not use, and Stepwise's own key, are refused.
    await expect(api.call('connectors.setSecret', { connector: 'crm', name: 'other_token', value: 'x1234' })).rejects.toMatchObject({ code: 'invalid' });
    await expect(api.call('connectors.deleteSecret', { name: 'model.api_key' })).rejects.toMatchObject({ code: 'not-found' });
    expect(await api.call('connectors.deleteSecret', { name: 'crm_token' })).toEqual({ name: 'crm_token', present: false });
    expect(((await api.call('connectors.list')) as View[]).find((connector) => connector.name === 'crm')!.secrets).toEqual([{ name: 'crm_token', present: false }]);
  });

  it('tries a mocked action: the request it would send, the response, the fields kept, and records the try', async () => {
    const api = engine();
    const result = (await api.call('connectors.try', { action: 'shop.get_order', input: { order_number: '9999' }, mode: 'mock' })) as Record<string, unknown>;
    expect(result).toMatchObject({ mode: 'mock', ok: false, status: 503, error: expect.any(String) });
    expect((result.request as { url: string }).url).toContain('/orders.json');
    const shop = ((await api.call('connectors.list')) as View[]).find((connector) => connector.name === 'shop')!;
    expect(shop.lastTry).toMatchObject({ ok: false, action: 'shop.get_order' });
    await expect(api.call('connectors.try', { action: 'shop.nope', input: {} })).rejects.toMatchObject({ code: 'not-found' });
    await expect(api.call('connectors.try', { action: 'shop.get_order', input: { order_number: '9999' }, world: 'atlantis' })).rejects.toMatchObject({ code: 'not-found', message: 'There is no mock world "atlantis" in this workspace.' });
  });

  it('tries a live action with the secret masked, even where the server echoes it back', async () => {
    const api = engine();
    await api.call('connectors.save', { definition: crm(await echoServer()) });
    await api.call('connectors.setSecret', { connector: 'crm', name: 'crm_token', value: 'tok-live-secret-9' });
    const result = (await api.call('connectors.try', { action: 'crm.get_customer', input: { id: '42' }, mode: 'live' })) as Record<string, unknown>;
    expect(result).toMatchObject({ mode: 'live', ok: true, status: 200, shown: { id: 'c_1' } });
    expect(result.response).toMatchObject({ path: '/customers/42' });
    expect(JSON.stringify(result)).not.toContain('tok-live-secret-9');
  });

  it('masks a secret value wherever it sits', () => {
    expect(maskSecretValues({ a: ['x tok-1234 y'], 'tok-1234': 1, n: 2 }, ['tok-1234', 'ab'])).toEqual({ a: ['x •••••• y'], '••••••': 1, n: 2 });
  });

  it('refuses to delete a connector a Procedure uses, and deletes one nobody uses', async () => {
    const api = engine();
    await expect(api.call('connectors.delete', { name: 'shop' })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('Refund request') });
    await api.call('connectors.save', { definition: crm('https://crm.example.com') });
    expect(await api.call('connectors.delete', { name: 'crm' })).toEqual({ ok: true });
    expect(((await api.call('connectors.list')) as View[]).some((connector) => connector.name === 'crm')).toBe(false);
  });

  it('imports chosen OpenAPI operations: a preview saves nothing, the import creates the actions', async () => {
    const api = engine();
    const operations = (await api.call('connectors.openApiOperations', { document: GITHUB })) as { id: string }[];
    expect(operations.map((operation) => operation.id)).toEqual(expect.arrayContaining(['issues/list-for-repo', 'issues/create', 'issues/get']));
    const chosen = ['issues/get', 'issues/create'];
    const preview = (await api.call('connectors.importOpenApi', { document: GITHUB, name: 'github', operations: chosen, preview: true })) as { definition: { actions: { name: string }[] }; saved: boolean };
    expect(preview.saved).toBe(false);
    expect(preview.definition.actions).toHaveLength(2);
    expect(((await api.call('connectors.list')) as View[]).some((connector) => connector.name === 'github')).toBe(false);
    await api.call('connectors.importOpenApi', { document: GITHUB, name: 'github', operations: chosen });
    const github = ((await api.call('connectors.list')) as View[]).find((connector) => connector.name === 'github')!;
    expect(github.actions.map((action) => action.name).sort()).toEqual(preview.definition.actions.map((action) => action.name).sort());
    await expect(api.call('connectors.openApiOperations', { document: '{"swagger": "2.0"}' })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('OpenAPI 3') });
  });

  it("connects to an MCP server, lists its tools with their schemas and saves the allow-list; a failure is the server's state", async () => {
    const api = engine();
    await api.call('connectors.save', { definition: { kind: 'mcp', name: 'everything', transport: { type: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] } } });
    const listed = (await api.call('connectors.mcpTools', { name: 'everything' })) as { state: string; tools: { name: string; inputSchema: Record<string, unknown>; allowed: boolean }[] };
    expect(listed.state).toBe('connected');
    expect(listed.tools.find((tool) => tool.name === 'get-sum')).toMatchObject({ allowed: false, inputSchema: { type: 'object', required: ['a', 'b'] } });
    const allowed = (await api.call('connectors.mcpTools', { name: 'everything', allow: ['echo'] })) as typeof listed;
    expect(allowed.tools.filter((tool) => tool.allowed).map((tool) => tool.name)).toEqual(['echo']);
    expect(((await api.call('connectors.list')) as View[]).find((connector) => connector.name === 'everything')!.actions.map((action) => action.name)).toEqual(['echo']);

    await api.call('connectors.save', { definition: { kind: 'mcp', name: 'broken', connectTimeoutMs: 3000, transport: { type: 'stdio', command: process.execPath, args: ['-e', 'process.exit(3)'] } } });
    expect(await api.call('connectors.mcpTools', { name: 'broken' })).toMatchObject({ state: 'failed', error: expect.any(String), tools: [] });
  }, 30_000);
});

describe('mock worlds through the API', () => {
  const engine = useEngine();

  it('reads, replaces and refuses worlds, and shows a run\'s final world beside its start', async () => {
    const api = engine();
    expect(await api.call('connectors.worlds')).toEqual([expect.objectContaining({ name: 'shop' })]);
    const shop = (await api.call('connectors.world', { name: 'shop' })) as { world: Record<string, unknown> };
    expect(Object.keys(shop.world)).toEqual(expect.arrayContaining(['shop', 'payments']));
    await expect(api.call('connectors.saveWorld', { name: 'shop', world: [1, 2] })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('not a JSON object') });
    await expect(api.call('connectors.saveWorld', { name: 'Bad Name', world: {} })).rejects.toMatchObject({ code: 'invalid' });
    expect(((await api.call('connectors.world', { name: 'shop' })) as { world: unknown }).world).toEqual(shop.world);
    await api.call('connectors.saveWorld', { name: 'tiny', description: 'one order', world: { orders: [{ id: 1, status: 'open' }] } });
    // A mocked run that changed its world (as the runtime keeps it after each change).
    const run = api.workspace.conversations.create({ kind: 'preview' }).id;
    api.workspace.worlds.saveFinal(run, { orders: [{ id: 1, status: 'refunded' }], refunds: [{ order: 1 }] }, 'tiny');
    expect(await api.call('connectors.runWorld', { conversationId: run })).toEqual({
      conversationId: run,
      startedFrom: 'tiny',
      initial: { orders: [{ id: 1, status: 'open' }] },
      final: { orders: [{ id: 1, status: 'refunded' }], refunds: [{ order: 1 }] },
    });
    const untouched = api.workspace.conversations.create({ kind: 'preview' }).id;
    expect(await api.call('connectors.runWorld', { conversationId: untouched })).toEqual({ conversationId: untouched, startedFrom: null, initial: null, final: null });
  });
});

describe('approvals through the API', () => {
  const engine = useEngine();

  it('shows what a connector nobody approved asks for, and approves exactly what is named', async () => {
    const api = engine();
    // As a bundle brings it: stored, with no approval.
    api.workspace.connectors.save({ ...crm('http://127.0.0.1:9/'), name: 'imported' });
    const pending = () => (((api.call('connectors.list') as Promise<View[]>).then((list) => (list.find((connector) => connector.name === 'imported') as unknown as { pending: { kind: string; name: string }[] }).pending)));
    expect(await pending()).toEqual([expect.objectContaining({ kind: 'secret', name: 'crm_token' }), expect.objectContaining({ kind: 'internal-hosts', name: '' })]);
    // A secret it does not name is refused, and nothing is approved.
    await expect(api.call('connectors.approve', { name: 'imported', capabilities: [{ kind: 'secret', name: 'other' }] })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('reads no secret "other"') });
    expect(await pending()).toHaveLength(2);
    await api.call('connectors.approve', { name: 'imported', capabilities: [{ kind: 'internal-hosts' }] });
    expect(await pending()).toEqual([expect.objectContaining({ kind: 'secret', name: 'crm_token' })]);
  });
});
