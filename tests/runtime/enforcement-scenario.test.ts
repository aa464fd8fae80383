// Issue 12's scenario, whole conversations through the real SDK (fake model server), the real
// Python sandbox and a workspace file: a model that behaves badly on purpose sets the order
// number, looks the order up, jumps straight to "Refund", and issues the refund once the customer
// says "yes go ahead". The Procedure's controls hold: an old order ends with the Billing team and
// no refund; a recent one goes through [[Identity check]] before the refund. The conformance
// checker finds nothing wrong in either stored trace.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConformance } from '../../main/conformance';
import { ConversationClosedError } from '../../main/runtime/engine';
import type { ActionResult, TraceEvent } from '../../main/runtime/types';
import { Workspace } from '../../main/store/workspace';
import { parse, type ProcedureDocument } from '../../shared/procedure';
import { toolCall, toolCalls, type FakeMessage } from '../support/fake-anthropic';
import { fixturesDir } from '../support/paths';
import { createHarness, InMemoryConnectors, useHarnessFixtures, type Harness } from './harness';

const sandbox = useHarnessFixtures();

const dir = join(fixturesDir, 'enforcement');
const TEXTS = ['refund-check.md', 'identity-check.md'].map((name) => readFileSync(join(dir, name), 'utf8'));
const DOCUMENTS = new Map<string, ProcedureDocument>(TEXTS.map((text) => [parse(text).document.frontMatter!.header.name!, parse(text).document]));
const WORLD = JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as {
  orders: Record<string, { order_number: string; delivered_on: string; total: number }>;
  codes: Record<string, string>;
};

/** The mock world behind the actions; each result carries a record so the trace shows the call. */
function worldConnectors(): InMemoryConnectors {
  const result = (action: string, input: unknown, data: unknown): ActionResult => ({ ok: true, data, record: { action, input } });
  return new InMemoryConnectors({
    'shop.get_order': {
      handler: (input) => {
        const order = WORLD.orders[String(input.order_number)];
        return order ? result('shop.get_order', input, order) : { ok: false, error: 'no such order', record: { action: 'shop.get_order', input } };
      },
    },
    'accounts.send_code': { handler: (input) => result('accounts.send_code', input, { sent: true }) },
    'accounts.check_code': { handler: (input) => result('accounts.check_code', input, { valid: Object.values(WORLD.codes).includes(String(input.code)) }) },
    'payments.create_refund': { info: { confirm: true }, handler: (input) => result('payments.create_refund', input, { refund_id: 're_1', amount: input.amount }) },
  });
}

function scenarioWorkspace(): Workspace {
  const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-enforcement-')), 'scenario.stepwise'));
  for (const text of TEXTS) workspace.procedures.create(text);
  return workspace;
}

/** The scripted model's responses in order; past the script it only says it is looking into it. */
const scripted = (responses: FakeMessage[]) => (_request: unknown, index: number) => responses[index] ?? toolCall('reply', { message: `Still looking into it (${index}).` });

/** A conversation harness on the scenario's Procedures and world, the model playing `responses`. */
const scenarioHarness = (responses: FakeMessage[]): Promise<Harness> =>
  createHarness({ sandbox, workspace: scenarioWorkspace(), connectors: worldConnectors(), script: scripted(responses) });

/** The bad model's opening: the order number, the lookup, then straight to the refund step. */
const opening = (order: string): FakeMessage[] => [
  toolCall('route', { procedure: 'Refund check', reason: 'refund' }),
  toolCalls(['set_attributes', { values: { order_number: order } }], ['shop__get_order', { order_number: order }], ['go_to_step', { step_id: 'step:refund' }]),
];

const refused = (trace: TraceEvent[]) => trace.filter((event) => event.type === 'move_refused' || event.type === 'action_refused');

describe('an old order: the age check hands off to Billing, and no refund is made', () => {
  let harness: Harness;
  let id: number;
  let closedOnYes: unknown;

  beforeAll(async () => {
    harness = await scenarioHarness([
      ...opening('988'),
      toolCalls(['payments__create_refund', { amount: 59, customer_agreement: 'I want a refund' }], ['reply', { message: 'I can refund 59.00. Shall I go ahead?' }]),
      toolCalls(['reply', { message: 'Let me check that for you.' }]),
      // Next turn, if the conversation were still open: "yes go ahead".
      toolCalls(['payments__create_refund', { amount: 59, customer_agreement: 'yes go ahead' }]),
    ]);
    id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'I want a refund for order 988');
    closedOnYes = await harness.engine.send(id, 'yes go ahead').catch((error: unknown) => error);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('ends in the handoff to the Billing team, made by the runtime, and nothing after it runs', async () => {
    const state = (await harness.engine.state(id))!;
    expect(state.status).toBe('handed_off');
    expect(state.outcome).toMatchObject({ kind: 'handed_off', team: 'Billing team', reason: 'required by the Procedure' });
    expect(closedOnYes).toBeInstanceOf(ConversationClosedError);
  });

  it('ran the age check on the way to the refund step, and stopped there', async () => {
    const state = (await harness.engine.state(id))!;
    expect(state.attributes.order_age_days).toMatchObject({ value: 93, source: 'code' });
    const trace = harness.trace(id);
    expect(trace.find((event) => event.type === 'condition')).toMatchObject({ payload: { nodeId: 'step:check-the-order-age/cond1', branchId: 'step:check-the-order-age/cond1/b1', result: true } });
    expect(trace.some((event) => event.type === 'step_enter' && event.stepId === 'step:refund')).toBe(false);
  });

  it('made no refund: the jump and the refund were refused, traced, and explained to the model', () => {
    expect(harness.connectors.calls.map((call) => call.action)).toEqual(['shop.get_order']);
    const trace = harness.trace(id);
    const [jump, ...refunds] = refused(trace);
    expect(jump).toMatchObject({ type: 'move_refused', payload: { invariant: 'branch-not-binding', nodeId: 'step:check-the-order-age/cond1', target: 'step:refund' } });
    expect(refunds.length).toBeGreaterThan(0);
    for (const refund of refunds) expect(refund).toMatchObject({ type: 'action_refused', payload: { invariant: 'branch-not-binding', action: 'payments.create_refund' } });
    const told = JSON.stringify(harness.fake.requests.map((request) => request.body.messages));
    expect(told).toContain('Not allowed yet: step \\"Refund\\" lies past a control of the Procedure');
    expect(told).toContain('Not allowed yet: @payments.create_refund');
  });

  it('passes the conformance checker', () => {
    expect(checkConformance(DOCUMENTS, harness.trace(id))).toEqual([]);
  });
});

describe('a recent order: the identity check runs before the refund', () => {
  let harness: Harness;
  let id: number;
  const replies: string[][] = [];

  beforeAll(async () => {
    harness = await scenarioHarness([
      ...opening('1043'),
      // Turn 1: straight to the refund, skipping [[Identity check]]; refused, so it runs it.
      toolCalls(['payments__create_refund', { amount: 32.5, customer_agreement: 'I want a refund' }], ['reply', { message: 'Refunding 32.50 now.' }]),
      toolCalls(['run_subprocedure', { name: 'Identity check' }], ['reply', { message: 'First, what is the email on your account?' }]),
      // Turn 2
      toolCalls(['set_attributes', { values: { email: 'sam@example.com' } }], ['accounts__send_code', { email: 'sam@example.com' }], ['reply', { message: 'I sent you a code. What is it?' }]),
      // Turn 3
      toolCalls(['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { code: '123456' }], ['end_procedure', { summary: 'Verified.' }]),
      toolCalls(['reply', { message: 'Thanks, you are verified. Your refund would be 32.50. Shall I go ahead?' }], ['payments__create_refund', { amount: 32.5 }]),
      // Turn 4: "yes go ahead"
      toolCalls(['payments__create_refund', { amount: 32.5, customer_agreement: 'yes go ahead' }]),
      toolCalls(['reply', { message: 'Done: 32.50 is on its way.' }], ['end_procedure', { summary: 'Refunded.' }]),
    ]);
    id = await harness.engine.start({ kind: 'preview' });
    for (const message of ['I want a refund for order 1043', 'sam@example.com', '123456', 'yes go ahead']) replies.push((await harness.engine.send(id, message)).replies);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('refuses the refund until the identity sub-procedure has ended, then makes it once the customer agrees', () => {
    expect(harness.connectors.calls.map((call) => call.action)).toEqual(['shop.get_order', 'accounts.send_code', 'accounts.check_code', 'payments.create_refund']);
    expect(refused(harness.trace(id)).map((event) => [event.type, event.payload.invariant, event.payload.nodeId])).toEqual([
      ['action_refused', 'subprocedure-before-action', 'step:refund/call:identity-check'],
    ]);
    expect(replies.at(-1)).toEqual(['Done: 32.50 is on its way.']);
  });

  it('goes through the age check and the identity check, in that order, before the refund', () => {
    const trace = harness.trace(id);
    const at = (test: (event: TraceEvent) => boolean) => trace.findIndex(test);
    // Not over 60 days: the Python test is false, so the Otherwise branch leads on to the refund.
    const ageChecked = at((event) => event.type === 'condition' && event.payload.branchId === 'step:check-the-order-age/cond1/b1' && event.payload.result === false);
    const identityStart = at((event) => event.type === 'procedure_start' && event.payload.procedure === 'Identity check');
    const identityEnd = at((event) => event.type === 'procedure_end' && event.payload.procedure === 'Identity check');
    const refund = at((event) => event.type === 'connector_call' && event.payload.action === 'payments.create_refund');
    expect(ageChecked).toBeGreaterThan(-1);
    expect(identityStart).toBeGreaterThan(ageChecked);
    expect(identityEnd).toBeGreaterThan(identityStart);
    expect(refund).toBeGreaterThan(identityEnd);
  });

  it('passes the conformance checker', () => {
    expect(checkConformance(DOCUMENTS, harness.trace(id))).toEqual([]);
  });
});
