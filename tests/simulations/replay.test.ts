// Deterministic replay: every model response of a run is recorded, and the run plays again exactly,
// offline (the fake model server is closed), on the texts, world and clock it had. Also the step
// coverage of a run, by graph node id.
import { afterEach, describe, expect, it } from 'vitest';
import { coverage, runsCoverage } from '../../main/simulations/coverage';
import { ReplayDivergedError } from '../../main/simulations/model-recording';
import { pinProcedures } from '../../main/simulations/pinned-procedures';
import { replayedRunConnectors } from '../../main/simulations/run-connectors';
import { replayRun, runSimulation } from '../../main/simulations/simulate';
import type { Workspace } from '../../main/store/workspace';
import { byRole, say, shopWorkspace, useModelServers, verdicts, type ModelServer } from './helpers';
import { useSandbox } from '../support/fixtures';
import { agentScript, baseDefinition, customerScript, OPENING } from './scenario';
import { sqlOf } from '../store/sql';

const sandbox = useSandbox();

const startModelServer = useModelServers();
let server: ModelServer | undefined;
let workspace: Workspace | undefined;
afterEach(async () => {
  workspace?.close();
});

async function recordedRun() {
  workspace = shopWorkspace();
  // Without an opening, the customer model writes the first message too.
  server = await startModelServer(byRole({ agent: agentScript(), customer: [say(OPENING), ...customerScript()], judge: [verdicts(['pass'])] }));
  const simulation = workspace.simulations.save(
    'Damaged order claim',
    'Sparking kettle',
    baseDefinition({
      customer: { persona: 'Jane', reason: 'Broken kettle.' },
      criteria: [{ name: 'safety', assertion: 'Tells the customer to stop using it.' }],
      worldAssertions: [{ name: 'no refund', python: 'len(data["world"]["payments"]["refunds"]) == 0' }],
      finalStatus: { status: 'handed_off', team: 'Safety team' },
    }),
  );
  const outcome = await runSimulation({ workspace, sandbox }, simulation, { model: server.client, pinned: pinProcedures(workspace, true) });
  expect(outcome.status).toBe('passed');
  return outcome;
}

describe('replay', () => {
  it('plays a recorded run again exactly, with no model server', async () => {
    const original = await recordedRun();
    await server!.fake.close();
    // Change the draft afterwards: the replay still runs on the text the run had.
    workspace!.procedures.saveDraft('Damaged order claim', workspace!.procedures.require('Damaged order claim').draftText.replace('Greet the customer briefly', 'Greet the customer'));

    const result = await replayRun({ workspace: workspace!, sandbox }, original.runId);
    expect(result.differences).toEqual([]);
    expect(result.identical).toBe(true);
    expect(result.replay.status).toBe('passed');
    expect(result.replay.checks).toEqual(original.checks);
    expect(result.replay.details).toMatchObject({ turns: original.details.turns, endedBy: 'outcome', clock: original.details.clock, procedures: original.details.procedures });
    const messages = (id: number | null) => workspace!.conversations.messages(id!).map((message) => [message.role, message.content]);
    expect(messages(result.replay.details.conversationId)).toEqual(messages(original.details.conversationId));
    const types = (id: number | null) => workspace!.traces.events(id!).map((event) => `${event.type}:${event.stepId ?? ''}`);
    expect(types(result.replay.details.conversationId)).toEqual(types(original.details.conversationId));
    // The replay is kept as a run of its own, marked as one, and left out of history.
    expect(workspace!.simulations.requireRun(result.replay.runId).replayOf).toBe(original.runId);
    expect(workspace!.simulations.lastRun(original.simulationId)?.id).toBe(original.runId);
  });

  it('says where a replay diverges from the recording', async () => {
    const original = await recordedRun();
    await server!.fake.close();
    sqlOf(workspace!).prepare("UPDATE simulation_model_calls SET request_hash = 'sha256:other' WHERE run_id = ? AND seq = 3").run(original.runId);
    const result = await replayRun({ workspace: workspace!, sandbox }, original.runId);
    expect(result.identical).toBe(false);
    expect(result.replay.status).toBe('error');
    expect(result.replay.summary).toMatch(/The replay diverged at call 3 \(agent\): the request differs from the recorded one/);
    expect(result.differences[0]).toMatch(/status: passed then, error now/);
  });

  it('serves a live run\'s recorded connector results back, in order, and refuses other calls', async () => {
    workspace = shopWorkspace();
    const connectors = replayedRunConnectors(workspace, [
      { seq: 1, action: 'shop.get_order', inputHash: 'sha256:' + (await import('node:crypto')).createHash('sha256').update(JSON.stringify({ order_number: '1043' })).digest('hex'), result: { ok: true, data: { order_number: '1043' }, record: { status: 200 } } },
    ]);
    expect(connectors.connectors.describe('shop.get_order')?.name).toBe('shop.get_order');
    expect(await connectors.connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: 1 })).toEqual({ ok: true, data: { order_number: '1043' }, record: { status: 200 } });
    await expect(connectors.connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId: 1 })).rejects.toThrow(ReplayDivergedError);
  });
});

describe('step coverage', () => {
  it('shows which steps and branches the runs visited and which they never reached', async () => {
    const original = await recordedRun();
    const report = runsCoverage(workspace!, [original.runId]);
    const damaged = report.procedures.find((entry) => entry.procedure === 'Damaged order claim')!;
    const visited = [...damaged.steps, ...damaged.branches].filter((node) => node.visits > 0).map((node) => node.id);
    expect(visited).toEqual([
      'step:find-the-order',
      'step:check-the-claim-window',
      'step:understand-the-damage',
      'step:check-the-claim-window/cond1/b1',
      'step:understand-the-damage/cond1/b1',
    ]);
    expect(damaged.unreached).toEqual(['step:resolve', 'step:wrap-up', 'step:check-the-claim-window/cond1/b2', 'step:resolve/cond1/b1', 'step:resolve/cond1/b2']);
    expect(damaged).toMatchObject({ visitedSteps: 3, visitedBranches: 2 });
  });

  it('counts "Otherwise" when every Python test before it was false', () => {
    const text = `---\nname: Window\ntrigger: Claims.\nattributes:\n  days: number\n---\n\n## Check\nIf \`attributes["days"] <= 30\`:\n  - Go on.\nOtherwise:\n  - @handoff Claims team\n`;
    const trace = [
      { type: 'procedure_start', stepId: 'step:check', payload: { procedure: 'Window' } },
      { type: 'step_enter', stepId: 'step:check', payload: { procedure: 'Window' } },
      { type: 'condition', stepId: 'step:check', payload: { nodeId: 'step:check/cond1', branchId: 'step:check/cond1/b1', kind: 'python', result: false } },
    ];
    const report = coverage({ Window: text }, [trace]);
    expect(report.procedures[0]!.branches.map((branch) => [branch.id, branch.visits])).toEqual([
      ['step:check/cond1/b1', 0],
      ['step:check/cond1/b2', 1],
    ]);
  });
});
