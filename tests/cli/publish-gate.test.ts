// `stepwise publish` behind the publish gate: the warnings are printed; without a terminal it
// refuses unless --force; at a terminal it asks, and only "yes" publishes; a tested text with
// nothing to warn about publishes without a question.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { ProcedureService } from '../../main/services/procedures';
import { SimulationService } from '../../main/services/simulations';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { GREETING, greetingScript } from '../simulations/greeting';
import { useModelServers } from '../simulations/helpers';

const startModelServer = useModelServers();
const sandbox = new LazySandbox(null, 'This test runs no Python.');

function newProcedureWorkspace(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'stepwise-gate-')), 'gate.stepwise');
  const workspace = Workspace.create(file);
  new ProcedureService(workspace, { python: sandbox }).create('Gift cards', false);
  workspace.close();
  return file;
}

const live = (file: string, name: string) => {
  const workspace = Workspace.open(file);
  const version = workspace.procedures.require(name).live?.version ?? null;
  workspace.close();
  return version;
};

/** A person at a terminal who gives `answer`; the questions asked are kept. */
const terminal = (answer: string) => {
  const questions: string[] = [];
  return Object.assign(captureIo(tmpdir()), { questions, ask: async (question: string) => (questions.push(question), answer) });
};

describe('stepwise publish, gated', () => {
  it('an untouched new Procedure is refused without a terminal, naming the placeholder trigger and the missing simulations', async () => {
    const file = newProcedureWorkspace();
    const out = captureIo(tmpdir());
    expect(await runCli(['publish', 'Gift cards', '--workspace', file], out)).toBe(1);
    expect(out.stderr()).toContain('Warning: "Gift cards" has no simulations');
    expect(out.stderr()).toContain('Warning: "Gift cards" still holds the starter text\'s placeholders (line 3, 7)');
    expect(out.stderr()).toContain('"Gift cards" was not published: 2 warnings above. Run again with --force to publish anyway.');
    expect(live(file, 'Gift cards')).toBeNull();
  });

  it('at a terminal it asks: no (or nothing) keeps it a draft, yes publishes', async () => {
    const file = newProcedureWorkspace();
    for (const answer of ['n', '', 'maybe']) {
      const out = terminal(answer);
      expect(await runCli(['publish', 'Gift cards', '--workspace', file], out), answer).toBe(1);
      expect(out.questions).toEqual(['Publish anyway? [y/N] ']);
      expect(out.stderr()).toContain('"Gift cards" was not published.');
      expect(live(file, 'Gift cards')).toBeNull();
    }
    const yes = terminal('yes');
    expect(await runCli(['publish', 'Gift cards', '--workspace', file], yes)).toBe(0);
    expect(yes.stdout()).toContain('Published "Gift cards" as version 1');
    expect(live(file, 'Gift cards')).toBe(1);
  });

  it('--force publishes past the warnings, still printing them', async () => {
    const file = newProcedureWorkspace();
    const out = captureIo(tmpdir());
    expect(await runCli(['publish', 'Gift cards', '--workspace', file, '--force', '--note', 'on purpose'], out)).toBe(0);
    expect(out.stderr()).toContain('Warning: "Gift cards" has no simulations');
    expect(out.stdout()).toContain('Published "Gift cards" as version 1');
  });

  it('a text whose simulations passed on it publishes with no warning and no question; a failing one is named', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'stepwise-gate-')), 'greeting.stepwise');
    const workspace = Workspace.create(file);
    workspace.procedures.create(GREETING);
    workspace.simulations.save('Greeting', 'polite', { customer: { persona: 'polite', opening: 'Hello there' }, criteria: [{ name: 'greets', assertion: 'The agent says hello.' }] });
    const simulations = new SimulationService({ workspace, sandbox });
    const server = await startModelServer(greetingScript());
    const run = async () => {
      const selected = simulations.select({});
      await simulations.runSuite(selected, { model: server.client, repeat: 1, concurrency: 1, live: false, estimate: simulations.estimate(selected, { repeat: 1, settings: server.settings }) });
    };
    await run();
    workspace.close();
    // A terminal whose answer would refuse: publishing shows no question was asked.
    const clean = terminal('');
    expect(await runCli(['publish', 'Greeting', '--workspace', file], clean)).toBe(0);
    expect(clean.stderr()).toBe('');
    expect(clean.questions).toEqual([]);

    const reopened = Workspace.open(file);
    reopened.simulations.save('Greeting', 'always-fails', { customer: { persona: 'always-fails', opening: 'Hello there' }, criteria: [{ name: 'greets', assertion: 'The agent says hello.' }] });
    const again = new SimulationService({ workspace: reopened, sandbox });
    const selected = again.select({});
    await again.runSuite(selected, { model: server.client, repeat: 1, concurrency: 1, live: false, estimate: again.estimate(selected, { repeat: 1, settings: server.settings }) });
    reopened.close();
    const failing = captureIo(tmpdir());
    expect(await runCli(['publish', 'Greeting', '--workspace', file, '--from', join(tmpdir(), 'nowhere.md')], failing)).toBe(2);
    const refused = captureIo(tmpdir());
    expect(await runCli(['publish', 'Greeting', '--workspace', file], refused)).toBe(1);
    expect(refused.stderr()).toContain('Warning: 1 simulation of "Greeting" fails on this text: always-fails.');
    expect(live(file, 'Greeting')).toBe(1);
  });
});
