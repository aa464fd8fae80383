import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema, secretNames } from '../../main/connectors/definition';
import { StoreError } from '../../main/store/errors';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';

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
      workspace.conversations.finish(conversation.id, 'handed-off');
      expect(workspace.conversations.require(conversation.id).status).toBe('handed-off');
    } finally {
      workspace.close();
    }
  });
});
