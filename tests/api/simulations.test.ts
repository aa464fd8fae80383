// The simulations screen's calls: a Procedure's simulations with their last results, saving one
// (checked with the engine's schema, nothing saved when wrong), a suite in the background with its
// progress pushed, cancel, a run's result, replay offline, review and the per-Procedure agreement,
// the comparison with the previous suite and the coverage. The fake Messages API plays agent,
// customer and judge, through the real SDK.
import { describe, expect, it } from 'vitest';
import type { EventPayload, RunResult, SimulationList, SuiteView } from '../../shared/api';
import type { TestEngine } from './helpers';
import { LOST_PARCEL, models, ORDER, ORDER_WITHOUT_LOOKUP, SIMULATION, simulationScript, type ScriptOptions } from './simulations-fixtures';
import { PROCEDURE, useOrderStatusWorkspace } from './support/order-status';

describe('the simulations API', () => {
  const open = useOrderStatusWorkspace();

  async function setUp(script: ScriptOptions = {}, withKey = true) {
    const { api, fake } = await open(simulationScript(script), { apiKey: withKey });
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition: SIMULATION });
    const events: { event: string; payload: Record<string, unknown> }[] = [];
    api.hub.subscribe((event, payload) => events.push({ event, payload: payload as Record<string, unknown> }));
    return { api, fake, events };
  }

  async function runToEnd(api: TestEngine, events: { event: string; payload: Record<string, unknown> }[], input: Record<string, unknown> = {}) {
    const started = (await api.call('simulations.run', { selection: { procedure: PROCEDURE }, options: { repeat: 1, concurrency: 2 }, ...input })) as { suiteId: number; total: number };
    await expect.poll(() => events.some((e) => e.event === 'simulations.finished' && e.payload.suiteId === started.suiteId), { timeout: 20_000 }).toBe(true);
    return { ...started, suite: (await api.call('simulations.suite', { suiteId: started.suiteId })) as SuiteView };
  }

  it('refuses a definition with a wrong field, naming it, and saves nothing', async () => {
    const { api } = await setUp();
    const wrong = { ...SIMULATION, customer: { ...SIMULATION.customer, persona: '' } };
    await expect(api.call('simulations.save', { procedure: PROCEDURE, name: 'Broken', definition: wrong })).rejects.toMatchObject({ code: 'invalid', message: expect.stringContaining('customer.persona') });
    await expect(api.call('simulations.save', { procedure: PROCEDURE, name: 'Broken', definition: { ...SIMULATION, maxTurns: 0 } })).rejects.toMatchObject({ message: expect.stringContaining('maxTurns') });
    await expect(api.call('simulations.save', { procedure: PROCEDURE, name: 'Broken', definition: { ...SIMULATION, surprise: true } })).rejects.toMatchObject({ message: expect.stringContaining('surprise') });
    // A name already taken is not overwritten by a new simulation.
    await expect(api.call('simulations.save', { procedure: PROCEDURE, name: 'Where is order 7', definition: { ...SIMULATION, tags: ['other'] } })).rejects.toMatchObject({ code: 'conflict' });
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations.map((s) => [s.name, s.tags])).toEqual([['Where is order 7', ['smoke']]]);
  });

  it('renames a simulation in one save, and refuses a rename onto a taken name', async () => {
    const { api } = await setUp();
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Second', definition: SIMULATION });
    await expect(api.call('simulations.save', { procedure: PROCEDURE, name: 'Second', previousName: 'Where is order 7', definition: SIMULATION })).rejects.toMatchObject({ code: 'conflict' });
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Order 7', previousName: 'Where is order 7', definition: SIMULATION });
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations.map((s) => s.name).sort()).toEqual(['Order 7', 'Second']);
  });

  it('runs a suite in the background: progress, a pass, the result with its transcript, trace and checks', async () => {
    const { api, events } = await setUp();
    const estimate = (await api.call('simulations.estimate', { selection: { procedure: PROCEDURE }, options: { repeat: 2 } })) as { runs: number; fromLength: number };
    expect(estimate).toMatchObject({ runs: 2, fromLength: 1 });
    const { suite, total } = await runToEnd(api, events, { options: { repeat: 2, concurrency: 2 } });
    expect(total).toBe(2);
    const progress = events.filter((e) => e.event === 'simulations.progress').map((e) => (e.payload as EventPayload<'simulations.progress'>).counts.done);
    expect(progress).toEqual([0, 1, 2]);
    expect(suite).toMatchObject({ status: 'finished', trigger: 'app', k: 2, counts: { done: 2, total: 2, passed: 2, failed: 0 }, passHatK: 1 });
    expect(suite.comparison).toEqual([expect.objectContaining({ name: 'Where is order 7', change: 'new', flaky: false })]);
    expect(suite.coverage?.nodes.some((node) => node.visits > 0)).toBe(true);

    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations[0]!.lastRun).toMatchObject({ status: 'passed', stale: false, version: null, tries: 2, passes: 2 });
    const result = (await api.call('simulations.result', { runId: list.simulations[0]!.lastRun!.runId })) as RunResult;
    expect(result).toMatchObject({ status: 'passed', reviewedStatus: 'passed', attribution: null, simulation: 'Where is order 7' });
    expect(result.transcript.map((m) => m.text)).toEqual(expect.arrayContaining(['Where is my order 7?', 'Your order 7 has shipped.']));
    expect(result.trace.some((event) => event.type === 'connector_call')).toBe(true);
    expect(result.checks.find((check) => check.kind === 'criterion')).toMatchObject({ name: 'tells the status', passed: true, reason: 'The agent said the order has shipped.' });
    expect(result.checks.find((check) => check.kind === 'expected_action')).toMatchObject({ passed: true });
  });

  it('after a Procedure edit the same simulation fails, and the comparison flags the regression with the diff', async () => {
    const { api, events } = await setUp();
    await runToEnd(api, events);
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER_WITHOUT_LOOKUP });
    let list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations[0]!.lastRun).toMatchObject({ status: 'passed', stale: true });
    const { suite } = await runToEnd(api, events);
    expect(suite.counts).toMatchObject({ failed: 1, passed: 0 });
    expect(suite.comparison[0]).toMatchObject({ change: 'newly_failing' });
    expect(suite.procedureChanges[0]!.patch).toContain('-Look the order up with @crm.lookup');
    list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    const result = (await api.call('simulations.result', { runId: list.simulations[0]!.lastRun!.runId })) as RunResult;
    expect(result).toMatchObject({ status: 'failed', attribution: 'agent' });
    expect(result.checks.find((check) => check.kind === 'expected_action')).toMatchObject({ passed: false, party: 'agent' });
    const latest = (await api.call('simulations.latestSuite', { procedure: PROCEDURE })) as SuiteView;
    expect(latest.suiteId).toBe(suite.suiteId);
  });

  it('a review changes the run as counted and the Procedure’s agreement rate', async () => {
    const { api, events } = await setUp({ judgePasses: false });
    await runToEnd(api, events);
    let list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.agreement).toEqual({ reviewed: 0, agreed: 0, overruled: 0, rate: null });
    const runId = list.simulations[0]!.lastRun!.runId;
    const reviewed = (await api.call('simulations.review', { runId, criterion: 'tells the status', decision: 'overrule', note: 'It did say shipped.' })) as { result: RunResult; agreement: SimulationList['agreement'] };
    expect(reviewed.result).toMatchObject({ status: 'failed', reviewedStatus: 'passed' });
    expect(reviewed.result.checks.find((check) => check.kind === 'criterion')).toMatchObject({ effectivePassed: true, review: { decision: 'overrule', note: 'It did say shipped.' } });
    expect(reviewed.agreement).toMatchObject({ reviewed: 1, overruled: 1, rate: 0 });
    // Per Procedure: another Procedure's rate does not count this review (the workspace's does).
    expect(((await api.call('simulations.list', { procedure: 'Damaged order claim' })) as SimulationList).agreement).toMatchObject({ reviewed: 0, rate: null });
    expect(api.workspace.simulations.reviews.agreement()).toMatchObject({ reviewed: 1 });
    await api.call('simulations.review', { runId, criterion: 'tells the status', decision: 'agree' });
    list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.agreement).toMatchObject({ reviewed: 1, agreed: 1, rate: 1 });
    await expect(api.call('simulations.review', { runId, criterion: 'no such criterion', decision: 'agree' })).rejects.toMatchObject({ message: expect.stringContaining('tells the status') });
  });

  it('cancel stops the suite cleanly: it ends cancelled, what ran is kept and marked', async () => {
    const { api, events } = await setUp({ agentDelayMs: 400 });
    await api.call('simulations.save', { procedure: PROCEDURE, name: 'Second', definition: SIMULATION });
    const { suiteId } = (await api.call('simulations.run', { selection: { procedure: PROCEDURE }, options: { repeat: 3, concurrency: 1 } })) as { suiteId: number };
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await api.call('simulations.cancel', { suiteId })).toEqual({ cancelled: true });
    await expect.poll(() => events.find((e) => e.event === 'simulations.finished')?.payload.status, { timeout: 20_000 }).toBe('cancelled');
    const suite = (await api.call('simulations.suite', { suiteId })) as SuiteView;
    expect(suite.status).toBe('cancelled');
    expect(suite.counts.done).toBeLessThan(6);
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations.some((s) => s.lastRun?.cancelled)).toBe(true);
    expect(await api.call('simulations.cancel', { suiteId })).toEqual({ cancelled: false });
  });

  it('replays a run offline, with the model server stopped', async () => {
    const { api, events, fake } = await setUp();
    await runToEnd(api, events);
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    await fake.close();
    const replay = await api.call('simulations.replay', { runId: list.simulations[0]!.lastRun!.runId });
    expect(replay).toMatchObject({ identical: true, status: 'passed', differences: [] });
  });

  it('without a model key, a run is refused naming Settings; an unknown selection names what is missing', async () => {
    const { api } = await setUp({}, false);
    await expect(api.call('simulations.run', { selection: { procedure: PROCEDURE }, options: {} })).rejects.toMatchObject({ code: 'no-model' });
    await expect(api.call('simulations.estimate', { selection: { procedure: PROCEDURE, names: ['Nope'] }, options: {} })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('"Nope"') });
    await expect(api.call('simulations.estimate', { selection: { procedure: PROCEDURE, tags: ['nothing'] }, options: {} })).rejects.toMatchObject({ message: expect.stringContaining('No simulations match') });
    await expect(api.call('simulations.run', { selection: { procedure: PROCEDURE }, options: { live: true } })).rejects.toMatchObject({ code: 'no-model' });
  });

  it('the publish gate: no simulations and the starter placeholders, then stale, failing, and none once a run passes on this text', async () => {
    const { api, events } = await setUp();
    await api.call('procedures.create', { name: 'Fresh' });
    const fresh = (await api.call('simulations.publishWarnings', { procedure: 'Fresh' })) as { warnings: { code: string }[] };
    expect(fresh.warnings.map((w) => w.code)).toEqual(['no_simulations', 'placeholders']);
    const codes = async () => ((await api.call('simulations.publishWarnings', { procedure: PROCEDURE })) as { warnings: { code: string }[] }).warnings.map((w) => w.code);
    expect(await codes()).toEqual(['stale_simulations']);
    await runToEnd(api, events);
    expect(await codes()).toEqual([]);
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER_WITHOUT_LOOKUP });
    expect(await codes()).toEqual(['stale_simulations']);
    await runToEnd(api, events);
    expect(await codes()).toEqual(['failing_simulations']);
  });

  it('suggests simulations for the branches no run reached, saving nothing until one is accepted', async () => {
    const { api, events, fake } = await setUp();
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER + LOST_PARCEL });
    const { suite } = await runToEnd(api, events);
    const unreached = suite.coverage!.nodes.filter((node) => node.kind === 'branch' && node.visits === 0).map((node) => node.id);
    expect(unreached).toHaveLength(2);
    const { proposals } = (await api.call('simulations.suggest', { procedure: PROCEDURE, branches: unreached })) as { proposals: { target: string; name: string; definition: Record<string, unknown> }[] };
    expect(proposals.map((p) => p.target).sort()).toEqual([...unreached].sort());
    // Only the chosen branches were asked for.
    const asked = JSON.stringify(fake.requests.find((r) => r.body.model === models.author)!.body.messages);
    expect(asked).not.toContain('[target: happy-path]');
    // Named and described from the branches' words, as the prompt asks: no internal id reaches the user's data.
    for (const proposal of proposals) expect(`${proposal.name} ${String(proposal.definition.description)}`).not.toMatch(/step:/);
    expect(proposals.map((p) => p.name).join('\n')).toContain('→');
    let list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations).toHaveLength(1);
    await api.call('simulations.save', { procedure: PROCEDURE, name: proposals[0]!.name, definition: proposals[0]!.definition });
    list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations.map((s) => s.name)).toContain(proposals[0]!.name);
    await expect(api.call('simulations.suggest', { procedure: PROCEDURE, branches: ['step:nowhere/cond1/b1'] })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('step:nowhere/cond1/b1') });
  });

  it('checks suite strength: mutants planned with their cost first, then killed and surviving ones with the score; survivors get suggestions', async () => {
    const { api, events } = await setUp();
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER + LOST_PARCEL });
    const plan = (await api.call('simulations.planMutations', { procedure: PROCEDURE })) as { mutants: { id: string; operator: string }[]; estimate: { suites: number } };
    expect(plan.mutants.length).toBeGreaterThan(1);
    expect(plan.estimate.suites).toBe(plan.mutants.length + 1);
    const report = (await api.call('simulations.runMutations', { procedure: PROCEDURE, concurrency: 2 })) as {
      status: string;
      mutants: { id: string; operator: string; description: string; status: string; killedBy: string[]; branchId: string | null; place: string | null }[];
      killed: number;
      survived: number;
      score: number;
      replayNote: string;
    };
    expect(report.status).toBe('finished');
    // Dropping the lookup breaks the simulation's expected action: killed. The Lost parcel step no run reaches: its mutants survive.
    const dropLookup = report.mutants.find((m) => m.description.includes('crm.lookup'))!;
    expect(dropLookup).toMatchObject({ status: 'killed', killedBy: ['Where is order 7'] });
    const survivors = report.mutants.filter((m) => m.status === 'survived');
    expect(survivors.length).toBeGreaterThan(0);
    expect(survivors.some((m) => m.branchId?.startsWith('step:lost-parcel'))).toBe(true);
    // The place the screen names is in the Procedure's words, the id kept for the graph.
    expect(survivors.find((m) => m.branchId?.startsWith('step:lost-parcel'))!.place).toBe('“Lost parcel” → the customer says the parcel never arrived');
    expect(report.score).toBeCloseTo(report.killed / (report.killed + report.survived));
    expect(report.replayNote).toContain('not reused');
    const progress = events.filter((e) => e.event === 'simulations.mutationProgress').map((e) => e.payload.done as number);
    expect(progress.at(-1)).toBe(plan.mutants.length + 1);
    // The workspace's own simulations and runs are as they were: the mutants ran in a copy.
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    expect(list.simulations.map((s) => s.lastRun)).toEqual([null]);
    const { proposals } = (await api.call('simulations.suggestForSurvivors', { procedure: PROCEDURE, mutants: [survivors[0]!.id] })) as { proposals: unknown[] };
    expect(proposals.length).toBeGreaterThan(0);
    await expect(api.call('simulations.suggestForSurvivors', { procedure: PROCEDURE, mutants: ['m999'] })).rejects.toMatchObject({ code: 'not-found' });
  }, 60_000);

  it('Improve with AI proposes a revised draft as a diff and applies nothing', async () => {
    const { api, events, fake } = await setUp();
    await api.call('procedures.saveDraft', { name: PROCEDURE, text: ORDER_WITHOUT_LOOKUP + LOST_PARCEL });
    await runToEnd(api, events);
    const list = (await api.call('simulations.list', { procedure: PROCEDURE })) as SimulationList;
    const before = (await api.call('procedures.get', { name: PROCEDURE })) as { draftText: string; draftHash: string };
    const proposal = (await api.call('simulations.improve', { procedure: PROCEDURE, feedback: 'It must look the order up first.', runId: list.simulations[0]!.lastRun!.runId })) as { baseHash: string; after: string; patch: string; valid: boolean };
    expect(proposal).toMatchObject({ baseHash: before.draftHash, valid: true, after: ORDER + LOST_PARCEL });
    expect(proposal.patch).toContain('+Look the order up with @crm.lookup');
    // The failing run went to the author model with the feedback.
    const asked = JSON.stringify(fake.requests.find((r) => r.body.model === models.author)!.body.messages);
    expect(asked).toContain('It must look the order up first.');
    expect(asked).toContain('failing_run');
    expect(((await api.call('procedures.get', { name: PROCEDURE })) as { draftText: string }).draftText).toBe(before.draftText);
    await expect(api.call('simulations.improve', { procedure: PROCEDURE, feedback: '  ' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
