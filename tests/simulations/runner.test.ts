// Whole simulations against the fake Messages API: a scripted customer, a scripted agent (the real
// conversation runtime, mocked connectors over the shop world, the real Python sandbox) and a
// scripted judge. For each kind of check, one simulation that passes and one that fails.
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckKind, SimulationDefinitionInput } from '../../main/simulations/definition';
import { pinProcedures } from '../../main/simulations/pinned-procedures';
import type { RunOutcome } from '../../main/simulations/runner';
import { runSimulation } from '../../main/simulations/simulate';
import type { Workspace } from '../../main/store/workspace';
import type { FakeResponse } from '../support/fake-anthropic';
import { byRole, done, say, shopWorkspace, useModelServers, verdicts, type ModelServer } from './helpers';
import { useSandbox } from '../support/fixtures';
import { agentScript, baseDefinition, customerScript } from './scenario';

const sandbox = useSandbox();

const startModelServer = useModelServers();
let server: ModelServer | undefined;
let workspace: Workspace | undefined;
afterEach(async () => {
  workspace?.close();
  server = undefined;
  workspace = undefined;
});

async function simulate(definition: SimulationDefinitionInput, scripts: { judge?: FakeResponse[]; customer?: FakeResponse[]; agent?: FakeResponse[] } = {}): Promise<RunOutcome> {
  workspace = shopWorkspace();
  server = await startModelServer(byRole({ agent: scripts.agent ?? agentScript(), customer: scripts.customer ?? customerScript(), judge: scripts.judge ?? [verdicts([])] }));
  const simulation = workspace.simulations.save('Damaged order claim', 'Sparking kettle', definition);
  return runSimulation({ workspace, sandbox }, simulation, { model: server.client, pinned: pinProcedures(workspace, true) });
}

const only = (outcome: RunOutcome, kind: CheckKind) => outcome.checks.filter((check) => check.kind === kind);

describe('a whole simulation', () => {
  it('plays the customer against the runtime, judges with the trace, and stores everything against the draft it ran on', async () => {
    const outcome = await simulate(baseDefinition({ criteria: [{ name: 'safety first', assertion: 'The agent tells the customer to stop using the kettle before handing off.' }] }), {
      judge: [verdicts(['pass'])],
    });
    expect(outcome.status).toBe('passed');
    expect(outcome.details).toMatchObject({ turns: 2, endedBy: 'outcome', attribution: null, draft: true, world: { name: 'shop' } });
    expect(outcome.details.usage.agent?.calls).toBe(4);
    expect(outcome.details.usage.customer?.calls).toBe(1);
    expect(outcome.details.usage.judge?.calls).toBe(1);
    expect(outcome.details.costUsd).toBeGreaterThan(0);

    // The customer model got its own prompt, with the persona and the transcript so far.
    const [customerRequest] = server!.requests('customer');
    expect(JSON.stringify(customerRequest!.body.system)).toContain('Jane Doe, polite but worried.');
    expect(JSON.stringify(customerRequest!.body.messages)).toContain('Agent: Sorry to hear that! What exactly is damaged?');
    expect(customerRequest!.body.tool_choice).toEqual({ type: 'tool', name: 'customer_message' });

    // The judge saw the trace, not only the words: the connector call, the code run and the condition.
    const judgeText = JSON.stringify(server!.requests('judge')[0]!.body.messages);
    expect(judgeText).toContain('tool shop__get_order');
    expect(judgeText).toContain('code step:check-the-claim-window/code1 ran');
    expect(judgeText).toContain('condition step:understand-the-damage/cond1 → step:understand-the-damage/cond1/b1');
    expect(judgeText).toContain('handed off to Safety team');

    // Stored against the draft's content hash, with the conversation, its transcript and trace.
    const run = workspace!.simulations.requireRun(outcome.runId);
    expect(run.procedureHash).toBe(workspace!.procedures.require('Damaged order claim').draftHash);
    expect(run.version).toBeNull();
    expect(run.checks.map((check) => [check.kind, check.passed])).toEqual([
      ['criterion', true],
      ['conformance', true],
      ['customer_conformance', true],
    ]);
    const conversationId = workspace!.simulations.conversationOf(outcome.runId)!;
    expect(conversationId).toBe(outcome.details.conversationId);
    expect(workspace!.conversations.messages(conversationId).map((message) => message.role)).toEqual(['customer', 'agent', 'customer', 'agent']);
    expect(workspace!.simulations.recordings.modelCalls(outcome.runId)).toHaveLength(6);
  });

  const cases: { kind: CheckKind; pass: Partial<SimulationDefinitionInput>; fail: Partial<SimulationDefinitionInput>; failReason: RegExp }[] = [
    {
      kind: 'expected_action',
      pass: { expectedActions: [{ action: 'shop.get_order', args: { order_number: 1043 } }] },
      fail: { expectedActions: [{ action: 'shop.get_order', args: { order_number: '1044' } }] },
      failReason: /never with the expected arguments: \{"order_number":"1043"\}/,
    },
    {
      kind: 'forbidden_action',
      pass: { forbiddenActions: [{ action: 'payments.create_refund' }] },
      fail: { forbiddenActions: [{ action: 'get_order' }] },
      failReason: /Called once/,
    },
    {
      kind: 'final_status',
      pass: { finalStatus: { status: 'handed_off', team: 'safety team' } },
      fail: { finalStatus: { status: 'handed_off', team: 'Claims team' } },
      failReason: /was instead handed off to Safety team/,
    },
    {
      kind: 'attribute',
      pass: { attributes: { order_number: '1043', days_since_delivery: 15 } },
      fail: { attributes: { preferred_resolution: 'refund' } },
      failReason: /preferred_resolution was never set/,
    },
    {
      kind: 'world',
      pass: { worldAssertions: [{ name: 'no refund', python: 'len(data["world"]["payments"]["refunds"]) == 0' }] },
      fail: { worldAssertions: [{ name: 'one refund', python: 'len(data["world"]["payments"]["refunds"]) == 1' }] },
      failReason: /is False on the final world/,
    },
  ];

  for (const { kind, pass, fail, failReason } of cases) {
    it(`passes and fails on ${kind.replace('_', ' ')} checks`, async () => {
      const passed = await simulate(baseDefinition(pass));
      expect(only(passed, kind).length).toBeGreaterThan(0);
      expect(only(passed, kind).every((check) => check.passed)).toBe(true);
      expect(passed.status).toBe('passed');
      await server!.fake.close();
      workspace!.close();

      const failed = await simulate(baseDefinition(fail));
      expect(failed.status).toBe('failed');
      const [check] = only(failed, kind);
      expect(check).toMatchObject({ passed: false, party: 'agent' });
      expect(check!.reason).toMatch(failReason);
      expect(failed.details.attribution).toBe('agent');
      expect(failed.summary).toContain(`${check!.name} (agent)`);
    });
  }

  it('passes and fails on the judge\'s criteria, keeping its reasoning', async () => {
    const criteria = [{ name: 'checks the delivery date', assertion: 'The agent looked up when the order was delivered.' }];
    const passed = await simulate(baseDefinition({ criteria }), { judge: [verdicts(['pass'])] });
    expect(passed.status).toBe('passed');
    await server!.fake.close();
    workspace!.close();

    const failed = await simulate(baseDefinition({ criteria }), { judge: [verdicts([{ verdict: 'fail', reasoning: 'The trace has no order lookup.' }])] });
    expect(failed.status).toBe('failed');
    expect(only(failed, 'criterion')[0]).toMatchObject({ name: 'checks the delivery date', passed: false, party: 'agent', reason: 'The trace has no order lookup.' });
  });

  it('fails on the turn limit when the conversation is cut off', async () => {
    const outcome = await simulate(baseDefinition({ maxTurns: 1 }));
    expect(outcome.details.endedBy).toBe('max_turns');
    expect(only(outcome, 'turn_limit')[0]).toMatchObject({ passed: false, party: 'agent', name: 'finishes within 1 customer message' });
  });

  it('puts failures down to the simulated customer when it broke its instructions', async () => {
    const outcome = await simulate(baseDefinition({ finalStatus: { status: 'ended' } }), {
      judge: [verdicts([], { followed_instructions: false, reasoning: 'It never mentioned the sparks at first, as told.' })],
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.details.attribution).toBe('customer');
    expect(only(outcome, 'final_status')[0]!.party).toBe('customer');
    expect(only(outcome, 'customer_conformance')[0]).toMatchObject({ passed: false, party: 'customer' });
  });

  it('puts a failure down to the customer when the customer stopped early, and to the judge when it gave no usable verdict', async () => {
    const early = await simulate(baseDefinition({ customer: { persona: 'Impatient', reason: 'Broken kettle.' } }), {
      customer: [say('My kettle from order 1043 arrived broken.'), done('I have had enough.')],
      agent: agentScript().slice(0, 3),
      judge: [verdicts([], { stopped_early: true, reasoning: 'Left before saying what was damaged.' })],
    });
    expect(early.details.endedBy).toBe('customer_done');
    expect(early.details.attribution).toBe('customer');
    await server!.fake.close();
    workspace!.close();

    const criteria = [{ name: 'apologises', assertion: 'The agent apologises.' }];
    const malformed: FakeResponse = { content: [{ type: 'tool_use', name: 'record_verdicts', input: { verdicts: 'all good' } }] };
    const judged = await simulate(baseDefinition({ criteria }), { judge: [malformed, malformed] });
    expect(judged.status).toBe('failed');
    expect(only(judged, 'criterion')[0]).toMatchObject({ passed: false, party: 'judge' });
    expect(only(judged, 'criterion')[0]!.reason).toContain('no valid record_verdicts answer after 2 attempts');
    expect(judged.details.attribution).toBe('judge');
    // The judge was told what was wrong before its second try.
    expect(JSON.stringify(server!.requests('judge')[1]!.body.messages)).toContain('The record_verdicts input is not valid');
  });

  it('ends in an error put down to the customer when the customer model keeps answering nonsense', async () => {
    const nonsense: FakeResponse = { content: [{ type: 'tool_use', name: 'customer_message', input: { done: false } }] };
    const outcome = await simulate(baseDefinition(), { customer: [nonsense, nonsense] });
    expect(outcome.status).toBe('error');
    expect(outcome.details.attribution).toBe('customer');
    expect(outcome.summary).toContain('message: write the message, or set done to true');
  });

  it('refuses a world assertion that is not valid Python before anything runs', async () => {
    const outcome = await simulate(baseDefinition({ worldAssertions: [{ name: 'bad', python: 'import os' }] }));
    expect(outcome.status).toBe('error');
    expect(outcome.summary).toMatch(/The world assertion "bad" is not valid Python/);
    expect(server!.fake.requests).toHaveLength(0);
  });
});
