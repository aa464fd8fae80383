// MCP servers: a real server from npm (@modelcontextprotocol/server-everything) over stdio, and an
// SDK server over Streamable HTTP on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { McpServer as SdkServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectorDefinitionSchema, mcpServerSchema, type McpServer } from '../../main/connectors/definition';
import { McpConnection } from '../../main/connectors/mcp-connection';
import { allowTools } from '../../main/connectors/mcp-tools';
import { RuntimeConnectors, type ConnectorCallRecord } from '../../main/connectors/runtime-connectors';
import { repoRoot } from '../support/paths';
import { grantEverything, MemorySecretStore } from './helpers';

const EVERYTHING = join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

function everything(actions: unknown[] = [], extra: Record<string, unknown> = {}): McpServer {
  return mcpServerSchema.parse({ kind: 'mcp', name: 'everything', transport: { type: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'] }, actions, ...extra });
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

describe('MCP servers over stdio', () => {
  it('list the tools, allow some as actions, and call them', async () => {
    const bare = everything();
    const connection = new McpConnection(bare, { secrets: async () => '' });
    open.push(connection);
    const tools = await connection.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-structured-content']));
    const actions = allowTools(bare, tools, ['echo', 'get-sum', 'get-structured-content']);
    expect(actions.map((action) => action.name)).toEqual(['echo', 'get-sum', 'get-structured-content']);
    expect(actions[1]!.inputSchema).toMatchObject({ type: 'object', required: ['a', 'b'] });
    expect(() => allowTools(bare, tools, ['echo', 'rm-rf'])).toThrow(/has no tool "rm-rf"; it lists echo, /);

    // The allow-list is stored as a definition; Procedures name its tools as @everything.<tool>.
    const definition = connectorDefinitionSchema.parse({ ...bare, actions: actions.map((action) => (action.name === 'get-structured-content' ? { ...action, responseFields: { temperature: 'temperature' } } : action)) });
    const calls: ConnectorCallRecord[] = [];
    const connectors = new RuntimeConnectors({ definitions: [definition], mode: 'live', grants: grantEverything([definition]), onCall: (call) => calls.push(call) });
    open.push(connectors);
    expect(connectors.describe('everything.get-sum')).toMatchObject({ name: 'everything.get-sum', confirm: false, inputSchema: { type: 'object' } });
    expect(connectors.describe('everything.get-env')).toBeUndefined();
    expect(await connectors.execute('everything.echo', { message: 'hello' }, { conversationId: 1 })).toEqual({ ok: true, data: { text: 'Echo: hello' } });
    expect(await connectors.execute('everything.get-sum', { a: 2, b: 40 }, { conversationId: 1 })).toEqual({ ok: true, data: { text: 'The sum of 2 and 40 is 42.' } });
    const weather = await connectors.execute('everything.get-structured-content', { location: 'Chicago' }, { conversationId: 1 });
    expect(weather).toEqual({ ok: true, data: { temperature: expect.any(Number) } });
    expect(calls[2]!.fullResponse).toMatchObject({ structuredContent: { temperature: expect.any(Number), conditions: expect.any(String) } });
    expect(calls[2]!.request).toEqual({ server: 'everything', tool: 'get-structured-content', arguments: { location: 'Chicago' } });
    // A tool outside the allow-list cannot run, and bad input never reaches the server.
    expect(await connectors.execute('everything.get-env', {}, { conversationId: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('no connector action @everything.get-env') });
    expect(await connectors.execute('everything.get-sum', { a: 'two' }, { conversationId: 1 })).toEqual({
      ok: false,
      error: 'The input of @everything.get-sum is not valid: "b" is required; a must be number.',
    });
  });

  it('report a server that dies mid-call, and reconnect on the next use', async () => {
    const tools = [
      { name: 'echo', description: 'Echoes.', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
      { name: 'trigger-long-running-operation', description: 'Takes a while.', inputSchema: { type: 'object', properties: { duration: { type: 'number' }, steps: { type: 'number' } } } },
    ];
    const logs: string[] = [];
    const connectors = new RuntimeConnectors({ definitions: [everything(tools)], mode: 'live', grants: grantEverything([everything(tools)]), log: (line) => logs.push(line) });
    open.push(connectors);
    expect((await connectors.execute('everything.echo', { message: 'one' }, { conversationId: 1 })).ok).toBe(true);
    const connection = connectors.connection(everything(tools));
    const firstPid = connection.pid!;
    expect(firstPid).toBeGreaterThan(0);

    const slow = connectors.execute('everything.trigger-long-running-operation', { duration: 10, steps: 2 }, { conversationId: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(firstPid, 'SIGKILL');
    const failed = await slow;
    expect(failed).toEqual({ ok: false, error: expect.stringMatching(/^MCP server "everything" closed the connection while calling trigger-long-running-operation.*It will be reconnected on the next use\.$/) });

    const again = await connectors.execute('everything.echo', { message: 'two' }, { conversationId: 1 });
    expect(again).toEqual({ ok: true, data: { text: 'Echo: two' } });
    expect(connection.pid).not.toBe(firstPid);
    expect(connection.connects).toBe(2);

    // Killed while idle: noticed, logged, and reconnected when next needed.
    process.kill(connection.pid!, 'SIGKILL');
    await waitFor(() => !connection.connected);
    expect(logs.some((line) => line.includes('MCP server "everything" disconnected'))).toBe(true);
    expect(await connectors.execute('everything.echo', { message: 'three' }, { conversationId: 1 })).toEqual({ ok: true, data: { text: 'Echo: three' } });
    expect(connection.connects).toBe(3);
  });

  it('time out a call that takes too long, and a server that cannot start', async () => {
    const tools = [{ name: 'trigger-long-running-operation', description: 'Takes a while.', inputSchema: { type: 'object' }, timeoutMs: 300 }, { name: 'echo', description: 'Echoes.', inputSchema: { type: 'object' } }];
    const connectors = new RuntimeConnectors({ definitions: [everything(tools)], mode: 'live', grants: grantEverything([everything(tools)]) });
    open.push(connectors);
    const started = Date.now();
    const result = await connectors.execute('everything.trigger-long-running-operation', { duration: 5, steps: 1 }, { conversationId: 1 });
    expect(result).toEqual({ ok: false, error: 'MCP server "everything" did not answer in time while calling trigger-long-running-operation. It will be reconnected on the next use.' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await connectors.execute('everything.echo', { message: 'back' }, { conversationId: 1 })).toEqual({ ok: true, data: { text: 'Echo: back' } });

    const missing = mcpServerSchema.parse({ kind: 'mcp', name: 'ghost', transport: { type: 'stdio', command: '/nonexistent/mcp-server' }, actions: [{ name: 'x', description: 'X.', inputSchema: { type: 'object' } }] });
    const broken = new RuntimeConnectors({ definitions: [missing], mode: 'live', grants: grantEverything([missing]) });
    open.push(broken);
    expect(await broken.execute('ghost.x', {}, { conversationId: 1 })).toEqual({
      ok: false,
      error: 'MCP server "ghost" could not be started: the command "/nonexistent/mcp-server" was not found. It will be reconnected on the next use.',
    });
  });

  it('give secrets to the server through its environment, and keep them out of what is recorded', async () => {
    const server = everything([{ name: 'get-env', description: 'The environment.', inputSchema: { type: 'object' } }], {
      transport: { type: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], env: { SHOP_API_TOKEN: { secret: 'mcp_token' }, REGION: 'eu' } },
    });
    const calls: ConnectorCallRecord[] = [];
    const connectors = new RuntimeConnectors({ definitions: [server], mode: 'live', grants: grantEverything([server]), secrets: new MemorySecretStore({ mcp_token: 'mcp-secret-7f3a9c' }), onCall: (call) => calls.push(call) });
    open.push(connectors);
    const result = await connectors.execute('everything.get-env', {}, { conversationId: 1 });
    expect(result.ok).toBe(true);
    const seen = JSON.stringify(result);
    expect(seen).toContain('[redacted:mcp_token]');
    expect(seen).toContain('"REGION":"eu"');
    expect(JSON.stringify(calls)).not.toContain('mcp-secret-7f3a9c');
    // A credential typed into the environment as plain text is refused.
    expect(mcpServerSchema.safeParse({ kind: 'mcp', name: 'x', transport: { type: 'stdio', command: 'node', env: { API_TOKEN: 'abc123' } } }).error?.issues[0]).toMatchObject({
      path: ['transport', 'env', 'API_TOKEN'],
      message: expect.stringContaining('looks like a credential'),
    });
  });
});

describe('MCP servers over Streamable HTTP', () => {
  it('connect to a URL, list and call tools, and refuse loopback without permission', async () => {
    const http = await startHttpMcpServer();
    open.push({ close: () => new Promise<void>((resolve) => http.server.close(() => resolve())) });
    const definition = mcpServerSchema.parse({
      kind: 'mcp',
      name: 'orders',
      transport: { type: 'http', url: `http://127.0.0.1:${http.port}/mcp`, auth: { type: 'bearer', secret: 'orders_token' } },
      actions: [],
    });
    const secrets = new MemorySecretStore({ orders_token: 'tok-orders-1' });
    const connection = new McpConnection(definition, { secrets: async (name) => (await secrets.get(name))!, loopbackPortsForTesting: new Set([http.port]) });
    open.push(connection);
    const tools = await connection.listTools();
    expect(tools).toEqual([{ name: 'order_status', description: 'The status of an order.', inputSchema: expect.objectContaining({ type: 'object', required: ['order_number'] }) }]);
    expect(http.authorizations.every((value) => value === 'Bearer tok-orders-1')).toBe(true);

    const withTools = { ...definition, actions: allowTools(definition, tools, ['order_status']) };
    const connectors = new RuntimeConnectors({ definitions: [withTools], mode: 'live', grants: grantEverything([withTools]), secrets, loopbackPortsForTesting: [http.port] });
    open.push(connectors);
    expect(await connectors.execute('orders.order_status', { order_number: '1043' }, { conversationId: 1 })).toEqual({ ok: true, data: { order_number: '1043', status: 'delivered' } });

    const refused = new RuntimeConnectors({ definitions: [withTools], mode: 'live', grants: grantEverything([withTools]), secrets });
    open.push(refused);
    expect(await refused.execute('orders.order_status', { order_number: '1043' }, { conversationId: 1 })).toMatchObject({
      ok: false,
      error: expect.stringContaining('127.0.0.1 is a loopback address'),
    });
  });
});

async function startHttpMcpServer(): Promise<{ server: Server; port: number; authorizations: string[] }> {
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const mcp = new SdkServer({ name: 'orders', version: '1.0.0' });
      mcp.registerTool(
        'order_status',
        { description: 'The status of an order.', inputSchema: { order_number: z.string() }, outputSchema: { order_number: z.string(), status: z.string() } },
        async ({ order_number }) => {
          const result = { order_number, status: 'delivered' };
          return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
        },
      );
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      await mcp.connect(transport);
      const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      await transport.handleRequest(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, authorizations };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
