// Suite throughput against the ideal. 50 simulations of 8 turns each run at concurrency 10 against
// the fake Messages API (through the real SDK and model client), which answers every call (customer,
// agent, judge) after a fixed 50 ms. Each run is real: the conversation runtime on a workspace file
// (every turn's state, transcript and trace written to SQLite), the customer simulator, the judge,
// the checks and the recording of every response.
//   ideal = total model time ÷ concurrency = calls × 50 ms ÷ 10
//   budget: wall time ≤ 1.25 × ideal
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ModelClient } from '../main/model/client';
import { ModelSettingsSchema } from '../main/model/settings';
import { lazyPythonSandbox } from '../main/assembly/lazy-sandbox';
import { runSuite } from '../main/simulations/suite';
import { Workspace } from '../main/store/workspace';
import { startFakeModelThread } from './support/fake-model-thread';
import { DELAY_MS, MODELS, PROCEDURE, PROCEDURE_NAME, simulationOf, TURNS } from './support/simulation-script';

const SIMULATIONS = 50;
const CONCURRENCY = 10;
const BUDGET = 1.25;

export async function run(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-sim-'));
  // The fake model answers from a worker thread: its CPU is not Stepwise's.
  const fake = await startFakeModelThread(new URL('./support/simulation-script.ts', import.meta.url));
  const workspace = Workspace.create(join(dir, 'bench.stepwise'));
  const sandbox = lazyPythonSandbox();
  try {
    workspace.procedures.create(PROCEDURE);
    for (let n = 1; n <= SIMULATIONS; n++) {
      const { name, definition } = simulationOf(n);
      workspace.simulations.save(PROCEDURE_NAME, name, definition);
    }
    const model = new ModelClient(ModelSettingsSchema.parse({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0, models: MODELS, prices: {} }));
    const started = performance.now();
    const loop = performance.eventLoopUtilization();
    const report = await runSuite({ workspace, sandbox }, workspace.simulations.list(), { model, repeat: 1, concurrency: CONCURRENCY });
    const wall = performance.now() - started;
    const busy = performance.eventLoopUtilization(loop).utilization;

    const calls = await fake.requests();
    const ideal = (calls * DELAY_MS) / CONCURRENCY;
    const ratio = wall / ideal;
    const turns = report.runs.reduce((sum, entry) => sum + entry.details.turns, 0);
    const overheadPerTurn = (wall - ideal) / (turns / CONCURRENCY);
    const complete = report.passed === SIMULATIONS && turns === SIMULATIONS * TURNS && report.runs.every((entry) => entry.details.endedBy === 'outcome');
    const ok = complete && ratio <= BUDGET;
    console.log('Simulation suite throughput (fake model, 50 ms per call)');
    console.log(`  ${SIMULATIONS} simulations × ${TURNS} turns at concurrency ${CONCURRENCY}: ${report.passed}/${SIMULATIONS} passed, ${turns} turns, ${calls} model calls`);
    console.log(`  ideal (model time ÷ concurrency): ${(ideal / 1000).toFixed(2)} s`);
    console.log(`  wall time:                        ${(wall / 1000).toFixed(2)} s  = ${ratio.toFixed(3)} × ideal (budget ≤ ${BUDGET}×) ${ratio <= BUDGET ? 'ok' : 'MISSED'}`);
    console.log(`  overhead per turn (per slot):     ${overheadPerTurn.toFixed(1)} ms`);
    console.log(`  Stepwise's thread was busy ${(busy * 100).toFixed(0)}% of the time (${((busy * wall) / calls).toFixed(2)} ms per model call)`);
    if (!complete) console.log(`  MISSED: not every simulation ran its ${TURNS} turns to the end and passed`);
    return ok;
  } finally {
    await sandbox.close();
    workspace.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
