// The preview's calls and events through both transports: browser mode (HTTP calls with the launch
// token, events over the WebSocket) and Electron (the IPC bridge with its sender check, events sent
// to the windows). The agent is the fake Messages API, through the real SDK.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channelForEvent, channelForMethod } from '../../shared/api';
import { startBrowserServer } from '../../main/server/browser-server';
import { forwardEvents, registerIpc } from '../../main/shell/ipc';
import { useFakeAnthropic } from '../support/fixtures';
import { useEngine } from './helpers';
import { agentScript, crm, models, ORDER } from './preview-fixtures';

const startFake = useFakeAnthropic();

describe('the preview through both transports', () => {
  const engine = useEngine();

  async function setUp() {
    const fake = await startFake(agentScript());
    const api = engine();
    api.workspace.connectors.save(crm);
    await api.call('procedures.create', { name: 'Order status' });
    await api.call('procedures.saveDraft', { name: 'Order status', text: ORDER });
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-test-key' });
    return api;
  }

  it('browser mode: calls over HTTP, the streamed reply and the trace over the WebSocket', async () => {
    const api = await setUp();
    const server = await startBrowserServer({ dispatch: api.dispatch, hub: api.hub, staticRoot: api.home });
    try {
      const post = async (method: string, input: unknown) => {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
        return (await response.json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string } };
      };
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`, { origin: server.origin });
      const received: { event: string; payload: Record<string, unknown> }[] = [];
      socket.on('message', (data) => received.push(JSON.parse(String(data))));
      await new Promise((resolve) => socket.on('open', resolve));

      const started = await post('preview.start', { target: { kind: 'draft', name: 'Order status' } });
      expect(started).toMatchObject({ ok: true, value: { procedure: 'Order status' } });
      const sessionId = started.value!.sessionId as string;
      const turn = await post('preview.send', { sessionId, text: 'Where is my order?' });
      expect(turn).toMatchObject({ ok: true, value: { answered: true } });
      await expect.poll(() => received.filter((m) => m.event === 'preview.status' && (m.payload.status as { running: boolean }).running === false).length).toBeGreaterThan(0);
      expect(received.some((m) => m.event === 'preview.reply' && m.payload.sessionId === sessionId)).toBe(true);
      expect(received.some((m) => m.event === 'preview.trace' && (m.payload.event as { type: string }).type === 'connector_call')).toBe(true);
      expect(await post('preview.start', { target: { kind: 'nope' } })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      socket.close();
    } finally {
      await server.close();
    }
  });

  it('Electron: calls over IPC from the app frame only, events sent to the windows', async () => {
    const api = await setUp();
    const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    registerIpc({ handle: (channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) => handlers.set(channel, handler) } as never, api.dispatch);
    const sent: [string, Record<string, unknown>][] = [];
    const stop = forwardEvents(api.hub, () => [{ send: (channel: string, payload: Record<string, unknown>) => sent.push([channel, payload]), isDestroyed: () => false }] as never);
    const app = { senderFrame: { url: 'stepwise://app/index.html', parent: null } };
    const invoke = (method: string, input: unknown, event: unknown = app) => handlers.get(channelForMethod(method as never))!(event, input) as Promise<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string } }>;

    expect(await invoke('preview.start', { target: { kind: 'draft', name: 'Order status' } }, { senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
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
