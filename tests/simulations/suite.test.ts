// Suites: the concurrency limit, pass^k over repeated tries, progress events, cancellation, the cost
// estimate before and the actual cost after, and the comparison with the previous runs.
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelCaller } from '../../main/model/client';
import { compareWithPrevious } from '../../main/simulations/comparison';
import { estimateSuiteCost } from '../../main/simulations/cost';
import { choose, passHatCurve, passHatK } from '../../main/simulations/scoring';
import { runSuite, type SuiteProgress } from '../../main/simulations/suite';
import type { Workspace } from '../../main/store/workspace';
import { useModelServers, type ModelServer } from './helpers';
import { useSandbox } from '../support/fixtures';
import { GREETING, greetingScript, greetingWorkspace } from './greeting';

const sandbox = useSandbox();

const startModelServer = useModelServers();
let server: ModelServer | undefined;
let workspace: Workspace | undefined;
afterEach(async () => {
  workspace?.close();
});

/** Passes calls through, counting how many are in flight at once. */
function counting(inner: ModelCaller): ModelCaller & { max: number } {
  let current = 0;
  const caller = {
    max: 0,
    async call(...args: Parameters<ModelCaller['call']>) {
      current += 1;
      caller.max = Math.max(caller.max, current);
      try {
        return await inner.call(...args);
      } finally {
        current -= 1;
      }
    },
  };
  return caller;
}

describe('pass^k', () => {
  it('is the share of simulations that pass all k tries, estimated without bias from more tries', () => {
    expect(choose(5, 2)).toBe(10);
    expect(choose(3, 0)).toBe(1);
    expect(choose(2, 3)).toBe(0);
    const tries = [
      [true, true, true],
      [true, false, true],
      [false, false, false],
    ];
    expect(passHatK(tries, 3)).toBeCloseTo(1 / 3);
    expect(passHatK(tries, 1)).toBeCloseTo((1 + 2 / 3 + 0) / 3);
    // C(2,2)/C(3,2) = 1/3 for the simulation that passed two of three tries.
    expect(passHatK(tries, 2)).toBeCloseTo((1 + 1 / 3 + 0) / 3);
    expect(passHatCurve(tries, 3).map((value) => Number(value!.toFixed(4)))).toEqual([0.5556, 0.4444, 0.3333]);
    expect(passHatK([], 2)).toBeNull();
    expect(() => passHatK([[true]], 2)).toThrow(/has 1 tries; pass\^2 needs at least 2/);
    expect(() => passHatK(tries, 0)).toThrow(RangeError);
  });
});

describe('a suite', () => {
  it('keeps to the concurrency limit, reports progress, and scores pass^k from repeated tries', async () => {
    const personas = ['steady-a', 'steady-b', 'fails-try-2', 'always-fails', 'steady-c'];
    workspace = greetingWorkspace(personas);
    server = await startModelServer(greetingScript(40));
    const model = counting(server.client);
    const events: SuiteProgress[] = [];
    const report = await runSuite({ workspace, sandbox }, workspace.simulations.list('Greeting'), { model, repeat: 3, concurrency: 3, onProgress: (event) => events.push(event) });

    expect(model.max).toBe(3);
    expect(report).toMatchObject({ status: 'finished', k: 3, total: 15, passed: 11, failed: 4, errors: 0, skipped: 0 });
    // 3 of 5 simulations passed all three tries.
    expect(report.passHatK).toBeCloseTo(3 / 5);
    expect(report.passRate).toBeCloseTo(11 / 15);
    expect(report.simulations.find((score) => score.name === 'fails-try-2')).toMatchObject({ tries: 3, passes: 2 });
    expect(events[0]).toMatchObject({ type: 'suite_started', total: 15 });
    expect(events.filter((event) => event.type === 'run_started')).toHaveLength(15);
    expect(events.filter((event) => event.type === 'run_finished').map((event) => (event as { finished: number }).finished)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'suite_finished' });
    // Stored: the suite, its runs, each try numbered.
    const suite = workspace.simulations.suites.get(report.suiteId)!;
    expect(suite).toMatchObject({ status: 'finished', options: { repeat: 3, concurrency: 3 } });
    const runs = workspace.simulations.suites.runIds(report.suiteId).map((id) => workspace!.simulations.requireRun(id));
    expect(runs.map((run) => run.attempt).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
  });

  it('estimates the cost before it runs and reports the actual cost after', async () => {
    workspace = greetingWorkspace(['steady-a', 'steady-b']);
    server = await startModelServer(greetingScript());
    const simulations = workspace.simulations.list();
    const before = estimateSuiteCost(workspace, simulations, { repeat: 2, settings: server.settings });
    expect(before).toMatchObject({ runs: 4, fromLength: 2, fromLastRun: 0, unpricedModels: [] });
    expect(before.usd).toBeGreaterThan(0);

    const report = await runSuite({ workspace, sandbox }, simulations, { model: server.client, repeat: 2, concurrency: 2, estimate: before });
    // Every fake response reports 100 input and 20 output tokens; every model costs $1 in and $5 out per million.
    const calls = server.fake.requests.length;
    expect(report.tokens).toBe(calls * 120);
    expect(report.costUsd).toBeCloseTo((calls * (100 * 1 + 20 * 5)) / 1_000_000, 12);
    expect(report.estimatedUsd).toBe(before.usd);

    const after = estimateSuiteCost(workspace, simulations, { repeat: 2, settings: server.settings });
    expect(after).toMatchObject({ fromLastRun: 2, fromLength: 0 });
    expect(after.usd).toBeCloseTo(report.costUsd, 12);
    const unpriced = estimateSuiteCost(workspace, simulations, { repeat: 1, settings: { ...server.settings, prices: {} } });
    expect(unpriced.unpricedModels).toEqual(['agent-model', 'judge-model']);
  });

  it('can be cancelled: no new run starts and the runs in flight stop', async () => {
    workspace = greetingWorkspace(['a', 'b', 'c', 'd', 'e', 'f']);
    server = await startModelServer(greetingScript(300));
    const controller = new AbortController();
    const started = performance.now();
    const report = await runSuite({ workspace, sandbox }, workspace.simulations.list(), {
      model: server.client,
      repeat: 1,
      concurrency: 2,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'run_started' && event.started === 2) setTimeout(() => controller.abort(), 50);
      },
    });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(report.status).toBe('cancelled');
    expect(report.skipped).toBe(4);
    expect(report.runs.map((run) => [run.status, run.details.endedBy])).toEqual([
      ['error', 'cancelled'],
      ['error', 'cancelled'],
    ]);
    expect(report.passHatK).toBeNull();
    expect(workspace.simulations.suites.get(report.suiteId)?.status).toBe('cancelled');
  });

  it('refuses to run live versions of a Procedure that was never published, before starting anything', async () => {
    workspace = greetingWorkspace(['steady-a']);
    server = await startModelServer(greetingScript());
    await expect(runSuite({ workspace, sandbox }, workspace.simulations.list(), { model: server.client, repeat: 1, concurrency: 1, draft: false })).rejects.toThrow(
      'These Procedures have no live version: Greeting. Publish them, or run the simulations on drafts.',
    );
    expect(server.fake.requests).toHaveLength(0);
    expect(workspace.simulations.runs(workspace.simulations.list()[0]!.id)).toEqual([]);
  });

  it('compares with the previous runs: newly failing, newly passing, and the Procedure diff between them', async () => {
    workspace = greetingWorkspace(['steady-a', 'fails-try-2']);
    server = await startModelServer(greetingScript());
    const first = await runSuite({ workspace, sandbox }, workspace.simulations.list(), { model: server.client, repeat: 1, concurrency: 1 });
    const firstComparison = compareWithPrevious(workspace, workspace.simulations.suites.runIds(first.suiteId));
    expect(firstComparison.simulations.map((entry) => entry.change)).toEqual(['new', 'new']);

    workspace.procedures.saveDraft('Greeting', GREETING.replace('Say hello and ask how you can help.', 'Say hello warmly and ask how you can help.'));
    const second = await runSuite({ workspace, sandbox }, workspace.simulations.list(), { model: server.client, repeat: 1, concurrency: 1 });
    const comparison = compareWithPrevious(workspace, workspace.simulations.suites.runIds(second.suiteId));
    expect(comparison.newlyFailing.map((entry) => entry.name)).toEqual(['fails-try-2']);
    expect(comparison.newlyPassing).toEqual([]);
    expect(comparison.simulations.find((entry) => entry.name === 'steady-a')?.change).toBe('still_passing');
    expect(comparison.procedureChanges).toHaveLength(1);
    expect(comparison.procedureChanges[0]).toMatchObject({ procedure: 'Greeting', added: 1, removed: 1 });
    expect(comparison.procedureChanges[0]!.patch).toContain('+Say hello warmly and ask how you can help. @end');

    const third = await runSuite({ workspace, sandbox }, workspace.simulations.list(), { model: server.client, repeat: 1, concurrency: 1 });
    const again = compareWithPrevious(workspace, workspace.simulations.suites.runIds(third.suiteId));
    expect(again.newlyPassing.map((entry) => entry.name)).toEqual(['fails-try-2']);
    expect(again.procedureChanges).toEqual([]);
  });
});
