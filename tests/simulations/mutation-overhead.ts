// A measurement, not a test: what a mutation run adds over running the suite once per mutant.
// The example "Damaged order claim" suite (Sparking kettle) and its 12 mutants, against the fake
// Messages API answering every call after DELAY ms, the real runtime and Python sandbox.
//   node --import tsx tests/simulations/mutation-overhead.ts [delay-ms] [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelClient } from '../../main/model/client';
import { createPythonSandbox } from '../../main/sandbox';
import { loadExamples } from '../../main/services/example-workspace';
import { SimulationService } from '../../main/services/simulations';
import { Workspace } from '../../main/store/workspace';
import { startFakeAnthropic } from '../support/fake-anthropic';
import { conversationsScript, SPARKING_KETTLE } from './example-scripts';
import { testSettings } from './helpers';

const delayMs = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 3);
const answer = conversationsScript([SPARKING_KETTLE]);
const fake = await startFakeAnthropic((request) => ({ ...answer(request), delayMs }) as never);
const sandbox = createPythonSandbox({ poolSize: 1 });
const folder = mkdtempSync(join(tmpdir(), 'stepwise-overhead-'));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
try {
  const workspace = Workspace.create(join(folder, 'shop.stepwise'), (building) => void loadExamples(building));
  const settings = testSettings(fake.url);
  const service = new SimulationService({ workspace, sandbox });
  const rows: { wall: number; suites: number; baseline: number; overhead: number; mutants: number }[] = [];
  for (let round = 0; round <= rounds; round++) {
    const plan = service.planMutations('Damaged order claim', { settings });
    const report = await service.runMutations(plan, { model: new ModelClient(settings), concurrency: 2 });
    if (round === 0) continue; // warm-up: the sandbox's first start
    rows.push({ wall: report.wallMs, suites: report.suitesWallMs, baseline: report.baseline.wallMs, overhead: report.overheadMs, mutants: report.mutants.length });
  }
  workspace.close();
  const wall = median(rows.map((row) => row.wall));
  const suites = median(rows.map((row) => row.suites));
  const overhead = median(rows.map((row) => row.overhead));
  const baseline = median(rows.map((row) => row.baseline));
  const mutantSuites = suites - baseline;
  console.log(`${rows[0]!.mutants} mutants, model delay ${delayMs} ms, ${rounds} rounds (medians):`);
  console.log(`  whole run ${wall} ms; the suites inside it ${suites} ms (baseline ${baseline} ms + mutants ${mutantSuites} ms)`);
  console.log(`  overhead outside the suites (copy, drafts, bookkeeping): ${overhead} ms = ${((overhead / mutantSuites) * 100).toFixed(1)}% of running the suite once per mutant`);
  console.log(`  with the baseline suite counted as overhead too: ${overhead + baseline} ms = ${(((overhead + baseline) / mutantSuites) * 100).toFixed(1)}%`);
} finally {
  await sandbox.close();
  await fake.close();
  rmSync(folder, { recursive: true, force: true });
}
