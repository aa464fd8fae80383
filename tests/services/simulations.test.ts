// The simulation service's rules (main/services/simulations.ts), in-process: a model caller that
// answers by role stands in for the Messages API, the workspace is a real file, and the sandbox
// is one that must never start (these Procedures have no Python), so no child process runs.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LazySandbox } from '../../main/assembly/lazy-sandbox';
import { ModelSettingsSchema } from '../../main/model/settings';
import { nothingMatches, SimulationService, withTags } from '../../main/services/simulations';
import { StoreError } from '../../main/store/errors';
import { Workspace } from '../../main/store/workspace';
import { useTempDir } from '../store/helpers';
import { scriptedModel, type ToolCalls } from './scripted-model';

/** Agents greet and end; the judge fails the simulations whose persona says "fails". */
function greetingModel() {
  return scriptedModel((request): ToolCalls => {
    if (request.role === 'agent') return [['reply', { message: 'Hello! How can I help?' }], ['end_procedure', { summary: 'Greeted.' }]];
    if (request.role === 'judge') {
      const fails = JSON.stringify(request.messages).includes('Persona: fails');
      return [['record_verdicts', { verdicts: [{ criterion: 'C1', verdict: fails ? 'fail' : 'pass', reasoning: fails ? 'No greeting.' : 'Greeted.' }], customer: { followed_instructions: true, stopped_early: false, reasoning: 'Kept to it.' } }]];
    }
    throw new Error(`No ${request.role} calls expected.`);
  });
}

const GREETING = `---
name: Greeting
trigger: The customer says hello.
---

## Greet
Say hello and ask how you can help. @end
`;

describe('simulation rules, pure', () => {
  it('a tag filter keeps simulations with any of the tags, and no tag keeps them all', () => {
    const simulations = [{ name: 'a', definition: { tags: ['smoke'] } }, { name: 'b', definition: { tags: ['slow', 'nightly'] } }, { name: 'c', definition: { tags: [] } }];
    expect(withTags(simulations, []).map((entry) => entry.name)).toEqual(['a', 'b', 'c']);
    expect(withTags(simulations, ['nightly', 'smoke']).map((entry) => entry.name)).toEqual(['a', 'b']);
    expect(withTags(simulations, ['none'])).toEqual([]);
  });

  it('an empty selection names the Procedure and the tags it was filtered by', () => {
    expect(nothingMatches({})).toBe('No simulations match: nothing was run.');
    expect(nothingMatches({ procedure: 'Refund', tags: ['a', 'b'] })).toBe('No simulations match in "Refund" with the tag a or b: nothing was run.');
  });
});

describe('SimulationService', () => {
  const tempDir = useTempDir();
  const open = () => {
    const workspace = Workspace.create(join(tempDir(), 'w.stepwise'));
    workspace.procedures.create(GREETING);
    for (const persona of ['passes', 'fails']) {
      workspace.simulations.save('Greeting', persona, { customer: { persona, opening: 'Hello there' }, criteria: [{ name: 'greets', assertion: 'The agent says hello.' }], tags: persona === 'fails' ? ['flaky'] : [] });
    }
    const sandbox = new LazySandbox(null, 'This test runs no Python.');
    return { workspace, sandbox, service: new SimulationService({ workspace, sandbox }) };
  };

  it('runs a suite and reports it with the comparison, coverage and agreement; the run then shows with its transcript', async () => {
    const { workspace, sandbox, service } = open();
    try {
      const selected = service.select({ procedure: 'Greeting' });
      const settings = ModelSettingsSchema.parse({ apiKey: 'test' });
      const estimate = service.estimate(selected, { repeat: 1, settings });
      expect(estimate.runs).toBe(2);
      const model = greetingModel();
      const result = await service.runSuite(selected, { model, repeat: 1, concurrency: 2, live: false, estimate, trigger: 'test' });
      expect(result.report).toMatchObject({ total: 2, passed: 1, failed: 1, errors: 0 });
      expect(result.comparison.simulations.every((entry) => entry.previous === null)).toBe(true);
      expect(result.coverage.procedures[0]).toMatchObject({ procedure: 'Greeting', visitedSteps: 1 });
      expect(result.agreement).toMatchObject({ reviewed: 0, rate: null });
      expect(sandbox.running).toBe(false);

      const failed = result.report.runs.find((run) => run.status === 'failed')!;
      const view = service.show(failed.runId);
      expect(view).toMatchObject({ simulation: { name: 'fails' }, reviewedStatus: 'failed' });
      expect(view.transcript).toEqual([
        { role: 'customer', text: 'Hello there' },
        { role: 'agent', text: 'Hello! How can I help?' },
      ]);
      expect(view.trace.map((event) => event.type)).toContain('procedure_end');
      expect(service.list('Greeting').map((entry) => [entry.simulation.name, entry.lastRun?.status])).toEqual([
        ['fails', 'failed'],
        ['passes', 'passed'],
      ].sort());

      // Overruling the judge's failure makes the run count as passed, and the judge as wrong.
      const reviewed = service.review(failed.runId, 'greets', 'overrule', 'It did greet.');
      expect(reviewed.status).toBe('passed');
      expect(reviewed.agreement).toMatchObject({ reviewed: 1, overruled: 1, rate: 0 });
      expect(() => service.review(failed.runId, 'nope', 'agree')).toThrow(expect.objectContaining({ code: 'not-found', message: expect.stringContaining('its criteria are "greets"') }));
    } finally {
      workspace.close();
    }
  });

  it('runs on live versions only when every Procedure has one', async () => {
    const { workspace, service } = open();
    try {
      const model = greetingModel();
      const selected = service.select({ tags: ['flaky'] });
      expect(selected.map((simulation) => simulation.name)).toEqual(['fails']);
      const estimate = service.estimate(selected, { repeat: 1, settings: ModelSettingsSchema.parse({ apiKey: 'test' }) });
      await expect(service.runSuite(selected, { model, repeat: 1, concurrency: 1, live: true, estimate })).rejects.toThrow('These Procedures have no live version: Greeting.');
      expect(model.roles).toEqual([]);
    } finally {
      workspace.close();
    }
  });

  it('asks for the model only once the Procedure to generate for is known', async () => {
    const { workspace, service } = open();
    try {
      let asked = 0;
      await expect(
        service.generate('Nobody', async () => {
          asked += 1;
          return greetingModel();
        }),
      ).rejects.toThrow(StoreError);
      expect(asked).toBe(0);
    } finally {
      workspace.close();
    }
  });

  it('imports τ²-bench tasks under a Procedure, updating the ones already there', () => {
    const { workspace, service } = open();
    try {
      const tasks = JSON.stringify([{ id: '7', user_scenario: { instructions: { reason_for_call: 'Return a lamp.', known_info: 'Order 1043.', task_instructions: 'Be brief.' } }, evaluation_criteria: { actions: [], nl_assertions: ['The agent starts the return.'] } }]);
      const first = service.importTau2('Greeting', tasks, 'tasks.json');
      expect(first.created).toHaveLength(1);
      expect(service.importTau2('Greeting', tasks, 'tasks.json')).toEqual({ created: [], updated: first.created });
      expect(() => service.importTau2('Nobody', tasks)).toThrow(StoreError);
    } finally {
      workspace.close();
    }
  });
});
