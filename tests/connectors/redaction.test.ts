// After calls made with secrets (successful, failing, echoed back by the server, given to an MCP
// server's environment), no secret value is anywhere in the workspace database, the trace or the logs.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorDefinitionSchema } from '../../main/connectors/definition';
import { saveAuthoredConnector } from '../../main/connectors/grants';
import { workspaceConnectors } from '../../main/connectors/workspace-connectors';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { Workspace } from '../../main/store/workspace';
import { repoRoot } from '../support/paths';
import { useTempDir } from '../store/helpers';
import { useServers } from './helpers';

const SECRETS = {
  shop_token: 'shpat_REDACTME_7f1c2d9e4b',
  stripe_key: 'sk_test_REDACTME_51Habc/+=',
  basic_password: 'pa55:word REDACTME',
  mcp_token: 'mcp_REDACTME_0b9a8c',
};

describe('secrets after connector calls', () => {
  const tempDir = useTempDir();
  const serve = useServers();

  it('are nowhere in the database, the trace or the logs', async () => {
    const dir = tempDir();
    const path = join(dir, 'w.stepwise');
    const secrets = new EncryptedFileSecretStore({ file: `${path}.secrets`, keyFile: `${path}.secrets.key` });
    for (const [name, value] of Object.entries(SECRETS)) await secrets.set(name, value);

    // A server that echoes whatever credentials it gets, in answers and in errors.
    const server = await serve((req, res) => {
      const echoed = { authorization: req.headers.authorization ?? null, token: req.headers['x-shopify-access-token'] ?? null, url: req.url };
      if (req.url!.includes('fail')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { message: `Invalid API key provided: ${echoed.authorization ?? echoed.url}` } }));
      }
      if (req.url!.includes('slow')) return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...echoed, note: `you sent ${JSON.stringify(echoed)}` }));
    });
    const action = (name: string, path: string, extra: Record<string, unknown> = {}) => ({ name, description: `${name}.`, inputSchema: { type: 'object' }, method: 'GET', path, ...extra });
    const workspace = Workspace.create(path);
    const logFile = join(dir, 'connectors.log');
    try {
      const definitions = [
        { name: 'shop', auth: { type: 'apiKey', in: 'header', name: 'X-Shopify-Access-Token', secret: 'shop_token' } },
        { name: 'stripe', auth: { type: 'bearer', secret: 'stripe_key' } },
        { name: 'stripe_query', auth: { type: 'apiKey', in: 'query', name: 'key', secret: 'stripe_key' } },
        { name: 'legacy', auth: { type: 'basic', username: 'support', passwordSecret: 'basic_password' } },
      ];
      for (const definition of definitions) {
        saveAuthoredConnector(workspace, {
          ...definition,
          baseUrl: `${server.url}/api`,
          allowInternalHosts: true,
          actions: [action('echo', '/echo'), action('fail', '/fail'), action('slow', '/slow', { timeoutMs: 200 })],
        }, 'test');
      }
      saveAuthoredConnector(
        workspace,
        connectorDefinitionSchema.parse({
          kind: 'mcp',
          name: 'everything',
          transport: {
            type: 'stdio',
            command: process.execPath,
            args: [join(repoRoot, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
            env: { SHOP_API_TOKEN: { secret: 'mcp_token' } },
          },
          actions: [{ name: 'get-env', description: 'Its environment.', inputSchema: { type: 'object' } }],
        }),
        'test',
      );

      const conversation = workspace.conversations.create({ kind: 'preview' });
      const connectors = workspaceConnectors(workspace, {
        mode: 'live',
        secrets,
        onCall: (call) => workspace.traces.append(conversation.id, [{ type: 'connector_call', payload: { ...call } }]),
        log: (line) => appendFileSync(logFile, `${line}\n`),
      });
      const results: unknown[] = [];
      try {
        for (const { name } of definitions) {
          for (const kind of ['echo', 'fail', 'slow']) {
            const result = await connectors.execute(`${name}.${kind}`, {}, { conversationId: conversation.id });
            results.push(result);
            // What the runtime does with a result: the model's history and the transcript keep it.
            workspace.conversations.addMessage(conversation.id, 'tool', JSON.stringify(result));
          }
        }
        const env = await connectors.execute('everything.get-env', {}, { conversationId: conversation.id });
        results.push(env);
        workspace.conversations.addMessage(conversation.id, 'tool', JSON.stringify(env));
      } finally {
        await connectors.close();
      }

      // The calls really carried the secrets, and the answers really echoed them back.
      expect(results.filter((result) => (result as { ok: boolean }).ok)).toHaveLength(5);
      expect(JSON.stringify(results)).toContain('[redacted:shop_token]');
      expect(JSON.stringify(results)).toContain('[redacted:mcp_token]');
      const trace = workspace.traces.events(conversation.id);
      expect(trace).toHaveLength(13);
      expect(JSON.stringify(trace)).toContain('Bearer [redacted:stripe_key]');
      expect(JSON.stringify(trace)).toContain('Basic [redacted:basic_password]');
      expect(JSON.stringify(trace)).toContain('key=[redacted:stripe_key]');

      const traceText = JSON.stringify(trace);
      const logText = readFileSync(logFile, 'utf8');
      expect(logText.split('\n').filter(Boolean)).toHaveLength(13);
      workspace.close();
      const stored = [path, `${path}-wal`, `${path}-shm`].filter((file) => existsSync(file)).map((file) => readFileSync(file));

      for (const [name, value] of Object.entries(SECRETS)) {
        const forms = new Set([value, encodeURIComponent(value), new URLSearchParams({ k: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)]);
        if (name === 'basic_password') forms.add(Buffer.from(`support:${value}`).toString('base64'));
        for (const form of forms) {
          expect(traceText, `${name} in the trace`).not.toContain(form);
          expect(logText, `${name} in the log`).not.toContain(form);
          for (const bytes of stored) expect(bytes.includes(Buffer.from(form, 'utf8')), `${name} (${form}) in the database`).toBe(false);
        }
      }
      // The secrets file beside the workspace holds them encrypted.
      expect(readFileSync(`${path}.secrets`, 'utf8')).not.toContain('REDACTME');
    } finally {
      if (workspace.isOpen) workspace.close();
    }
  });
});
