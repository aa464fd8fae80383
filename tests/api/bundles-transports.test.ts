// The teams, knowledge and bundles calls through both transports: browser mode (HTTP with the
// launch token) and Electron (IPC with the sender check). The signing key's private half never
// comes back in an answer.
import { describe, expect, it } from 'vitest';
import { channelForMethod } from '../../shared/api';
import { startBrowserServer } from '../../main/server/browser-server';
import { registerIpc } from '../../main/shell/ipc';
import { useEngine } from './helpers';

type Answer = { ok: boolean; value?: unknown; error?: { code: string; message: string } };

describe('the teams, knowledge and bundles calls through both transports', () => {
  const engine = useEngine();

  it('browser mode: over HTTP with the token, refused without it', async () => {
    const api = engine();
    const server = await startBrowserServer({ dispatch: api.dispatch, hub: api.hub, staticRoot: api.home });
    try {
      const bodies: string[] = [];
      const post = async (method: string, input: unknown, token = server.token): Promise<Answer> => {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
        const text = await response.text();
        bodies.push(text);
        return JSON.parse(text) as Answer;
      };
      expect(await post('teams.list', {}, 'wrong-token')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(await post('teams.create', { name: 'Returns desk', noteTemplate: 'Order {order_number}' })).toMatchObject({ ok: true, value: { name: 'Returns desk', usedBy: [] } });
      expect(await post('teams.delete', { name: 'Claims team' })).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(await post('knowledge.save', { title: 'Hours', body: 'Nine to five.', url: null, tags: [] })).toMatchObject({ ok: true, value: { title: 'Hours', url: null } });
      expect(await post('knowledge.search', { text: 'nine' })).toMatchObject({ ok: true, value: [expect.objectContaining({ title: 'Hours' })] });
      const exported = await post('bundles.export', { procedures: ['Refund request'], source: 'draft' });
      expect(exported.ok).toBe(true);
      const inspected = await post('bundles.inspect', { text: (exported.value as { text: string }).text });
      expect(inspected).toMatchObject({ ok: true, value: { trusted: true } });
      expect(bodies.join('\n')).not.toContain('PRIVATE KEY');
    } finally {
      await server.close();
    }
  });

  it('Electron: over IPC from the app frame only', async () => {
    const api = engine();
    const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    registerIpc({ handle: (channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) => handlers.set(channel, handler) } as never, api.dispatch);
    const app = { senderFrame: { url: 'stepwise://app/index.html', parent: null } };
    const invoke = (method: string, input: unknown, event: unknown = app) => handlers.get(channelForMethod(method as never))!(event, input) as Promise<Answer>;
    expect(await invoke('bundles.keys', {}, { senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await invoke('teams.rename', { name: 'Orders team', newName: 'Order desk' })).toMatchObject({ ok: true, value: { team: { name: 'Order desk' } } });
    const keys = await invoke('bundles.keys', {});
    expect(keys).toMatchObject({ ok: true, value: { fingerprint: expect.stringMatching(/^ed25519:/) } });
    expect(JSON.stringify(keys)).not.toContain('PRIVATE KEY');
    const started = (await invoke('knowledge.importStart', {})) as { value: { importId: string } };
    expect(await invoke('knowledge.importFiles', { importId: started.value.importId, files: [{ name: 'a.md', base64: Buffer.from('# A\n\nAlpha.').toString('base64') }] })).toMatchObject({ ok: true, value: [{ name: 'a.md', articles: 1, problems: [] }] });
    expect(await invoke('knowledge.importCommit', { importId: started.value.importId })).toMatchObject({ ok: true, value: { created: 1 } });
  });
});
