// A mocked run's final world through the simulations API: kept with the run (beside the world it
// started from), the same after an offline replay, a replay that ends elsewhere flagged, a run
// that never reached its connectors saying why, and a run stored before final worlds were kept
// saying "not recorded". The fake Messages API plays agent, customer and judge; the connector's
// mock handler runs in the real Python sandbox and changes the world.
import { describe, expect, it } from 'vitest';
import type { RunResult, SimulationList } from '../../shared/api';
import { crm, SIMULATION, simulationScript } from './simulations-fixtures';
import { PROCEDURE, useOrderStatusWorkspace } from './support/order-status';

/** The lookup's mock notes each order looked up in the world, as a CRM's audit log would. */
const handler = (entry: string) => ({
  ...crm,
  actions: [{ ...crm.actions[0]!, mocks: { handler: [`attributes["world"].setdefault("lookups", []).append(${entry})`, 'return {"response": {"status": "shipped"}}'] } }],
});

describe('the final world of a simulation run', () => {
  const open = useOrderStatusWorkspace();

  async function runOnce(definition: Record<string, unknown> = SIMULATION) {
    const { api, fake } = await open(simulationScript(), { python: true, connector: handler('str(data["input"]["id"])') });
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition });
    const finished: number[] = [];
    api.hub.subscribe((event, payload) => {
      if (event === 'simulations.finished') finished.push((payload as { suiteId: number }).suiteId);
    });
    const { suiteId } = (await api.call('simulations.run', { selection: { procedure: PROCEDURE }, options: { repeat: 1, concurrency: 1 } })) as { suiteId: number };
    await expect.poll(() => finished.includes(suiteId), { timeout: 60_000 }).toBe(true);
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    const runId = list.simulations[0]!.lastRun!.runId;
    return { api, fake, runId, result: (await api.call('simulations.result', { runId })) as RunResult };
  }

  it('keeps the world a mocked run ended with beside its starting world; the replay, offline, ends with the same', async () => {
    const { api, fake, runId, result } = await runOnce();
    expect(result.status).toBe('passed');
    expect(result.finalWorld.state).toBe('recorded');
    if (result.finalWorld.state !== 'recorded') return;
    expect(result.finalWorld.startedFrom).toBe('shop');
    expect(result.finalWorld.start).not.toHaveProperty('lookups');
    expect(result.finalWorld.final.lookups).toEqual(['7']);
    // The rest of the shop is as it started: only the lookup's note was added.
    const { lookups: _added, ...rest } = result.finalWorld.final;
    expect(rest).toEqual(result.finalWorld.start);

    await fake.close();
    const replay = (await api.call('simulations.replay', { runId })) as { runId: number; identical: boolean; differences: string[] };
    expect(replay).toMatchObject({ identical: true, differences: [] });
    const replayed = (await api.call('simulations.result', { runId: replay.runId })) as RunResult;
    expect(replayed.replayOf).toBe(runId);
    expect(replayed.finalWorld).toEqual(result.finalWorld);
  }, 90_000);

  it('a replay whose mocks leave a different world is not identical, and says so', async () => {
    const { api, fake, runId } = await runOnce();
    await fake.close();
    // The connector's mock changed since the run: the same conversation now leaves another world.
    api.workspace.connectors.save(handler('"order " + str(data["input"]["id"])'));
    const replay = (await api.call('simulations.replay', { runId })) as { runId: number; identical: boolean; differences: string[] };
    expect(replay.identical).toBe(false);
    expect(replay.differences).toContain('the final world differs');
    const replayed = (await api.call('simulations.result', { runId: replay.runId })) as RunResult;
    expect(replayed.finalWorld).toMatchObject({ state: 'recorded', final: { lookups: ['order 7'] } });
  }, 90_000);

  it('a run that ended before its connectors started has no world, and says why', async () => {
    const { result } = await runOnce({ ...SIMULATION, connectors: { mode: 'mock', world: 'no-such-world' } });
    expect(result.status).toBe('error');
    expect(result.finalWorld).toEqual({ state: 'none', reason: 'The run ended before its connectors started.' });
  }, 90_000);

  it('a run stored before final worlds were kept says "not recorded"', async () => {
    const { api, runId } = await runOnce();
    const run = api.workspace.simulations.requireRun(runId);
    // The run as an older Stepwise stored it: the same details without the final world.
    const { finalWorld: _kept, ...olderDetails } = run.details!;
    const older = api.workspace.simulations.startRun(run.simulationId, { procedureHash: run.procedureHash, definition: run.definition! });
    api.workspace.simulations.completeRun(older, { status: run.status as 'passed', summary: run.summary, checks: run.checks.map(({ id: _id, ...check }) => check), details: olderDetails });
    const result = (await api.call('simulations.result', { runId: older })) as RunResult;
    expect(result.finalWorld).toEqual({ state: 'not_recorded' });
  }, 90_000);
});
