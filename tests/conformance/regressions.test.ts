// Every violation the property test found while it was built, as a fixed tool-call script over the
// example shop (the real engine, mocked connectors over the shop world, the real sandbox) and the
// outcome the enforcement model requires: the checker finds nothing, and the move that would have
// broken a control is refused with a reason the model can act on (the trace keeps the refusal).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConformance, describeViolation } from '../../main/conformance';
import type { TraceEvent } from '../../main/runtime/types';
import { useSandbox } from '../support/fixtures';
import { procedureSet, runPlan, runScript, TEST_PROCEDURES, type ProcedureSet, type ScriptedTurn } from './driver';

const sandbox = useSandbox();
let shop: ProcedureSet;
let scenario: ProcedureSet;
beforeAll(() => {
  shop = procedureSet('regressions');
  scenario = procedureSet('regressions-scenario', TEST_PROCEDURES());
});
afterAll(() => {
  shop.workspace.close();
  scenario.workspace.close();
});

async function run(procedure: string, turns: ScriptedTurn[], set = shop) {
  const { trace } = await runScript(set, procedure, turns, sandbox);
  const violations = checkConformance(set.documents, trace).map(describeViolation);
  return { trace, violations };
}

/** The `tool_call` event of the n-th call of `tool` (0-based). */
function call(trace: TraceEvent[], tool: string, nth = 0): TraceEvent {
  const found = trace.filter((event) => event.type === 'tool_call' && event.payload.tool === tool)[nth];
  if (!found) throw new Error(`No call ${nth} of ${tool} in the trace.`);
  return found;
}

function expectRefused(event: TraceEvent, mentions?: RegExp) {
  expect(event.payload.ok, JSON.stringify(event.payload)).toBe(false);
  expect(String(event.payload.result)).toMatch(mentions ?? /\w{3,}/);
}

const reachedConnector = (trace: TraceEvent[], action: string) => trace.some((event) => event.type === 'connector_call' && event.payload.action === action);

describe('regressions found by the property test', () => {
  it('no-skipped-gate: go_to_step past the claim window check before the order was looked up is refused, naming the missing result', async () => {
    const { trace, violations } = await run('Damaged order claim', [['My kettle arrived broken.', [[['go_to_step', { step_id: 'step:resolve' }]]]]]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'go_to_step'), /shop\.get_order/);
  });

  it('no-skipped-gate: go_to_step past the eligibility check once the order is known evaluates it first (the issue scenario)', async () => {
    const { trace, violations } = await run('Refund request', [
      ['I want a refund for order 988.', [[['set_attributes', { values: { order_number: '988' } }], ['shop__get_order', { order_number: '988' }]], [['go_to_step', { step_id: 'step:issue-the-refund' }]]]],
    ]);
    expect(violations).toEqual([]);
    // Whatever the move came to, the eligibility code ran before any step after it was entered.
    const codeRan = trace.findIndex((event) => event.type === 'code_run' && event.payload.nodeId === 'step:check-eligibility/code1' && event.payload.ok === true);
    const later = trace.findIndex((event) => event.type === 'step_enter' && ['step:work-out-the-amount', 'step:issue-the-refund'].includes(String(event.stepId)));
    if (later >= 0) expect(codeRan).toBeGreaterThanOrEqual(0);
    if (later >= 0) expect(codeRan).toBeLessThan(later);
  });

  it('no-skipped-gate: end_procedure in Verify identity before the code was checked is refused, and the Procedure goes on', async () => {
    const { trace, violations } = await run('Verify identity', [['Hi', [[['end_procedure', { summary: 'Verified.' }]]]]]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'end_procedure'));
    expect(trace.some((event) => event.type === 'procedure_end')).toBe(false);
  });

  it('no-skipped-gate: run_subprocedure before the step that calls it is refused', async () => {
    const { trace, violations } = await run('Damaged order claim', [['My kettle arrived broken.', [[['run_subprocedure', { name: 'Verify identity' }]]]]]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'run_subprocedure'));
    expect(trace.some((event) => event.type === 'procedure_start' && event.payload.kind === 'sub')).toBe(false);
  });

  it('no-skipped-gate: a handoff to a team that lies past unevaluated gates is refused', async () => {
    const { trace, violations } = await run('Damaged order claim', [['It sparks!', [[['handoff', { team: 'Safety team', summary: 'Sparks.' }]]]]]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'handoff'));
    expect(trace.some((event) => event.type === 'handoff')).toBe(false);
  });

  it('action-out-of-reach: an action of a later step is refused and never reaches the connector', async () => {
    const { trace, violations } = await run('Password reset and account unlock', [['I forgot my password.', [[['accounts__send_password_reset', { email: 'jane.doe@example.com' }]]]]]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'accounts__send_password_reset'));
    expect(reachedConnector(trace, 'accounts.send_password_reset')).toBe(false);
  });

  it('subprocedure-before-action: an action after [[Verify identity]] is refused until it has ended', async () => {
    const { trace, violations } = await run('Cancel subscription', [['Cancel my subscription.', [[['billing__get_subscription', { customer_email: 'jane.doe@example.com' }]]]]]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'billing__get_subscription'));
    expect(reachedConnector(trace, 'billing.get_subscription')).toBe(false);
  });

  it('branch-not-binding: the reset link of the Otherwise branch is refused for a locked account (Python chose the unlock branch)', async () => {
    const { trace, violations } = await run('Password reset and account unlock', [
      [
        'I cannot sign in, my email is omar.haddad@example.com',
        [
          [['set_attributes', { values: { email: 'omar.haddad@example.com' } }], ['accounts__lookup_account', { email: 'omar.haddad@example.com' }]],
          [['go_to_step', { step_id: 'step:check-mailbox-access' }], ['set_attributes', { values: { has_email_access: true } }]],
          [['go_to_step', { step_id: 'step:unlock-or-reset' }]],
          [['accounts__send_password_reset', { email: 'omar.haddad@example.com' }]],
        ],
      ],
    ]);
    expect(violations).toEqual([]);
    expect(trace.some((event) => event.type === 'condition' && event.payload.nodeId === 'step:unlock-or-reset/cond1' && event.payload.result === true)).toBe(true);
    expectRefused(call(trace, 'accounts__send_password_reset'));
    expect(reachedConnector(trace, 'accounts.send_password_reset')).toBe(false);
  });

  it('branch-not-binding: the @end a Python branch requires is made by the end of the turn (a valid code ends Verify identity)', async () => {
    const { trace, violations } = await run('Verify identity', [
      [
        'My email is jane.doe@example.com',
        [[['set_attributes', { values: { email: 'jane.doe@example.com' } }], ['accounts__send_code', { email: 'jane.doe@example.com' }], ['reply', { message: 'I sent you a code.' }]]],
      ],
      [
        'The code is 123456',
        [
          [['go_to_step', { step_id: 'step:check-the-code' }], ['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { email: 'jane.doe@example.com', code: '123456' }]],
          [['reply', { message: 'Thank you, you are verified.' }]],
        ],
      ],
    ]);
    expect(violations).toEqual([]);
    const chosen = trace.findIndex((event) => event.type === 'condition' && event.payload.nodeId === 'step:check-the-code/cond1' && event.payload.result === true);
    expect(chosen).toBeGreaterThan(0);
    const turnEnd = trace.findIndex((event, index) => index > chosen && event.type === 'customer_message');
    const ended = trace.findIndex((event, index) => index > chosen && event.type === 'procedure_end' && event.payload.procedure === 'Verify identity');
    expect(ended).toBeGreaterThan(chosen);
    if (turnEnd > 0) expect(ended).toBeLessThan(turnEnd);
  });

  it('no-skipped-gate: after another order is looked up, the claim window check holds for the new order before the conversation moves on', async () => {
    const { trace, violations } = await run('Damaged order claim', [
      [
        'My kettle from order 1043 arrived broken.',
        [
          [['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]],
          [['go_to_step', { step_id: 'step:check-the-claim-window' }]],
          [['go_to_step', { step_id: 'step:understand-the-damage' }]],
        ],
      ],
      ['Sorry, it was order 988.', [[['set_attributes', { values: { order_number: '988' } }], ['shop__get_order', { order_number: '988' }]], [['go_to_step', { step_id: 'step:resolve' }]]]],
    ]);
    expect(violations).toEqual([]);
    // Order 988 was delivered long ago: the window check, evaluated again, hands off to the Claims team.
    expect(trace.some((event) => event.type === 'step_enter' && event.stepId === 'step:resolve')).toBe(false);
    expect(trace.filter((event) => event.type === 'handoff').map((event) => event.payload.team)).toEqual(['Claims team']);
  });

  it('no-skipped-gate: a plain-language decision awaited in a Procedure paused by a change of topic is not recorded in the new one', async () => {
    const { trace, violations } = await run('Damaged order claim', [
      [
        'My kettle from order 1043 arrived broken.',
        [
          [['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]],
          [['go_to_step', { step_id: 'step:check-the-claim-window' }]],
          [['go_to_step', { step_id: 'step:understand-the-damage' }]],
          [
            ['start_procedure', { name: 'Refund request', reason: 'the customer changed topic' }],
            ['decide_condition', { condition_id: 'step:understand-the-damage/cond1', branch_id: 'step:understand-the-damage/cond1/b1', reason: 'sparks' }],
          ],
        ],
      ],
    ]);
    expect(violations).toEqual([]);
    expectRefused(call(trace, 'decide_condition'));
  });

  it('no-skipped-gate: the @end one run of Verify identity required is not made on a new run of it started later in the turn', async () => {
    const email = 'jane.doe@example.com';
    const { trace, violations } = await run('Cancel subscription', [
      [
        `Cancel my subscription, my email is ${email}`,
        [[['run_subprocedure', { name: 'Verify identity' }]], [['set_attributes', { values: { email } }], ['accounts__send_code', { email }], ['reply', { message: 'I sent you a code.' }]]],
      ],
      [
        'The code is 123456',
        [
          [['go_to_step', { step_id: 'step:check-the-code' }], ['set_attributes', { values: { verification_code: '123456' } }], ['accounts__check_code', { email, code: '123456' }]],
          [['end_procedure', { summary: 'Verified.' }], ['run_subprocedure', { name: 'Verify identity' }], ['reply', { message: 'One more check, please.' }]],
        ],
      ],
    ]);
    expect(violations).toEqual([]);
    const second = trace.findLastIndex((event) => event.type === 'procedure_start' && event.payload.procedure === 'Verify identity');
    expect(trace.slice(second).some((event) => event.type === 'procedure_end')).toBe(false);
  });

  it('branch-not-binding: the handoff the age check requires cannot be talked away by setting the age it computed, in the same turn', async () => {
    const { trace, violations } = await run(
      'Refund check',
      [
        [
          'I want a refund for order 988.',
          [
            [['set_attributes', { values: { order_number: '988' } }], ['shop__get_order', { order_number: '988' }]],
            [['go_to_step', { step_id: 'step:refund' }], ['set_attributes', { values: { order_age_days: 5 } }], ['go_to_step', { step_id: 'step:refund' }]],
            [['reply', { message: 'Let me look into it.' }]],
          ],
        ],
      ],
      scenario,
    );
    expect(violations).toEqual([]);
    expect(trace.filter((event) => event.type === 'handoff').map((event) => event.payload.team)).toEqual(['Billing team']);
    expect(trace.some((event) => event.type === 'step_enter' && event.stepId === 'step:refund')).toBe(false);
  });

  it('branch-not-binding: a handoff required only because the model set the age the code computes is void once the code runs again on the true order', async () => {
    const { trace, violations } = await run('Damaged order claim', [
      ['I want a refund for order 1043.', [[['shop__get_order', { order_number: '1043' }]]]],
      [
        'I want a refund for order 1043.',
        [[['end_procedure', { summary: 'Done here.' }], ['set_attributes', { values: { days_since_delivery: 250 } }], ['go_to_step', { step_id: 'step:check-the-claim-window' }]]],
      ],
      ['I want a refund for order 1043.', [[['go_to_step', { step_id: 'step:understand-the-damage' }]]]],
    ]);
    expect(violations).toEqual([]);
    expect(trace.some((event) => event.type === 'handoff')).toBe(false);
    expect(trace.some((event) => event.type === 'step_enter' && event.stepId === 'step:understand-the-damage')).toBe(true);
  });
  it('branch-not-binding: the handoff a condition chose stands when a gate before it goes stale afterwards (another account looked up), as found by seed -467341192', async () => {
    const plan = {"start":0,"patient":true,"turns":[{"customer":"I want a refund for order 1043.","responses":[[{"kind":"start_procedure","pick":542},{"kind":"set_attributes","pick":0,"variant":0,"typed":false}],[{"kind":"end_procedure"}]]},{"customer":"I want a refund for order 1043.","responses":[[{"kind":"natural","move":"action","pick":0,"agree":"quote"}],[{"kind":"natural","move":"next","pick":0,"agree":"quote"},{"kind":"action","pick":14,"variant":10,"agree":"quote"}],[{"kind":"natural","move":"attribute","pick":421,"agree":"quote"}]]},{"customer":"I want a refund for order 1043.","responses":[[{"kind":"natural","move":"next","pick":0,"agree":"quote"}]]}]};
    const { trace } = await runPlan(shop, plan as never, sandbox);
    expect(checkConformance(shop.documents, trace).map(describeViolation)).toEqual([]);
    expect(trace.find((event) => event.type === 'handoff')?.payload).toMatchObject({ team: 'Trust and safety', reason: 'required by the Procedure' });
  });
});
