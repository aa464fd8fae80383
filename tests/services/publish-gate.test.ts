// The publish gate (main/services/publish-gate.ts): the warnings before a text goes live, as data,
// for each case: no simulations, failing ones (a human's overrule counts), stale ones, the starter's
// placeholders; and none when the text was tested and passed. Runs go through the real SDK to the
// fake Messages API.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import { placeholderLines, publishWarnings } from '../../main/services/publish-gate';
import { ProcedureService, starterText } from '../../main/services/procedures';
import { SimulationService } from '../../main/services/simulations';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';
import { GREETING, greetingScript } from '../simulations/greeting';
import { useModelServers } from '../simulations/helpers';

const tempDir = useTempDir();
const startModelServer = useModelServers();
const sandbox = new LazySandbox(null, 'This test runs no Python.');

function greeting(personas: string[]) {
  const workspace = Workspace.create(join(tempDir(), 'gate.stepwise'));
  workspace.procedures.create(GREETING);
  for (const persona of personas) workspace.simulations.save('Greeting', persona, { customer: { persona, opening: 'Hello there' }, criteria: [{ name: 'greets', assertion: 'The agent says hello.' }] });
  return { workspace, procedures: new ProcedureService(workspace, { python: sandbox }), simulations: new SimulationService({ workspace, sandbox }) };
}

async function runAll(simulations: SimulationService): Promise<number[]> {
  const server = await startModelServer(greetingScript());
  const selected = simulations.select({});
  const result = await simulations.runSuite(selected, { model: server.client, repeat: 1, concurrency: 2, live: false, estimate: simulations.estimate(selected, { repeat: 1, settings: server.settings }) });
  return result.report.runs.map((run) => run.runId);
}

const codes = (warnings: { code: string }[]) => warnings.map((warning) => warning.code);

describe('the publish gate, pure', () => {
  it('finds the starter text\'s placeholders by line, in a new Procedure and a new sub-procedure', () => {
    expect(placeholderLines(starterText('Gift cards', false))).toEqual([3, 7]);
    expect(placeholderLines(starterText('Check', true))).toEqual([4, 8]);
    expect(placeholderLines(GREETING)).toEqual([]);
    expect(placeholderLines('## Step\nIf the customer asks:\n  - Say what the agent should do in this case.\n')).toEqual([3]);
  });

  it('warns once per kind, naming the simulations concerned', () => {
    const warnings = publishWarnings({
      name: 'X',
      text: 'ok',
      simulations: [
        { name: 'a', lastOnThisText: 'passed', everRun: true },
        { name: 'b', lastOnThisText: 'failed', everRun: true },
        { name: 'c', lastOnThisText: 'error', everRun: true },
        { name: 'd', lastOnThisText: null, everRun: true },
        { name: 'e', lastOnThisText: null, everRun: false },
      ],
    });
    expect(warnings).toEqual([
      { code: 'failing_simulations', message: '2 simulations of "X" fail on this text: b, c.', simulations: ['b', 'c'] },
      { code: 'stale_simulations', message: '2 simulations of "X" have not run on this text since it changed (or never ran): d, e.', simulations: ['d', 'e'] },
    ]);
    expect(publishWarnings({ name: 'X', text: 'ok', simulations: [{ name: 'a', lastOnThisText: 'passed', everRun: true }] })).toEqual([]);
  });
});

describe('ProcedureService.publishWarnings', () => {
  it('an untouched new Procedure: no simulations, and the placeholder trigger', () => {
    const { workspace, procedures } = greeting([]);
    procedures.create('Gift cards', false);
    const { warnings, draftHash } = procedures.publishWarnings('Gift cards');
    expect(codes(warnings)).toEqual(['no_simulations', 'placeholders']);
    expect(warnings[1]!.message).toContain('line 3, 7');
    expect(draftHash).toBe(workspace.procedures.require('Gift cards').draftHash);
    workspace.close();
  });

  it('never-run simulations are stale; after a run, a failing one is named; an overrule clears it; an edit makes them stale again', async () => {
    const { workspace, procedures, simulations } = greeting(['polite', 'always-fails']);
    expect(procedures.publishWarnings('Greeting').warnings).toEqual([
      { code: 'stale_simulations', message: '2 simulations of "Greeting" have not run on this text since it changed (or never ran): always-fails, polite.', simulations: ['always-fails', 'polite'] },
    ]);
    const runIds = await runAll(simulations);
    expect(procedures.publishWarnings('Greeting').warnings).toEqual([{ code: 'failing_simulations', message: '1 simulation of "Greeting" fails on this text: always-fails.', simulations: ['always-fails'] }]);

    // The human says the judge was wrong: the run counts as passed, nothing is left to warn about.
    const failed = runIds.find((id) => workspace.simulations.requireRun(id).status === 'failed')!;
    simulations.review(failed, 'greets', 'overrule', 'It did greet.');
    expect(procedures.publishWarnings('Greeting').warnings).toEqual([]);

    // The same simulations, but the text to publish is another one (a file's, or an edited draft).
    const edited = GREETING.replace('Say hello', 'Say hello warmly');
    expect(codes(procedures.publishWarnings('Greeting', edited).warnings)).toEqual(['stale_simulations']);
    procedures.saveDraft('Greeting', edited);
    expect(procedures.publishWarnings('Greeting').warnings[0]!.simulations).toEqual(['always-fails', 'polite']);
    workspace.close();
  });
});

describe('ProcedureService.publishWarnings on a file\'s text', () => {
  it('a Procedure the workspace does not have yet has no simulations; its placeholders are found in the text given', () => {
    const { workspace, procedures } = greeting([]);
    const { warnings, draftHash } = procedures.publishWarnings('Gift cards', starterText('Gift cards', false));
    expect(draftHash).toBeNull();
    expect(codes(warnings)).toEqual(['no_simulations', 'placeholders']);
    expect(() => procedures.publishWarnings('Gift cards')).toThrow(/There is no Procedure called "Gift cards"/);
    workspace.close();
  });
});
