// The simulations calls and events through both transports: browser mode (HTTP calls with the
// launch token, suite progress and its end over the WebSocket) and Electron (the IPC bridge with
// its sender check, events sent to the windows). The fake Messages API plays agent, customer and
// judge through the real SDK.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { channelForEvent, channelForMethod } from '../../shared/api';
import { startBrowserServer } from '../../main/server/browser-server';
import { forwardEvents, registerIpc } from '../../main/shell/ipc';
import { useFakeAnthropic } from '../support/fixtures';
import { useEngine } from './helpers';
import { crm, models, ORDER, SIMULATION, simulationScript } from './simulations-fixtures';

const startFake = useFakeAnthropic();
const PROCEDURE = 'Order status';

describe('the simulations API through both transports', () => {
  const engine = useEngine();

  async function setUp(agentDelayMs = 0) {
    const fake = await startFake(simulationScript({ agentDelayMs }));
    const api = engine();
    api.workspace.connectors.save(crm);
    await api.call('procedures.create', { name: PROCEDURE });
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER });
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-test-key' });
    return api;
  }

  it('browser mode: a save refused with its field, a suite run over HTTP, its progress and end over the WebSocket', async () => {
    const api = await setUp();
    const server = await startBrowserServer({ dispatch: api.dispatch, hub: api.hub, staticRoot: api.home });
    try {
      const post = async (method: string, input: unknown, token = server.token) => {
        const response = await fetch(`http://127.0.0.1:${server.port}/api/call/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
        return (await response.json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };
      };
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/events?token=${server.token}`, { origin: server.origin });
      const received: { event: string; payload: Record<string, unknown> }[] = [];
      socket.on('message', (data) => received.push(JSON.parse(String(data))));
      await new Promise((resolve) => socket.on('open', resolve));

      expect(await post('simulations.list', { procedure: PROCEDURE }, 'wrong-token')).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      const wrong = await post('simulations.save', { procedure: PROCEDURE, name: 'Broken', definition: { ...SIMULATION, maxTurns: 'many' } });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('maxTurns') } });
      expect(await post('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition: SIMULATION })).toMatchObject({ ok: true });
      const started = await post('simulations.run', { selection: { procedure: PROCEDURE }, options: { repeat: 2 } });
      expect(started).toMatchObject({ ok: true, value: { total: 2 } });
      const suiteId = started.value!.suiteId;
      await expect.poll(() => received.find((m) => m.event === 'simulations.finished' && m.payload.suiteId === suiteId)?.payload, { timeout: 20_000 }).toMatchObject({ status: 'finished', counts: { done: 2, passed: 2 } });
      expect(received.filter((m) => m.event === 'simulations.progress').map((m) => (m.payload.counts as { done: number }).done)).toEqual([0, 1, 2]);
      expect(await post('simulations.suite', { suiteId })).toMatchObject({ ok: true, value: { status: 'finished', passHatK: 1 } });
      socket.close();
    } finally {
      await server.close();
    }
  });

  it('Electron: calls over IPC from the app frame only, a suite cancelled, its events sent to the windows', async () => {
    // Each agent answer waits, so the cancel lands while the suite runs.
    const api = await setUp(200);
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition: SIMULATION });
    const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    registerIpc({ handle: (channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) => handlers.set(channel, handler) } as never, api.dispatch);
    const sent: [string, Record<string, unknown>][] = [];
    const stop = forwardEvents(api.hub, () => [{ send: (channel: string, payload: Record<string, unknown>) => sent.push([channel, payload]), isDestroyed: () => false }] as never);
    const app = { senderFrame: { url: 'stepwise://app/index.html', parent: null } };
    const invoke = (method: string, input: unknown, event: unknown = app) => handlers.get(channelForMethod(method as never))!(event, input) as Promise<{ ok: boolean; value?: Record<string, unknown>; error?: { code: string } }>;

    expect(await invoke('simulations.run', { selection: { procedure: PROCEDURE }, options: {} }, { senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const started = await invoke('simulations.run', { selection: { procedure: PROCEDURE }, options: { repeat: 5, concurrency: 1 } });
    const suiteId = started.value!.suiteId;
    expect(await invoke('simulations.cancel', { suiteId })).toMatchObject({ ok: true, value: { cancelled: true } });
    await expect.poll(() => sent.find(([channel, payload]) => channel === channelForEvent('simulations.finished') && payload.suiteId === suiteId)?.[1], { timeout: 20_000 }).toMatchObject({ status: 'cancelled' });
    expect(sent.some(([channel]) => channel === channelForEvent('simulations.progress'))).toBe(true);
    expect(await invoke('simulations.suite', { suiteId })).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    stop();
  });
});
