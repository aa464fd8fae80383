import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema, secretNames } from '../../main/connectors/definition';
import { StoreError } from '../../main/store/errors';
import { describeZodError } from '../../main/validation/zod-error';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';
import { sqlOf } from '../store/sql';

const base = {
  name: 'payments',
  baseUrl: 'https://api.stripe.com/v1',
  auth: { type: 'bearer', secret: 'stripe_secret_key' },
  actions: [{ name: 'create_refund', description: 'Refund a payment.', inputSchema: { type: 'object' }, method: 'POST', path: '/refunds', confirm: true }],
};

describe('connector definitions', () => {
  const tempDir = useTempDir();

  it('take secrets by name only, refusing a pasted value in any form', () => {
    const parsed = connectorDefinitionSchema.parse(base);
    expect(parsed.allowInternalHosts).toBe(false);
    expect(secretNames(parsed)).toEqual(['stripe_secret_key']);
    expect(connectorDefinitionSchema.safeParse({ ...base, auth: { type: 'bearer', secret: 'stripe_secret_key', token: 'sk_live_123' } }).success).toBe(false);
    expect(connectorDefinitionSchema.safeParse({ ...base, auth: { type: 'bearer', secret: 'sk live 123 with spaces' } }).success).toBe(false);
    const headers = { ...base, actions: [{ ...base.actions[0], headers: { Authorization: 'Bearer sk_live_123' } }] };
    expect(connectorDefinitionSchema.safeParse(headers).success).toBe(false);
  });

  it('are checked by the store, which says what is wrong', () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      expect(() => workspace.connectors.save({ ...base, actions: [{ ...base.actions[0], name: 'Create Refund' }] })).toThrow(StoreError);
      expect(() => workspace.connectors.save({ ...base, baseUrl: 'ftp://x' })).toThrow(/baseUrl: baseUrl must be an http\(s\) URL/);
      workspace.connectors.save(base);
      expect(workspace.connectors.get('payments')?.actions[0]?.confirm).toBe(true);
    } finally {
      workspace.close();
    }
  });
});

describe('connector definitions: the format', () => {
  const tempDir = useTempDir();
  const problem = (input: unknown) => {
    const parsed = connectorDefinitionSchema.safeParse(input);
    return parsed.success ? null : describeZodError(parsed.error);
  };

  it('name the field that is wrong', () => {
    const action = base.actions[0];
    expect(problem({ ...base, actions: [{ ...action, responseFields: ['orders[0]..id'] }] })).toBe('actions[0].responseFields[0]: "orders[0]..id" has a "." with no name after it');
    expect(problem({ ...base, actions: [{ ...action, responseFields: { total: { path: 'total_price', as: 'money' } } }] })).toMatch(/^actions\[0\]\.responseFields/);
    expect(problem({ ...base, actions: [{ ...action, path: undefined }] })).toBe('actions[0].path: an action has either a path or a url');
    expect(problem({ ...base, actions: [{ ...action, retries: 2 }] })).toMatch(/^actions\[0\]\.retries: a POST is not idempotent/);
    expect(problem({ ...base, actions: [{ ...action, mocks: {} }] })).toBe('actions[0].mocks: give static responses, a handler, or both');
    expect(problem({ ...base, actions: [{ ...action, mocks: { responses: [{ status: 700 }] } }] })).toMatch(/^actions\[0\]\.mocks\.responses\[0\]\.status/);
    expect(problem({ ...base, actions: [action, action] })).toBe('actions[1].name: two actions are called "create_refund"');
    expect(problem({ ...base, kind: 'ftp' })).toBe('kind: kind is "http" (a data connector) or "mcp" (an MCP server)');
    expect(problem({ kind: 'mcp', name: 'files', transport: { type: 'stdio', command: '' } })).toBe('transport.command: say which program starts the server');
    expect(problem({ kind: 'mcp', name: 'files', transport: { type: 'stdio', command: 'node' }, actions: [{ name: 'read file', description: 'x', inputSchema: { type: 'object' } }] })).toMatch(/^actions\[0\]\.name: use letters, digits/);
  });

  it('read definitions stored before MCP servers and mocks existed, as HTTP connectors', () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      sqlOf(workspace).prepare("INSERT INTO connectors (name, definition, created_at, updated_at) VALUES ('payments', ?, 't', 't')").run(JSON.stringify(base));
      const stored = workspace.connectors.get('payments')!;
      expect(stored.kind).toBe('http');
      expect(stored.actions[0]).toMatchObject({ name: 'create_refund', confirm: true });
      expect(stored.kind === 'http' && stored.maxResponseBytes).toBe(1_000_000);
    } finally {
      workspace.close();
    }
  });

  it('take mock handlers as one string or a list of lines, and MCP secrets by name', () => {
    const parsed = connectorDefinitionSchema.parse({ ...base, actions: [{ ...base.actions[0], mocks: { handler: ['x = 1', 'return {"response": {"x": x}}'] } }] });
    expect(parsed.actions[0]!.mocks).toEqual({ responses: [], handler: 'x = 1\nreturn {"response": {"x": x}}' });
    const server = connectorDefinitionSchema.parse({ kind: 'mcp', name: 'files', transport: { type: 'stdio', command: 'node', env: { FILES_TOKEN: { secret: 'files_token' }, ROOT: '/srv' } } });
    expect(secretNames(server)).toEqual(['files_token']);
    const http = connectorDefinitionSchema.parse({ kind: 'mcp', name: 'crm', transport: { type: 'http', url: 'https://mcp.example.com/mcp', auth: { type: 'bearer', secret: 'crm_token' } } });
    expect(secretNames(http)).toEqual(['crm_token']);
  });
});

describe('conversations and traces', () => {
  const tempDir = useTempDir();

  it('number messages and trace events per conversation, and write a batch all or none', () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      const conversation = workspace.conversations.create({ kind: 'simulation' });
      expect(workspace.conversations.addMessage(conversation.id, 'customer', 'My mug broke.')).toBe(1);
      expect(workspace.conversations.addMessage(conversation.id, 'agent', 'Sorry to hear that!')).toBe(2);
      expect(workspace.conversations.messages(conversation.id).map((message) => message.role)).toEqual(['customer', 'agent']);
      expect(workspace.traces.append(conversation.id, [{ type: 'step.enter', stepId: 'step:find-the-order' }, { type: 'action', payload: { name: 'shop.get_order' } }])).toBe(1);
      expect(() => workspace.traces.append(conversation.id, [{ type: 'ok' }, { type: '' }])).toThrow(/Trace events are not valid: \[1\]\.type/);
      expect(workspace.traces.count(conversation.id)).toBe(2);
      expect(workspace.traces.append(conversation.id, [{ type: 'end' }])).toBe(3);
      expect(() => workspace.conversations.create({ kind: 'chat' as 'preview' })).toThrow(/kind/);
      workspace.conversations.setStatus(conversation.id, 'handed_off');
      expect(workspace.conversations.require(conversation.id).status).toBe('handed_off');
    } finally {
      workspace.close();
    }
  });
});
