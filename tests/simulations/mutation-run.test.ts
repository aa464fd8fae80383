// The mutation run's rules (main/simulations/mutation-run.ts, through the simulation service): a
// suite that fails on the Procedure itself runs no mutant; a mutant whose runs error (the model is
// unreachable) is neither killed nor survived; nothing reaches the user's workspace.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import { ServiceError } from '../../main/services/errors';
import { SimulationService } from '../../main/services/simulations';
import { judgeMutant } from '../../main/simulations/mutation-run';
import type { SuiteReport } from '../../main/simulations/suite';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';
import { GREETING, greetingScript } from './greeting';
import { roleOf, useModelServers } from './helpers';

const tempDir = useTempDir();
const startModelServer = useModelServers();
const sandbox = new LazySandbox(null, 'This test runs no Python.');

function greeting(persona: string) {
  const workspace = Workspace.create(join(tempDir(), 'mutants.stepwise'));
  workspace.procedures.create(GREETING);
  workspace.simulations.save('Greeting', persona, { customer: { persona, opening: 'Hello there' }, criteria: [{ name: 'greets', assertion: 'The agent says hello.' }] });
  return { workspace, service: new SimulationService({ workspace, sandbox }) };
}

describe('a mutation run', () => {
  it('plans the mutants with a cost for the suite once plus once per mutant; refuses a Procedure without simulations', async () => {
    const { workspace, service } = greeting('polite');
    const server = await startModelServer(greetingScript());
    const plan = service.planMutations('Greeting', { settings: server.settings });
    expect(plan.mutants.map((mutant) => `${mutant.id} ${mutant.operator}`)).toEqual(['m1 drop-end']);
    expect(plan.estimate.suites).toBe(2);
    expect(plan.estimate.usd).toBeCloseTo(plan.estimate.usdPerSuite * 2);
    expect(() => service.planMutations('Greeting', { settings: server.settings, tags: ['none'] })).toThrow(ServiceError);
    expect(() => service.planMutations('Greeting', { settings: server.settings, tags: ['none'] })).toThrow(/No simulations match in "Greeting" with the tag none/);
    workspace.close();
  });

  it('runs no mutant when no simulation passes on the Procedure itself', async () => {
    const { workspace, service } = greeting('always-fails');
    const server = await startModelServer(greetingScript());
    const report = await service.runMutations(service.planMutations('Greeting', { settings: server.settings }), { model: server.client, concurrency: 1 });
    expect(report.status).toBe('baseline_failed');
    expect(report.baseline.failed).toEqual(['always-fails']);
    expect(report.mutants).toEqual([]);
    expect(report.score).toBeNull();
    expect(server.requests('judge')).toHaveLength(1);
    // The baseline ran in the throwaway copy: the workspace has no run.
    expect(workspace.simulations.lastRun(workspace.simulations.list('Greeting')[0]!.id)).toBeNull();
    workspace.close();
  });

  it('a mutant whose runs error is neither killed nor survived, with the reason', async () => {
    const { workspace, service } = greeting('polite');
    const answer = greetingScript();
    // The baseline gets its answers; from the mutant's first call on, the model is overloaded.
    let judged = false;
    const server = await startModelServer((request) => {
      if (judged) return { status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } };
      if (roleOf(request) === 'judge') judged = true;
      return answer(request);
    });
    const report = await service.runMutations(service.planMutations('Greeting', { settings: server.settings }), { model: server.client, concurrency: 1 });
    expect(report.status).toBe('finished');
    expect(report.mutants.map((outcome) => outcome.status)).toEqual(['error']);
    expect(report.mutants[0]!.errors[0]).toMatch(/^polite: /);
    expect(report.killed + report.survived).toBe(0);
    expect(report.score).toBeNull();
    workspace.close();
  });

  it('judges a mutant by its suite: a failure kills it, errors alone decide nothing, all passing survives', () => {
    const run = (simulation: string, status: 'passed' | 'failed' | 'error') => ({ simulation, status, summary: `${status}.` });
    const suite = (runs: ReturnType<typeof run>[], status: SuiteReport['status'] = 'finished') => ({ suiteId: 7, status, runs, costUsd: 0.5, wallMs: 10 }) as unknown as SuiteReport;
    const mutant = { id: 'm1', operator: 'drop-end' as const, description: 'x', nodeId: null, branchId: null, stepId: null, place: null, line: 1 };
    expect(judgeMutant(mutant, suite([run('a', 'passed'), run('b', 'failed'), run('c', 'error')]))).toMatchObject({ status: 'killed', killedBy: ['b'], errors: ['c: error.'] });
    expect(judgeMutant(mutant, suite([run('a', 'passed'), run('c', 'error')])).status).toBe('error');
    expect(judgeMutant(mutant, suite([run('a', 'passed')])).status).toBe('survived');
    expect(judgeMutant(mutant, suite([run('a', 'passed')], 'cancelled')).status).toBe('cancelled');
  });
});
