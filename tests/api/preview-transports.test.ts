// The preview's calls and events through both transports: browser mode (HTTP calls with the launch
// token, events over the WebSocket) and Electron (the IPC bridge with its sender check, events sent
// to the windows). The agent is the fake Messages API, through the real SDK.
import { describe, expect, it } from 'vitest';
import { channelForEvent } from '../../shared/api';
import { agentScript } from './preview-fixtures';
import { useOrderStatusWorkspace } from './support/order-status';
import { FOREIGN_FRAME, overHttp, overIpc, windowEvents } from './support/transports';

describe('the preview through both transports', () => {
  const open = useOrderStatusWorkspace();
  const setUp = async () => (await open(agentScript())).api;

  it('browser mode: calls over HTTP, the streamed reply and the trace over the WebSocket', async () => {
    const api = await setUp();
    const http = await overHttp(api);
    try {
      const { post } = http;
      const received = await http.listen();

      const started = await post('preview.start', { target: { kind: 'draft', name: 'Order status' } });
      expect(started).toMatchObject({ ok: true, value: { procedure: 'Order status' } });
      const sessionId = started.value!.sessionId as string;
      const turn = await post('preview.send', { sessionId, text: 'Where is my order?' });
      expect(turn).toMatchObject({ ok: true, value: { answered: true } });
      await expect.poll(() => received.filter((m) => m.event === 'preview.status' && (m.payload.status as { running: boolean }).running === false).length).toBeGreaterThan(0);
      expect(received.some((m) => m.event === 'preview.reply' && m.payload.sessionId === sessionId)).toBe(true);
      expect(received.some((m) => m.event === 'preview.trace' && (m.payload.event as { type: string }).type === 'connector_call')).toBe(true);
      expect(await post('preview.start', { target: { kind: 'nope' } })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    } finally {
      await http.close();
    }
  });

  it('Electron: calls over IPC from the app frame only, events sent to the windows', async () => {
    const api = await setUp();
    const { invoke } = overIpc(api);
    const { sent, stop } = windowEvents(api);

    expect(await invoke('preview.start', { target: { kind: 'draft', name: 'Order status' } }, FOREIGN_FRAME)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const started = await invoke('preview.start', { target: { kind: 'draft', name: 'Order status' } });
    const sessionId = started.value!.sessionId as string;
    expect(await invoke('preview.send', { sessionId, text: 'Where is my order?' })).toMatchObject({ ok: true, value: { answered: true } });
    expect(sent.some(([channel, payload]) => channel === channelForEvent('preview.reply') && payload.sessionId === sessionId)).toBe(true);
    expect(sent.some(([channel, payload]) => channel === channelForEvent('preview.trace') && (payload.event as { type: string }).type === 'connector_call')).toBe(true);
    const listed = await invoke('preview.list', {});
    expect(listed).toMatchObject({ ok: true, value: [{ procedure: 'Order status', messages: 2 }] });
    stop();
  });
});
