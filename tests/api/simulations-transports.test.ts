// The simulations calls and events through both transports: browser mode (HTTP calls with the
// launch token, suite progress and its end over the WebSocket) and Electron (the IPC bridge with
// its sender check, events sent to the windows). The fake Messages API plays agent, customer and
// judge through the real SDK.
import { describe, expect, it } from 'vitest';
import { channelForEvent } from '../../shared/api';
import { SIMULATION, simulationScript } from './simulations-fixtures';
import { PROCEDURE, useOrderStatusWorkspace } from './support/order-status';
import { FOREIGN_FRAME, overHttp, overIpc, windowEvents } from './support/transports';

describe('the simulations API through both transports', () => {
  const open = useOrderStatusWorkspace();
  const setUp = async (agentDelayMs = 0) => (await open(simulationScript({ agentDelayMs }))).api;

  it('browser mode: a save refused with its field, a suite run over HTTP, its progress and end over the WebSocket', async () => {
    const api = await setUp();
    const http = await overHttp(api);
    try {
      const { post } = http;
      const received = await http.listen();

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
    } finally {
      await http.close();
    }
  });

  it('Electron: calls over IPC from the app frame only, a suite cancelled, its events sent to the windows', async () => {
    // Each agent answer waits, so the cancel lands while the suite runs.
    const api = await setUp(200);
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition: SIMULATION });
    const { invoke } = overIpc(api);
    const { sent, stop } = windowEvents(api);

    expect(await invoke('simulations.run', { selection: { procedure: PROCEDURE }, options: {} }, FOREIGN_FRAME)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const started = await invoke('simulations.run', { selection: { procedure: PROCEDURE }, options: { repeat: 5, concurrency: 1 } });
    const suiteId = started.value!.suiteId;
    expect(await invoke('simulations.cancel', { suiteId })).toMatchObject({ ok: true, value: { cancelled: true } });
    await expect.poll(() => sent.find(([channel, payload]) => channel === channelForEvent('simulations.finished') && payload.suiteId === suiteId)?.[1], { timeout: 20_000 }).toMatchObject({ status: 'cancelled' });
    expect(sent.some(([channel]) => channel === channelForEvent('simulations.progress'))).toBe(true);
    expect(await invoke('simulations.suite', { suiteId })).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    stop();
  });
});
