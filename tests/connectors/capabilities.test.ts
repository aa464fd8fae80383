// What a connector asks to do beyond calling a public address, and the one gate every live call
// passes: a command, a secret or internal hosts only with a grant for exactly that.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approvalCommand, connectorCapabilities, isReservedSecret, missingGrants, notApprovedMessage, type Capability } from '../../main/connectors/capabilities';
import { connectorDefinitionSchema, type ConnectorDefinition } from '../../main/connectors/definition';
import { grant, saveAuthoredConnector, saveEditedConnector, selectCapabilities } from '../../main/connectors/grants';
import { RuntimeConnectors } from '../../main/connectors/runtime-connectors';
import { workspaceConnectors } from '../../main/connectors/workspace-connectors';
import type { CodeSandbox } from '../../main/sandbox/types';
import { liveRunConnectors } from '../../main/simulations/run-connectors';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';
import { json, MemorySecretStore, useServers } from './helpers';

const ping = { name: 'ping', description: 'Ping.', inputSchema: { type: 'object' }, method: 'GET', path: '/ping' };
const define = (input: unknown): ConnectorDefinition => connectorDefinitionSchema.parse(input);
const stdio = (transport: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  define({ kind: 'mcp', name: 'files', transport: { type: 'stdio', command: 'node', args: ['server.js'], ...transport }, actions: [{ name: 'list', description: 'List.', inputSchema: { type: 'object' } }], ...extra });

describe('connector capabilities', () => {
  it('name the whole command line of a stdio server, and its secrets as given to that command', () => {
    const server = stdio({ args: ['server.js', '--root', '/srv/my files'], cwd: '/srv', env: { ROOT: '/srv', FILES_TOKEN: { secret: 'files_token' } } });
    const [command, secret, ...rest] = connectorCapabilities(server);
    expect(rest).toEqual([]);
    expect(command).toMatchObject({ kind: 'command', name: '', description: "runs the command `node server.js --root '/srv/my files'` (in /srv; environment ROOT=/srv FILES_TOKEN=<secret files_token>) on this machine" });
    expect(secret).toMatchObject({ kind: 'secret', name: 'files_token', scope: `command:${command!.scope}`, description: 'reads the secret "files_token" and gives it to that command (as FILES_TOKEN)' });

    // Any change to what runs is a different capability: program, arguments, folder, environment.
    const grants = connectorCapabilities(server);
    expect(missingGrants(server, grants)).toEqual([]);
    for (const changed of [
      stdio({ command: 'sh', args: ['server.js', '--root', '/srv/my files'], cwd: '/srv', env: { ROOT: '/srv', FILES_TOKEN: { secret: 'files_token' } } }),
      stdio({ args: ['server.js', '--root', '/'], cwd: '/srv', env: { ROOT: '/srv', FILES_TOKEN: { secret: 'files_token' } } }),
      stdio({ args: ['server.js', '--root', '/srv/my files'], cwd: '/', env: { ROOT: '/srv', FILES_TOKEN: { secret: 'files_token' } } }),
      stdio({ args: ['server.js', '--root', '/srv/my files'], cwd: '/srv', env: { ROOT: '/srv', NODE_OPTIONS: '--require /tmp/x.js', FILES_TOKEN: { secret: 'files_token' } } }),
      stdio({ args: ['server.js', '--root', '/srv/my files'], cwd: '/srv', env: { ROOT: '/srv', NODE_OPTIONS: { secret: 'files_token' } } }),
    ]) {
      expect(missingGrants(changed, grants).map((capability) => capability.kind)).toEqual(['command', 'secret']);
    }
  });

  it('name the hosts a secret is sent to and the hosts that may be internal; ask nothing of a plain public connector', () => {
    const crm = define({ name: 'crm', baseUrl: 'https://API.crm.example.com/v2', allowedHosts: ['*.cdn.example.com', 'auth.example.com'], auth: { type: 'basic', usernameSecret: 'crm_user', passwordSecret: 'crm_password' }, allowInternalHosts: true, actions: [ping] });
    expect(connectorCapabilities(crm).map(({ kind, name, scope }) => [kind, name, scope])).toEqual([
      ['secret', 'crm_password', 'hosts:*.cdn.example.com,api.crm.example.com,auth.example.com'],
      ['secret', 'crm_user', 'hosts:*.cdn.example.com,api.crm.example.com,auth.example.com'],
      ['internal-hosts', '', '*.cdn.example.com,api.crm.example.com,auth.example.com'],
    ]);
    const mcpHttp = define({ kind: 'mcp', name: 'crm_mcp', transport: { type: 'http', url: 'https://mcp.example.com/mcp', auth: { type: 'bearer', secret: 'mcp_token' } } });
    expect(connectorCapabilities(mcpHttp).map((capability) => capability.description)).toEqual(['reads the secret "mcp_token" and sends it to mcp.example.com']);
    expect(connectorCapabilities(define({ name: 'status', baseUrl: 'https://status.example.com', auth: { type: 'none' }, actions: [ping] }))).toEqual([]);
    // allowInternalHosts means nothing to a server over stdio: it reaches no host through Stepwise.
    expect(connectorCapabilities(stdio({}, { allowInternalHosts: true })).map((capability) => capability.kind)).toEqual(['command']);
  });

  it("reserve Stepwise's own secrets, whatever their case", () => {
    for (const name of ['model.api_key', 'Model.API_KEY', 'model.anything', 'stepwise.signing-key.1234']) expect(isReservedSecret(name), name).toBe(true);
    for (const name of ['models_key', 'crm_token', 'my.model.key']) expect(isReservedSecret(name), name).toBe(false);
  });
});

describe('the live gate', () => {
  const tempDir = useTempDir();
  const serve = useServers();

  it('without grants: reads no secret and calls nothing for a connector that needs one, and still runs one that asks for nothing', async () => {
    const server = await serve((_request, response) => json(response, 200, { ok: true }));
    const reads: string[] = [];
    const secrets = new MemorySecretStore({ crm_token: 'crm-secret-0a1b' });
    const get = secrets.get.bind(secrets);
    secrets.get = async (name) => (reads.push(name), get(name));
    const withToken = define({ name: 'crm', baseUrl: server.url, auth: { type: 'bearer', secret: 'crm_token' }, actions: [ping] });
    const plain = define({ name: 'status', baseUrl: server.url, auth: { type: 'none' }, actions: [ping] });
    const connectors = new RuntimeConnectors({ definitions: [withToken, plain], mode: 'live', secrets, loopbackPortsForTesting: [server.port] });

    expect(await connectors.execute('crm.ping', {}, { conversationId: 1 })).toEqual({
      ok: false,
      error: `Connector "crm" is not approved in this workspace: it reads the secret "crm_token" and sends it to 127.0.0.1, and nobody here has approved that. Review it (stepwise connectors show crm) and approve it with: stepwise connectors approve crm --secret crm_token --workspace <file>.`,
    });
    expect(reads).toEqual([]);
    expect(server.requests).toEqual([]);
    expect(await connectors.execute('status.ping', {}, { conversationId: 1 })).toEqual({ ok: true, data: { ok: true } });
  });

  it("gates a live simulation's connectors the same way, and records the refusal with the run", async () => {
    const server = await serve((_request, response) => json(response, 200, { ok: true }));
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      workspace.connectors.save({ name: 'crm', baseUrl: server.url, allowInternalHosts: true, auth: { type: 'none' }, actions: [ping] }); // as an import leaves it
      const unused = new Proxy({}, { get: () => { throw new Error('live connectors use no sandbox'); } }) as CodeSandbox;
      const run = liveRunConnectors(workspace, { sandbox: unused, clock: () => new Date(), conversationId: () => 1, secrets: new MemorySecretStore() });
      const result = await run.connectors.execute('crm.ping', {}, { conversationId: 1 });
      expect(result).toMatchObject({ ok: false, error: expect.stringContaining('Connector "crm" is not approved in this workspace: it may reach internal addresses') });
      expect(run.recorded).toEqual([expect.objectContaining({ action: 'crm.ping', result: expect.objectContaining({ ok: false }) })]);
      expect(server.requests).toEqual([]);
      await run.close();
    } finally {
      workspace.close();
    }
  });

  it('leaves mocked runs alone: a mocked stdio server never starts, approved or not', async () => {
    const marker = join(tempDir(), 'ran.txt');
    const server = define({
      kind: 'mcp',
      name: 'files',
      transport: { type: 'stdio', command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`] },
      actions: [{ name: 'list', description: 'List.', inputSchema: { type: 'object' }, mocks: { responses: [{ body: { files: [] } }] } }],
    });
    const connectors = new RuntimeConnectors({ definitions: [server], mode: 'mock' });
    expect(await connectors.execute('files.list', {}, { conversationId: 1 })).toEqual({ ok: true, data: { files: [] } });
    expect(existsSync(marker)).toBe(false);
  });

  it('an edit (operations imported from OpenAPI) keeps the approvals a connector had, carried to its new scope, and adds none', () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      const crm = { name: 'crm', baseUrl: 'https://crm.example.com', auth: { type: 'bearer', secret: 'crm_token' }, allowInternalHosts: true, actions: [ping] };
      // As an import leaves it: stored, nothing approved.
      workspace.connectors.save(crm);
      saveEditedConnector(workspace, { ...crm, actions: [ping, { ...ping, name: 'pong' }] }, 'test');
      expect(workspace.connectorGrants.list('crm')).toEqual([]);

      // Approved for its secret only, then pointed elsewhere by its own user: the secret's approval follows, nothing else is added.
      grant(workspace, workspace.connectors.get('crm')!, selectCapabilities(workspace.connectors.get('crm')!, { secrets: ['crm_token'] }), 'test');
      const moved = saveEditedConnector(workspace, { ...crm, baseUrl: 'https://crm2.example.com' }, 'test');
      expect(missingGrants(moved, workspace.connectorGrants.list('crm')).map((capability) => capability.kind)).toEqual(['internal-hosts']);
      expect(workspace.connectorGrants.list('crm').map((entry) => entry.scope)).toEqual(['hosts:crm2.example.com']);
    } finally {
      workspace.close();
    }
  });

  it('grants what its author adds, refuses to grant the model key or what a connector does not ask for, and counts a revocation at once', async () => {
    const server = await serve((_request, response) => json(response, 200, { ok: true }));
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    try {
      const saved = saveAuthoredConnector(workspace, { name: 'crm', baseUrl: server.url, allowInternalHosts: true, auth: { type: 'bearer', secret: 'crm_token' }, actions: [ping] }, 'test');
      expect(workspace.connectorGrants.list('crm').map((entry) => [entry.kind, entry.name, entry.grantedBy])).toEqual([
        ['internal-hosts', '', 'test'],
        ['secret', 'crm_token', 'test'],
      ]);
      expect(() => saveAuthoredConnector(workspace, { name: 'leak', baseUrl: server.url, auth: { type: 'bearer', secret: 'model.api_key' }, actions: [ping] }, 'test')).toThrow(
        'Connector "leak" names the secret "model.api_key", which belongs to Stepwise itself (the model\'s key); a connector never reads it.',
      );
      expect(workspace.connectors.get('leak')).toBeNull(); // the save was rolled back with the refusal
      expect(() => selectCapabilities(saved, { command: true })).toThrow(/Connector "crm" runs no command, so there is nothing to approve there \(it asks to: reads the secret "crm_token"/);
      expect(() => selectCapabilities(saved, { secrets: ['model.api_key'] })).toThrow(/belongs to Stepwise itself/);

      const connectors = workspaceConnectors(workspace, { mode: 'live', secrets: new MemorySecretStore({ crm_token: 't-1' }) });
      expect((await connectors.execute('crm.ping', {}, { conversationId: 1 })).ok).toBe(true);
      workspace.connectorGrants.revoke('crm', 'internal-hosts');
      expect(await connectors.execute('crm.ping', {}, { conversationId: 1 })).toMatchObject({ ok: false, error: expect.stringContaining('--internal-hosts') });
      grant(workspace, saved, selectCapabilities(saved, { internalHosts: true }), 'test');
      expect((await connectors.execute('crm.ping', {}, { conversationId: 1 })).ok).toBe(true);
      expect(server.requests).toHaveLength(2);
    } finally {
      workspace.close();
    }
  });
});

describe('the printed approval command', () => {
  const words = (line: string) => execFileSync('sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' }).split('\n').slice(0, -1);
  const secret = (name: string, host: string): Capability => ({ kind: 'secret', name, scope: host, description: `sends the secret ${name} to ${host}` });
  const command: Capability = { kind: 'command', name: '', scope: 'npx server', description: 'runs npx server' };

  it('quotes a connector name with a space or a quote, so the shell reads it as one word', () => {
    for (const name of ['my shop', "o'brien's crm", 'a;rm -rf x']) {
      const line = approvalCommand(name, [command, secret('API_KEY', 'a.example'), secret('API_KEY', 'b.example')]);
      expect(words(line)).toEqual(['stepwise', 'connectors', 'approve', name, '--command', '--secret', 'API_KEY']);
    }
  });

  it('prints a plain name as typed', () => {
    expect(approvalCommand('shop', [command])).toBe('stepwise connectors approve shop --command');
  });

  it('quotes the name in the not-approved message too', () => {
    const message = notApprovedMessage('my shop', [command]);
    expect(message).toContain("(stepwise connectors show 'my shop')");
    expect(message).toContain("approve it with: stepwise connectors approve 'my shop' --command --workspace <file>.");
  });
});
