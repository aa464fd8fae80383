// The checker as every simulation run's built-in deterministic check: a violation fails the run on
// the agent's side (the runtime's defect) even when the simulated customer broke its instructions,
// and `stepwise simulate` prints each violation with its invariant, node and trace event.
import { afterEach, describe, expect, it } from 'vitest';
import { checkConformance } from '../../main/conformance';
import { failureDetails } from '../../main/cli/simulation-report';
import { attribute } from '../../main/simulations/attribution';
import { pinProcedures } from '../../main/simulations/pinned-procedures';
import { PROCEDURE_CONTROLS_CHECK, procedureControlsCheck } from '../../main/simulations/procedure-controls';
import type { RunOutcome } from '../../main/simulations/runner';
import { runSimulation } from '../../main/simulations/simulate';
import type { Workspace } from '../../main/store/workspace';
import { parse } from '../../shared/procedure';
import { toolCalls } from '../support/fake-anthropic';
import { useSandbox } from '../support/fixtures';
import { byRole, shopWorkspace, useModelServers, verdicts, type ModelServer } from '../simulations/helpers';
import { baseDefinition } from '../simulations/scenario';
import { PROCEDURES, REFUND, refundTrace } from './support';

const skipped = () => refundTrace().action('shop.get_order').goTo(REFUND.refund).events;
const kept = () => refundTrace().action('shop.get_order').goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, false).goTo(REFUND.refund).events;
const compiled = new Map([...PROCEDURES].map(([name, document]) => [name, { document }]));

describe('the Procedure-controls check', () => {
  it('fails a run whose trace breaks an invariant, on the agent’s side, naming each violation', () => {
    const check = procedureControlsCheck(compiled as never, skipped());
    expect(check).toMatchObject({ name: PROCEDURE_CONTROLS_CHECK, kind: 'conformance', passed: false, party: 'agent', evidence: { responsible: 'runtime' } });
    expect(check.reason).toContain('no-skipped-gate at Refund check › step:refund');
    expect((check.evidence as { violations: unknown[] }).violations).toHaveLength(1);
  });

  it('passes a run that keeps every invariant', () => {
    expect(procedureControlsCheck(compiled as never, kept())).toMatchObject({ kind: 'conformance', passed: true, party: null });
  });

  it('stays the agent’s (the runtime’s) even when the simulated customer broke its instructions', () => {
    const failed = procedureControlsCheck(compiled as never, skipped());
    const criterion = { name: 'polite', kind: 'criterion' as const, passed: false, reason: 'rude', party: 'agent' as const };
    const broke = { followedInstructions: false, stoppedEarly: false, reasoning: 'Made up an order.' };
    const { checks, attribution } = attribute([criterion, failed], broke);
    expect(attribution).toBe('agent');
    expect(checks.map((check) => [check.kind, check.party])).toEqual([
      ['criterion', 'customer'],
      ['conformance', 'agent'],
    ]);
    // Without the violation, the same run is the customer's.
    expect(attribute([criterion, procedureControlsCheck(compiled as never, kept())], broke).attribution).toBe('customer');
  });

  it('is printed by `stepwise simulate` one violation per line, with the invariant, the node and the trace event', () => {
    const check = procedureControlsCheck(compiled as never, skipped());
    const run = {
      runId: 7,
      simulationId: 1,
      procedure: 'Refund check',
      simulation: 'Old order',
      attempt: 1,
      status: 'failed',
      summary: '1 of 1 checks failed',
      checks: [check],
      details: { conversationId: null, attribution: 'agent' },
    } as unknown as RunOutcome;
    const lines = failureDetails(() => ({ transcript: [], trace: [] }) as never, run, 1, null, { words: new Map(), withId: false });
    expect(lines).toContain(`    ✗ ${PROCEDURE_CONTROLS_CHECK} (runtime) — check: The runtime let the conversation past the Procedure's controls (1 violation): a runtime defect, whatever the model did.`);
    expect(lines.some((line) => /^ {6}· no-skipped-gate at Refund check › step:refund \(trace event #\d+ step_enter\): /.test(line))).toBe(true);
  });
});

describe('in a whole simulation run', () => {
  const sandbox = useSandbox();
  const startModelServer = useModelServers();
  let server: ModelServer | undefined;
  let workspace: Workspace | undefined;
  afterEach(() => {
    workspace?.close();
    server = undefined;
    workspace = undefined;
  });

  it('checks the stored trace of every run against the Procedures it ran on', async () => {
    workspace = shopWorkspace();
    // The agent looks the order up, then tries to jump past the claim window check to the resolution.
    server = await startModelServer(
      byRole({
        agent: [
          toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
          toolCalls(['go_to_step', { step_id: 'step:resolve' }], ['reply', { message: 'Let us sort this out.' }]),
        ],
        judge: [verdicts([], { followed_instructions: false, reasoning: 'Invented a second order.' })],
      }),
    );
    const simulation = workspace.simulations.save('Damaged order claim', 'Jump ahead', baseDefinition({ maxTurns: 1 }));
    const outcome = await runSimulation({ workspace, sandbox }, simulation, { model: server.client, pinned: pinProcedures(workspace, true) });

    const [check] = outcome.checks.filter((candidate) => candidate.kind === 'conformance');
    const conversationId = workspace.simulations.conversationOf(outcome.runId)!;
    const trace = workspace.traces.events(conversationId).map((event) => ({ type: event.type, stepId: event.stepId, payload: event.payload }));
    const documents = new Map(workspace.procedures.list().map((record) => [record.name, parse(record.draftText).document]));
    const violations = checkConformance(documents, trace);
    // The check is the checker's verdict on the stored trace; whichever way the runtime went,
    // a violation fails the run on the agent's side and a clean trace passes it.
    expect(check).toMatchObject({ name: PROCEDURE_CONTROLS_CHECK, passed: violations.length === 0 });
    if (violations.length > 0) expect(outcome).toMatchObject({ status: 'failed', details: { attribution: 'agent' } });
    else expect(outcome.details.attribution).toBe('customer');
    expect(workspace.simulations.requireRun(outcome.runId).checks.some((stored) => stored.kind === 'conformance')).toBe(true);
  });

  it('checks what a run did before it ended in an error too', async () => {
    workspace = shopWorkspace();
    // The agent answers the opening; then the customer model has nothing left and the run errors.
    server = await startModelServer(
      byRole({
        agent: [toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }], ['reply', { message: 'Found it. What is damaged?' }])],
        customer: [],
      }),
    );
    const simulation = workspace.simulations.save('Damaged order claim', 'Customer model down', baseDefinition({ maxTurns: 3 }));
    const outcome = await runSimulation({ workspace, sandbox }, simulation, { model: server.client, pinned: pinProcedures(workspace, true) });
    expect(outcome.status).toBe('error');
    expect(outcome.checks.map((check) => [check.kind, check.passed])).toEqual([
      ['run', false],
      ['conformance', true],
    ]);
    expect(outcome.checks[1]!.reason).toMatch(/^No violation in \d+ trace events\.$/);
    expect(Number(/(\d+)/.exec(outcome.checks[1]!.reason)![1])).toBeGreaterThan(3);
  });
});
