// The connector service's rules (main/services/connectors.ts), over a real workspace file and an
// in-memory secret store, with no child process and no network: what adding approves, what stays
// pending, secrets bound only where a connector asks for them, approvals by name, and "try".
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrantError } from '../../main/connectors/grants';
import { ConnectorService, emptyApprovalMessage, splitActionName } from '../../main/services/connectors';
import { ServiceError } from '../../main/services/errors';
import { Workspace } from '../../main/store/workspace';
import { MemorySecretStore } from '../connectors/helpers';
import { useTempDir } from '../store/helpers';

const lookup = {
  name: 'lookup',
  description: 'Look an order up.',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  method: 'GET',
  path: '/orders/{{input.id}}',
  responseFields: { status: 'status' },
  mocks: { responses: [{ body: { status: 'shipped', cost: 3 } }] },
};
const crm = { name: 'crm', baseUrl: 'http://10.0.0.5/api', allowInternalHosts: true, auth: { type: 'bearer', secret: 'crm_token' }, actions: [lookup] };

describe('connector rules, pure', () => {
  it('splits connector.action at the first dot, and refuses names without both parts', () => {
    expect(splitActionName('shop.get_order')).toEqual({ connector: 'shop', action: 'get_order' });
    expect(splitActionName('a.b.c')).toEqual({ connector: 'a', action: 'b.c' });
    for (const bad of ['shop', '.get', 'shop.', '']) expect(splitActionName(bad)).toBeNull();
  });

  it('an empty approval lists what there is to approve, or says there is nothing', () => {
    expect(emptyApprovalMessage('crm', 'approve', [])).toBe('Connector "crm" asks for nothing to approve: it runs no command, reads no secret and reaches no internal host.');
    const message = emptyApprovalMessage('crm', 'revoke', [
      { capability: { kind: 'secret', name: 'crm_token', scope: 's', description: 'reads the secret "crm_token"' }, approved: true },
      { capability: { kind: 'internal-hosts', name: '', scope: 'h', description: 'reaches internal hosts' }, approved: false },
    ]);
    expect(message).toBe('Say what to revoke with --command, --secret <name> or --internal-hosts. Connector "crm":\n  approved: it reads the secret "crm_token"\n  NOT approved: it reaches internal hosts');
  });
});

describe('ConnectorService', () => {
  const tempDir = useTempDir();
  const open = () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    const secrets = new MemorySecretStore();
    return { workspace, secrets, service: new ConnectorService({ workspace, secrets }) };
  };

  it('adding a connector approves what it asks for; one stored without its author (as an import leaves it) stays pending', () => {
    const { workspace, service } = open();
    try {
      const { saved, approved } = service.add(crm, 'test');
      expect(saved.name).toBe('crm');
      expect(approved.map((capability) => capability.kind).sort()).toEqual(['internal-hosts', 'secret']);
      workspace.connectors.save({ ...crm, name: 'imported' });
      const listed = Object.fromEntries(service.list().map((entry) => [entry.connector.name, entry.pending.map((capability) => capability.kind).sort()]));
      expect(listed).toEqual({ crm: [], imported: ['internal-hosts', 'secret'] });
    } finally {
      workspace.close();
    }
  });

  it('binds a secret only to a connector that asks for it: otherwise nothing is stored or granted', async () => {
    const { workspace, secrets, service } = open();
    try {
      workspace.connectors.save(crm);
      await expect(service.storeBoundSecret('other_token', 'v-1', 'crm')).rejects.toThrow(GrantError);
      await expect(service.storeBoundSecret('crm_token', 'v-1', 'nobody')).rejects.toThrow(ServiceError);
      expect(await secrets.names()).toEqual([]);
      expect(workspace.connectorGrants.list('crm')).toEqual([]);
      const capability = await service.storeBoundSecret('crm_token', 'v-2', 'crm');
      expect(capability).toMatchObject({ kind: 'secret', name: 'crm_token' });
      expect(await secrets.get('crm_token')).toBe('v-2');
      expect(service.approvalStatus('crm').filter((entry) => entry.approved).map((entry) => entry.capability.kind)).toEqual(['secret']);
    } finally {
      workspace.close();
    }
  });

  it('approves and revokes by name; what a connector does not ask for is refused; a revoke says when nothing was approved', () => {
    const { workspace, service } = open();
    try {
      workspace.connectors.save(crm);
      expect(() => service.approve('crm', { command: true }, 'test')).toThrow(expect.objectContaining({ name: 'GrantError', message: expect.stringContaining('runs no command') }));
      expect(() => service.approve('crm', { secrets: ['ANTHROPIC_API_KEY'] }, 'test')).toThrow(GrantError);
      expect(workspace.connectorGrants.list('crm')).toEqual([]);
      expect(service.approve('crm', { internalHosts: true }, 'test').map((capability) => capability.kind)).toEqual(['internal-hosts']);
      expect(service.revoke('crm', { internalHosts: true, secrets: ['crm_token'] }).map(({ capability, removed }) => [capability.kind, removed])).toEqual([
        ['secret', false],
        ['internal-hosts', true],
      ]);
      expect(workspace.connectorGrants.list('crm')).toEqual([]);
    } finally {
      workspace.close();
    }
  });

  it('tries an action mocked with no sandbox started, and names an unknown action', async () => {
    const { workspace, service } = open();
    try {
      service.add(crm, 'test');
      const result = await service.try('crm.lookup', { id: '7' }, { mock: true });
      expect(result).toMatchObject({ ok: true, mode: 'mock', shown: { status: 'shipped' }, world: { changed: false } });
      const bad = await service.try('crm.lookup', {}, { mock: true });
      expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('"id" is required') });
      await expect(service.try('crm.nothing', {}, { mock: true })).rejects.toThrow(expect.objectContaining({ code: 'not-found', message: 'There is no action @crm.nothing in this workspace (see connectors list).' }));
      await expect(service.try('crm', {}, { mock: true })).rejects.toThrow(ServiceError);
    } finally {
      workspace.close();
    }
  });

  it('imports OpenAPI operations only into an HTTP connector', () => {
    const { workspace, service } = open();
    try {
      workspace.connectors.save({ kind: 'mcp', name: 'files', transport: { type: 'stdio', command: 'node', args: ['server.js'] }, actions: [{ name: 'list', description: 'List.', inputSchema: { type: 'object' } }] });
      const document = { openapi: '3.0.0', info: { title: 't', version: '1' }, paths: {} };
      expect(() => service.importOpenApi(document as never, { name: 'files', operations: ['x'] }, 'test')).toThrow(expect.objectContaining({ code: 'invalid', message: '"files" is an MCP server; import OpenAPI operations into an HTTP connector.' }));
    } finally {
      workspace.close();
    }
  });
});
