// The teams, knowledge and bundles calls through both transports: browser mode (HTTP with the
// launch token) and Electron (IPC with the sender check). The signing key's private half never
// comes back in an answer.
import { describe, expect, it } from 'vitest';
import { useEngine } from './helpers';
import { FOREIGN_FRAME, overHttp, overIpc } from './support/transports';

describe('the teams, knowledge and bundles calls through both transports', () => {
  const engine = useEngine();

  it('browser mode: over HTTP with the token, refused without it', async () => {
    const api = engine();
    const http = await overHttp(api);
    try {
      const { post, bodies } = http;
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
      await http.close();
    }
  });

  it('Electron: over IPC from the app frame only', async () => {
    const api = engine();
    const { invoke } = overIpc(api);
    expect(await invoke('bundles.keys', {}, FOREIGN_FRAME)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await invoke('teams.rename', { name: 'Orders team', newName: 'Order desk' })).toMatchObject({ ok: true, value: { team: { name: 'Order desk' } } });
    const keys = await invoke('bundles.keys', {});
    expect(keys).toMatchObject({ ok: true, value: { fingerprint: expect.stringMatching(/^ed25519:/) } });
    expect(JSON.stringify(keys)).not.toContain('PRIVATE KEY');
    const { importId } = (await invoke('knowledge.importStart', {})).value as { importId: string };
    expect(await invoke('knowledge.importFiles', { importId, files: [{ name: 'a.md', base64: Buffer.from('# A\n\nAlpha.').toString('base64') }] })).toMatchObject({ ok: true, value: [{ name: 'a.md', articles: 1, problems: [] }] });
    expect(await invoke('knowledge.importCommit', { importId })).toMatchObject({ ok: true, value: { created: 1 } });
  });
});
