// docs/runtime.md, the enforcement model: whatever tool calls the model makes, a node past a gate
// is reached only through it, actions run only in reach, Python branches bind, a sub-procedure
// ends before what follows it, and every refusal is traced and explained. The flexibility the
// Procedure gives (going back, skipping plain steps, collecting early, switching topics) stays.
// Pure: the sandbox is a script, the Procedures are tests/fixtures/enforcement/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProcedure, type CompiledProcedure } from '../../../main/runtime/compiled-procedure';
import type { Decision, RuleContext } from '../../../main/runtime/decision';
import { passGatesWith } from '../../../main/runtime/gate-walk';
import { applyActionResult } from '../../../main/runtime/apply-tool';
import { closeTurn } from '../../../main/runtime/turn-rules';
import type { ConversationState, Frame } from '../../../main/runtime/types';
import type { EvaluationRequest, EvaluationResult } from '../../../main/sandbox/types';
import { fixturesDir } from '../../support/paths';
import { call, context, conversation, customerSays, frame, policy, PROCEDURES as SHOP, reachedFrame, types } from './support';

const fixture = (name: string) => compileProcedure(readFileSync(join(fixturesDir, 'enforcement', name), 'utf8'), 'draft');
const PROCEDURES = new Map<string, CompiledProcedure>([...SHOP, ...[fixture('refund-check.md'), fixture('identity-check.md')].map((p) => [p.name, p] as const)]);
const rules = (overrides: Partial<RuleContext> = {}) => ({ procedures: PROCEDURES, ...overrides });

const R = {
  find: 'step:find-the-order',
  age: 'step:check-the-order-age',
  refund: 'step:refund',
  lookup: 'step:find-the-order/action:shop.get_order',
  code: 'step:check-the-order-age/code1',
  cond: 'step:check-the-order-age/cond1',
  tooOld: 'step:check-the-order-age/cond1/b1',
  recent: 'step:check-the-order-age/cond1/b2',
  identity: 'step:refund/call:identity-check',
  refundAction: 'step:refund/action:payments.create_refund',
} as const;

const ORDER_988 = { order_number: '988', delivered_on: '2026-08-24', total: 59 };
const ORDER_1043 = { order_number: '1043', delivered_on: '2026-11-10', total: 32.5 };

const at = (stepId: string, gates: Record<string, string> = {}, kind: Frame['kind'] = 'main'): Frame => ({ ...frame('Refund check', stepId, kind), gates });
const refundCheck = (stack: Frame[], data: Record<string, unknown> = {}, said = 'I want a refund for order 988') => conversation({ stack, data, said, attributes: { order_number: '988' } });

/** The sandbox, as a script: the age from the order's delivery date, and the test on it. */
const sandbox = (asked: EvaluationRequest[] = []) => (request: EvaluationRequest): EvaluationResult => {
  asked.push(request);
  if (request.mode === 'code') {
    const order = request.data['shop.get_order'] as { delivered_on: string };
    const days = Math.round((Date.parse('2026-11-25') - Date.parse(order.delivered_on)) / 86_400_000);
    return { ok: true, attributeWrites: { order_age_days: days }, printed: '', durationMs: 1 };
  }
  return { ok: true, value: (request.attributes.order_age_days as number) > 60, attributeWrites: {}, printed: '', durationMs: 1 };
};

/** Applies a call; a `gates` effect is walked with the scripted sandbox, as the turn loop would. */
function apply(name: string, input: unknown, state: ConversationState, asked: EvaluationRequest[] = []): Decision & { obligations: { kind: string; target: string }[] } {
  const decision = call(name, input, state, rules());
  if (decision.effect?.kind !== 'gates') return { ...decision, obligations: [] };
  const walked = passGatesWith(decision.state, decision.progressed, decision.effect, context(rules()), sandbox(asked));
  return { ...walked.decision, events: [...decision.events, ...walked.decision.events], obligations: walked.obligations };
}

/** Inside Identity check, the code checked and valid: Python chose the branch that ends it. */
const codeChecked = (state: ConversationState): ConversationState => ({
  ...state,
  data: { ...state.data, 'accounts.check_code': { valid: true } },
  stack: [state.stack[0]!, { ...state.stack[1]!, gates: { '@accounts.check_code': 'called', 'step:check-the-code/cond1': 'step:check-the-code/cond1/b1' } }],
});

const refusal = (decision: Decision) => decision.events.find((event) => event.type === 'move_refused' || event.type === 'action_refused');

describe('no skipping a gate', () => {
  it('refuses a jump past a gate whose inputs are missing, naming them, without asking the sandbox or moving', () => {
    const asked: EvaluationRequest[] = [];
    const decision = apply('go_to_step', { step_id: R.refund }, refundCheck([at(R.find)]), asked);
    expect(asked).toEqual([]);
    expect(decision.state.stack[0]!.stepId).toBe(R.find);
    expect(decision.outcome).toMatchObject({ isError: true, followUp: true });
    expect(decision.outcome!.content).toContain('the result of @shop.get_order');
    expect(refusal(decision)).toMatchObject({ type: 'move_refused', stepId: R.find, payload: { invariant: 'no-skipped-gate', nodeId: R.lookup, target: R.refund, tool: 'go_to_step' } });
  });

  it('evaluates the gate on the way once its inputs exist, and follows the branch it picks: an old order stops at the handoff', () => {
    const asked: EvaluationRequest[] = [];
    const decision = apply('go_to_step', { step_id: R.refund }, refundCheck([at(R.find, { '@shop.get_order': 'called' })], { 'shop.get_order': ORDER_988 }), asked);
    expect(asked.map((request) => request.mode)).toEqual(['code', 'condition']);
    expect(decision.state.attributes.order_age_days).toMatchObject({ value: 93, source: 'code' });
    // The conversation went through the gate's step, and no further.
    expect(decision.state.stack[0]!.stepId).toBe(R.age);
    expect(types(decision.events)).toEqual(['step_exit', 'step_enter', 'attribute_set', 'code_run', 'condition', 'move_refused']);
    expect(refusal(decision)!.payload).toMatchObject({ invariant: 'branch-not-binding', nodeId: R.cond });
    expect(decision.outcome!.content).toContain(`chose ${R.tooOld}`);
    expect(decision.obligations).toEqual([{ kind: 'handoff', target: 'Billing team', nodeId: 'step:check-the-order-age/handoff:billing-team', chosenBy: { condition: 'step:check-the-order-age/cond1', branch: 'step:check-the-order-age/cond1/b1' } }]);
  });

  it('makes the handoff a Python branch requires when the model escalates instead, so no escalation routes around it', () => {
    const walked = apply('go_to_step', { step_id: R.refund }, refundCheck([at(R.find, { '@shop.get_order': 'called' })], { 'shop.get_order': ORDER_988 }));
    const escalated = call('escalate', { reason: 'other', summary: 'Wants a refund for an old order.' }, walked.state, rules({ owed: walked.obligations as never }));
    expect(escalated.state.outcome).toMatchObject({ kind: 'handed_off', team: 'Billing team', summary: 'Wants a refund for an old order.' });
    expect(types(escalated.events)).toEqual(['enforced', 'handoff', 'agent_message']);
    expect(escalated.events[0]!.payload).toMatchObject({ nodeId: 'step:check-the-order-age/handoff:billing-team', instead: 'escalate' });
    // With nothing owed, escalating goes to the escalation team as before.
    const plain = call('escalate', { reason: 'other', summary: 'Stuck.' }, walked.state, rules());
    expect(plain.state.outcome).toMatchObject({ kind: 'escalated', team: policy.team });
  });

  it('lets the move through a gate that picks the branch leading there: a recent order reaches the refund step', () => {
    const decision = apply('go_to_step', { step_id: R.refund }, refundCheck([at(R.find, { '@shop.get_order': 'called' })], { 'shop.get_order': ORDER_1043 }));
    expect(decision.outcome).toMatchObject({ content: 'Now at step "Refund".' });
    expect(decision.effect).toMatchObject({ kind: 'advance' });
    expect(decision.state.stack[0]).toMatchObject({ stepId: R.refund, gates: { [R.code]: 'ran', [R.cond]: R.recent } });
    expect(types(decision.events).filter((type) => type === 'step_enter')).toHaveLength(2);
    expect(refusal(decision)).toBeUndefined();
  });

  it('refuses a handoff or an end the run has not reached', () => {
    const recent = refundCheck([at(R.age, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.recent })], { 'shop.get_order': ORDER_1043 });
    const handoff = apply('handoff', { team: 'Billing team', summary: 'wants a refund' }, recent);
    expect(handoff.state.outcome).toBeNull();
    expect(refusal(handoff)!.payload).toMatchObject({ invariant: 'branch-not-binding', tool: 'handoff' });
    const ended = apply('end_procedure', {}, recent);
    expect(ended.state.stack).toHaveLength(1);
    expect(refusal(ended)!.payload).toMatchObject({ invariant: 'no-skipped-gate', nodeId: R.identity });
  });

  it('holds a gate for the inputs it saw: after another order is looked up, the age check runs again before the refund', () => {
    const recent = refundCheck([at(R.age, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.recent })], { 'shop.get_order': ORDER_1043 });
    const other = applyActionResult(recent, false, 'shop.get_order', { ok: true, data: ORDER_988 }, PROCEDURES);
    // The code read the old order: it no longer counts as run (the condition after it then waits on it).
    expect(other.state.stack[0]!.gates).not.toHaveProperty(R.code);
    const asked: EvaluationRequest[] = [];
    const moved = apply('go_to_step', { step_id: R.refund }, other.state, asked);
    expect(asked.map((request) => request.mode)).toEqual(['code', 'condition']);
    expect(refusal(moved)!.payload).toMatchObject({ invariant: 'branch-not-binding', nodeId: R.cond });
    expect(moved.obligations.map((obligation) => obligation.target)).toEqual(['Billing team']);
    // The same result again changes nothing.
    expect(applyActionResult(recent, false, 'shop.get_order', { ok: true, data: ORDER_1043 }, PROCEDURES).state.stack[0]!.gates).toEqual(recent.stack[0]!.gates);
  });

  it('keeps the flexibility: back to an earlier step, ahead past plain-language steps, attributes early', () => {
    const passed = refundCheck([at(R.age, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.tooOld })], { 'shop.get_order': ORDER_988 });
    expect(call('go_to_step', { step_id: R.find }, passed, rules()).effect).toMatchObject({ kind: 'advance' });
    // Refund request: "Understand the reason" holds only a plain-language condition, so Verify is in reach.
    const shop = conversation({ stack: [reachedFrame('step:find-the-order', 'step:verify')] });
    expect(call('go_to_step', { step_id: 'step:verify' }, shop).effect).toMatchObject({ kind: 'advance' });
    expect(call('set_attributes', { values: { order_number: '1043', amount: 24 } }, shop).outcome!.isError).toBeUndefined();
  });
});

describe('actions in reach only', () => {
  it('refuses an action whose step lies past gates, with its invariant, and asks nothing of the customer', () => {
    const decision = apply('payments__create_refund', { amount: 59, customer_agreement: 'yes go ahead' }, refundCheck([at(R.find)]));
    expect(decision.effect).toBeNull();
    expect(decision.state.pendingConfirmation).toBeNull();
    expect(refusal(decision)).toMatchObject({ type: 'action_refused', payload: { invariant: 'action-out-of-reach', action: 'payments.create_refund', nodeId: R.lookup } });
    expect(decision.outcome!.content).toMatch(/^Not allowed yet: @payments\.create_refund lies past a control of the Procedure/);
  });

  it('refuses an action in a branch Python did not take', () => {
    const tooMuch = conversation({ stack: [{ ...reachedFrame('step:refund', 'step:refund (allowed)'), gates: { ...reachedFrame('step:refund', 'step:refund (allowed)').gates, 'step:refund/cond1': 'step:refund/cond1/b1' } }] });
    const decision = apply('payments__create_refund', { amount: 150 }, tooMuch);
    expect(decision.effect).toBeNull();
    expect(refusal(decision)!.payload).toMatchObject({ invariant: 'branch-not-binding', nodeId: 'step:refund/cond1' });
  });

  it('runs an action the run has reached, and one of an earlier step from a later one', () => {
    const allowed = conversation({ stack: [reachedFrame('step:refund', 'step:refund (allowed)')], said: 'how much?' });
    expect(call('payments__create_refund', { amount: 24 }, allowed).events.map((event) => event.type)).toEqual(['action_needs_confirmation']);
    expect(call('shop__get_order', { order_number: '1043' }, allowed).effect).toMatchObject({ kind: 'connector', action: 'shop.get_order' });
  });
});

describe('branches are binding', () => {
  it('makes the handoff the branch requires at the end of the turn, whatever the model did meanwhile', () => {
    const walked = apply('go_to_step', { step_id: R.refund }, refundCheck([at(R.find, { '@shop.get_order': 'called' })], { 'shop.get_order': ORDER_988 }));
    const refund = apply('payments__create_refund', { amount: 59 }, walked.state);
    expect(refund.effect).toBeNull();
    const closed = closeTurn(refund.state, true, walked.obligations as never, { procedures: PROCEDURES, policy });
    expect(closed.state.outcome).toMatchObject({ kind: 'handed_off', team: 'Billing team', reason: 'required by the Procedure' });
  });

  it('makes the @end a Python branch requires when the model has not, and the caller then counts the sub-procedure as done', () => {
    const started = codeChecked(call('run_subprocedure', { name: 'Identity check' }, conversation({ stack: [at(R.refund, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.recent })] }), rules()).state);
    const obligations = [{ kind: 'end' as const, target: 'Identity check', nodeId: 'step:check-the-code/end1' }];
    const closed = closeTurn(started, true, obligations, { procedures: PROCEDURES, policy });
    expect(types(closed.events)).toEqual(['enforced', 'step_exit', 'procedure_end']);
    expect(closed.state.stack.map((f) => f.procedure)).toEqual(['Refund check']);
    expect(closed.state.stack[0]!.gates![R.identity]).toBe('done');
    // Once the model has ended it, nothing more is owed.
    expect(closeTurn(closed.state, true, obligations, { procedures: PROCEDURES, policy }).events).toEqual([]);
  });

  it('drops an obligation whose branch no longer holds: the gate ran again on new inputs and chose another', () => {
    const owed = [{ kind: 'handoff' as const, target: 'Billing team', nodeId: 'step:check-the-order-age/handoff:billing-team' }];
    const old = refundCheck([at(R.age, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.tooOld })], { 'shop.get_order': ORDER_988 });
    expect(closeTurn(old, true, owed, { procedures: PROCEDURES, policy }).state.outcome).toMatchObject({ team: 'Billing team' });
    const recent = refundCheck([at(R.age, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.recent })], { 'shop.get_order': ORDER_1043 });
    expect(closeTurn(recent, true, owed, { procedures: PROCEDURES, policy }).state.outcome).toBeNull();
  });

  it('holds the inputs of the gate that chose a required handoff until it is made', () => {
    const owed = [{ kind: 'handoff' as const, target: 'Billing team', nodeId: 'step:check-the-order-age/handoff:billing-team' }];
    const old = refundCheck([at(R.age, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.tooOld })], { 'shop.get_order': ORDER_988 });
    const lookup = call('shop__get_order', { order_number: '1043' }, old, rules({ owed }));
    expect(lookup.effect).toBeNull();
    expect(refusal(lookup)).toMatchObject({ type: 'action_refused', payload: { invariant: 'branch-not-binding', nodeId: owed[0]!.nodeId } });
    const age = call('set_attributes', { values: { order_age_days: 3 } }, old, rules({ owed }));
    expect(age.state.attributes).not.toHaveProperty('order_age_days');
    expect(refusal(age)).toMatchObject({ type: 'move_refused', payload: { invariant: 'branch-not-binding' } });
    // Without the obligation (made, or never owed) both go ahead.
    expect(call('shop__get_order', { order_number: '1043' }, old, rules()).effect).toMatchObject({ kind: 'connector' });
  });

  it('keeps the conversation in a Procedure that owes the @end its Python branch requires until it has ended', () => {
    const inSub = codeChecked(call('run_subprocedure', { name: 'Identity check' }, conversation({ stack: [at(R.refund, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.recent })] }), rules()).state);
    const owed = [{ kind: 'end' as const, target: 'Identity check', nodeId: 'step:check-the-code/end1' }];
    const topic = call('start_procedure', { name: 'Cancel subscription' }, inSub, rules({ owed }));
    expect(topic.state.stack.map((f) => f.procedure)).toEqual(['Refund check', 'Identity check']);
    expect(refusal(topic)!.payload).toMatchObject({ invariant: 'branch-not-binding', nodeId: 'step:check-the-code/end1', tool: 'start_procedure' });
    expect(topic.outcome!.content).toContain('Identity check must end first (call end_procedure)');
    // Once it has ended, nothing is owed and the new topic may start.
    expect(call('start_procedure', { name: 'Cancel subscription' }, inSub, rules({ owed: [] })).state.paused).toHaveLength(1);
  });

  it('takes a plain-language decision only for the step that waits on it, not after a change of topic', () => {
    const awaiting = { conditionId: 'step:understand-the-reason/cond1', branches: [{ id: 'step:understand-the-reason/cond1/b1', test: 'broken' }] };
    const there = conversation({ stack: [reachedFrame('step:understand-the-reason')] });
    const input = { condition_id: awaiting.conditionId, branch_id: awaiting.branches[0]!.id, reason: 'r' };
    expect(call('decide_condition', input, there, { awaiting }).outcome!.isError).toBeUndefined();
    const elsewhere = call('start_procedure', { name: 'Cancel subscription' }, there).state;
    expect(call('decide_condition', input, elsewhere, { awaiting }).outcome).toMatchObject({ isError: true });
  });

  it('leaves a Procedure for good with @switch only once the switch is reached; before, the new topic only pauses it', () => {
    const early = conversation({ stack: [reachedFrame('step:find-the-order')] });
    const paused = call('start_procedure', { name: 'Damaged order claim' }, early);
    expect(paused.state.paused).toHaveLength(1);
    expect(paused.state.stack.map((f) => f.kind)).toEqual(['main']);
    const reached = call('start_procedure', { name: 'Damaged order claim' }, conversation({ stack: [reachedFrame('step:understand-the-reason')] }));
    expect(reached.state.paused).toEqual([]);
    expect(reached.state.stack.map((f) => f.kind)).toEqual(['switched']);
  });
});

describe('sub-procedures before what follows them', () => {
  const atRefund = () =>
    refundCheck([at(R.refund, { '@shop.get_order': 'called', [R.code]: 'ran', [R.cond]: R.recent })], { 'shop.get_order': ORDER_1043 }, 'yes go ahead');

  it('refuses the action after [[Identity check]] until it has run, and says how to run it', () => {
    const decision = apply('payments__create_refund', { amount: 32.5, customer_agreement: 'yes go ahead' }, atRefund());
    expect(decision.effect).toBeNull();
    expect(refusal(decision)!.payload).toMatchObject({ invariant: 'subprocedure-before-action', nodeId: R.identity });
    expect(decision.outcome!.content).toContain('run_subprocedure with "Identity check"');
  });

  it('lets it run once the sub-procedure has ended normally, not while it is still running or before its end', () => {
    const started = call('run_subprocedure', { name: 'Identity check' }, atRefund(), rules()).state;
    // Inside the sub-procedure, the caller's action is not the active Procedure's.
    expect(call('payments__create_refund', { amount: 32.5 }, started, rules()).effect).toBeNull();
    // Its end lies past the code check: ending it early is refused.
    const early = apply('end_procedure', {}, started);
    expect(early.state.stack.map((f) => f.procedure)).toEqual(['Refund check', 'Identity check']);
    expect(refusal(early)!.payload).toMatchObject({ invariant: 'no-skipped-gate', nodeId: 'step:check-the-code/action:accounts.check_code' });
    const checked = { ...started, data: { ...started.data, 'accounts.check_code': { valid: true } }, stack: [started.stack[0]!, { ...started.stack[1]!, gates: { '@accounts.check_code': 'called', 'step:check-the-code/cond1': 'step:check-the-code/cond1/b1' } }] };
    const back = call('end_procedure', {}, checked, rules());
    expect(back.state.stack[0]!.gates![R.identity]).toBe('done');
    const asked = call('payments__create_refund', { amount: 32.5 }, back.state, rules());
    expect(types(asked.events)).toEqual(['action_needs_confirmation']);
    const agreed = call('payments__create_refund', { amount: 32.5, customer_agreement: 'yes go ahead' }, customerSays(asked.state, 'yes go ahead'), rules());
    expect(agreed.effect).toEqual({ kind: 'connector', action: 'payments.create_refund', input: { amount: 32.5 } });
  });
});

describe('refusals are visible', () => {
  it('traces each refusal with its invariant and node, and tells the model in words it can act on', () => {
    const refusals = [
      apply('go_to_step', { step_id: R.refund }, refundCheck([at(R.find)])),
      apply('payments__create_refund', { amount: 1 }, refundCheck([at(R.find)])),
      apply('run_subprocedure', { name: 'Identity check' }, refundCheck([at(R.find)])),
    ];
    for (const decision of refusals) {
      expect(refusal(decision)!.payload).toMatchObject({ invariant: expect.any(String), nodeId: expect.any(String), reason: expect.any(String) });
      expect(decision.outcome).toMatchObject({ isError: true, followUp: true });
      expect(decision.outcome!.content).toMatch(/Not allowed yet: .* lies past a control of the Procedure, and .*\. .+/);
    }
  });
});
