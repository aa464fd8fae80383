// The connectors calls through both transports: browser mode (HTTP with the launch token) and
// Electron (IPC with the sender check). A secret set through either never comes back in an answer.
import { describe, expect, it } from 'vitest';
import { channelForMethod } from '../../shared/api';
import { startBrowserServer } from '../../main/server/browser-server';
import { registerIpc } from '../../main/shell/ipc';
import { useEngine } from './helpers';

const SECRET = 'shpat-transport-secret-77';

describe('the connectors calls through both transports', () => {
  const engine = useEngine();

  it('browser mode: list, set a secret, try a mock over HTTP', async () => {
    const api = engine();
    const server = await startBrowserServer({ dispatch: api.dispatch, hub: api.hub, staticRoot: api.home });
    try {
      const bodies: string[] = [];
      const post = async (method: string, input: unknown, token = server.token) => {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
        const text = await response.text();
        bodies.push(text);
        return JSON.parse(text) as { ok: boolean; value?: unknown; error?: { code: string } };
      };
      expect(await post('connectors.list', {}, 'wrong-token')).toMatchObject({ ok: false });
      expect(await post('connectors.setSecret', { connector: 'shop', name: 'shopify_admin_token', value: SECRET })).toEqual({ ok: true, value: { name: 'shopify_admin_token', present: true } });
      const listed = await post('connectors.list', {});
      expect(JSON.stringify(listed)).toContain('"name":"shopify_admin_token","present":true');
      expect(await post('connectors.try', { action: 'shop.get_order', input: { order_number: '9999' } })).toMatchObject({ ok: true, value: { mode: 'mock', status: 503 } });
      expect(await post('connectors.save', { definition: { name: 'Bad Name' } })).toMatchObject({ ok: false, error: { code: 'invalid' } });
      expect(bodies.join('\n')).not.toContain(SECRET);
    } finally {
      await server.close();
    }
  });

  it('Electron: the calls over IPC from the app frame only', async () => {
    const api = engine();
    const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    registerIpc({ handle: (channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) => handlers.set(channel, handler) } as never, api.dispatch);
    const app = { senderFrame: { url: 'stepwise://app/index.html', parent: null } };
    const invoke = (method: string, input: unknown, event: unknown = app) => handlers.get(channelForMethod(method as never))!(event, input) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
    expect(await invoke('connectors.setSecret', { connector: 'shop', name: 'shopify_admin_token', value: SECRET }, { senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await api.call('connectors.list')) as unknown).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'shop', secrets: [{ name: 'shopify_admin_token', present: false }] })]));
    const answer = await invoke('connectors.setSecret', { connector: 'shop', name: 'shopify_admin_token', value: SECRET });
    expect(answer).toEqual({ ok: true, value: { name: 'shopify_admin_token', present: true } });
    const listed = await invoke('connectors.list', {});
    expect(JSON.stringify([answer, listed])).not.toContain(SECRET);
  });
});
