// The connectors calls through both transports: browser mode (HTTP with the launch token) and
// Electron (IPC with the sender check). A secret set through either never comes back in an answer.
import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers';
import { FOREIGN_FRAME, overHttp, overIpc } from './support/transports';

const SECRET = 'shpat-transport-secret-77';

describe('the connectors calls through both transports', () => {
  const engine = useEngine();

  it('browser mode: list, set a secret, try a mock over HTTP', async () => {
    const api = engine();
    const http = await overHttp(api);
    try {
      const { post, bodies } = http;
      expect(await post('connectors.list', {}, 'wrong-token')).toMatchObject({ ok: false });
      expect(await post('connectors.setSecret', { connector: 'shop', name: 'shopify_admin_token', value: SECRET })).toEqual({ ok: true, value: { name: 'shopify_admin_token', present: true } });
      const listed = await post('connectors.list', {});
      expect(JSON.stringify(listed)).toContain('"name":"shopify_admin_token","present":true');
      expect(await post('connectors.try', { action: 'shop.get_order', input: { order_number: '9999' } })).toMatchObject({ ok: true, value: { mode: 'mock', status: 503 } });
      expect(await post('connectors.save', { definition: { name: 'Bad Name' } })).toMatchObject({ ok: false, error: { code: 'invalid' } });
      expect(bodies.join('\n')).not.toContain(SECRET);
    } finally {
      await http.close();
    }
  });

  it('Electron: the calls over IPC from the app frame only', async () => {
    const api = engine();
    const { invoke } = overIpc(api);
    expect(await invoke('connectors.setSecret', { connector: 'shop', name: 'shopify_admin_token', value: SECRET }, FOREIGN_FRAME)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await api.call('connectors.list')) as unknown).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'shop', secrets: [{ name: 'shopify_admin_token', present: false }] })]));
    const answer = await invoke('connectors.setSecret', { connector: 'shop', name: 'shopify_admin_token', value: SECRET });
    expect(answer).toEqual({ ok: true, value: { name: 'shopify_admin_token', present: true } });
    const listed = await invoke('connectors.list', {});
    expect(JSON.stringify([answer, listed])).not.toContain(SECRET);
  });
});
