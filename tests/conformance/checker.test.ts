// The conformance checker on hand-written traces: for every invariant, a trace that breaks it and
// one that keeps it, so each check is shown to fire and shown not to fire.
import { describe, expect, it } from 'vitest';
import { checkConformance, describeViolation, type Violation } from '../../main/conformance';
import { PROCEDURES, REFUND, refundTrace, TraceBuilder } from './support';

const check = (trace: TraceBuilder) => checkConformance(PROCEDURES, trace.events);
const invariants = (violations: Violation[]) => violations.map((violation) => violation.invariant);

/** The refund scenario up to a recent order: found, age checked in the sandbox, the Otherwise branch. */
const recentOrder = () =>
  refundTrace()
    .tool('set_attributes', { values: { order_number: '1043' } })
    .action('shop.get_order', { order_number: '1043' })
    .goTo(REFUND.age)
    .code(REFUND.code)
    .python(REFUND.condition, REFUND.tooOld, false);

const ELIGIBLE = 'step:choose/cond1';
const CREDIT = { b1: 'step:choose/cond1/b1', b2: 'step:choose/cond1/b2' };
const REPLACE = { condition: 'step:replace-or-keep/cond1', b1: 'step:replace-or-keep/cond1/b1', b2: 'step:replace-or-keep/cond1/b2' };
const creditTrace = () => new TraceBuilder().customer('my parcel was late').start('Credit or refund', 'step:choose').modelCall();

describe('no-skipped-gate', () => {
  it('flags a step entered past an unevaluated code step and condition (the issue scenario), naming the gates', () => {
    const trace = refundTrace().tool('set_attributes', { values: { order_number: '988' } }).action('shop.get_order', { order_number: '988' }).goTo(REFUND.refund);
    const violations = check(trace);
    expect(violations).toHaveLength(1);
    const [violation] = violations;
    expect(violation).toMatchObject({ invariant: 'no-skipped-gate', procedure: 'Refund check', nodeId: REFUND.refund, event: { type: 'step_enter' } });
    expect(violation!.blockedBy).toEqual([REFUND.code]);
    expect(trace.events[violation!.event.index]).toMatchObject({ type: 'step_enter', stepId: REFUND.refund });
    expect(describeViolation(violation!)).toContain('no-skipped-gate at Refund check › step:refund');
  });

  it('flags a step entered past a connector call whose result a later test reads, before it ran', () => {
    expect(invariants(check(refundTrace().goTo(REFUND.age)))).toEqual(['no-skipped-gate']);
  });

  it('accepts the same move once the gates were evaluated and picked the way there', () => {
    expect(check(recentOrder().goTo(REFUND.refund))).toEqual([]);
  });

  it('flags the move when the Python branch picked leads elsewhere', () => {
    const trace = refundTrace()
      .action('shop.get_order')
      .goTo(REFUND.age)
      .code(REFUND.code)
      .python(REFUND.condition, REFUND.tooOld, true)
      .enforced(REFUND.handoff, 'Billing team')
      .goTo(REFUND.refund);
    const violations = check(trace);
    expect(invariants(violations)).toEqual(['no-skipped-gate']);
    expect(violations[0]!.blockedBy).toEqual([REFUND.condition]);
  });

  it('lets the conversation go back and forth among steps it has legitimately reached', () => {
    expect(check(recentOrder().goTo(REFUND.find).goTo(REFUND.refund).goTo(REFUND.age))).toEqual([]);
  });

  it('flags a handoff the model makes before the gate that leads to it', () => {
    const violations = check(refundTrace().tool('handoff', { team: 'Billing team', summary: 'old' }, (trace) => trace.handoff('Billing team')));
    expect(violations).toMatchObject([{ invariant: 'no-skipped-gate', nodeId: REFUND.handoff, event: { type: 'handoff' } }]);
  });

  it('accepts the handoff the Python branch requires', () => {
    const trace = refundTrace().action('shop.get_order').goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, true).enforced(REFUND.handoff, 'Billing team');
    expect(check(trace)).toEqual([]);
  });

  it('flags the model changing what an evaluated gate read while the branch it chose still owes a handoff', () => {
    const owed = () => refundTrace().action('shop.get_order').goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, true);
    const talkedAway = owed().tool('set_attributes', { values: { order_age_days: 5 } }, (t) => t.attribute('order_age_days', 5).python(REFUND.condition, REFUND.tooOld, false));
    const violations = check(talkedAway.customer('and now?').tool('handoff', { team: 'Billing team', summary: 's' }, (t) => t.handoff('Billing team')));
    expect(violations.map((violation) => [violation.invariant, violation.nodeId, violation.event.type])).toEqual([
      ['branch-not-binding', REFUND.handoff, 'attribute_set'],
      // Evaluated again, the branch in force excludes the handoff the model then makes.
      ['no-skipped-gate', REFUND.handoff, 'handoff'],
    ]);
    expect(violations[0]!.message).toContain('order_age_days was changed by the model while the branch');
  });

  it('lets the runtime’s own evaluation on true inputs void what an earlier one required', () => {
    // The model sets the age the code computes (nothing is owed yet); the runtime runs the code again.
    const trace = refundTrace()
      .action('shop.get_order')
      .goTo(REFUND.age)
      .code(REFUND.code)
      .python(REFUND.condition, REFUND.tooOld, false)
      .tool('set_attributes', { values: { order_age_days: 100 } }, (t) => t.attribute('order_age_days', 100).python(REFUND.condition, REFUND.tooOld, true))
      .goTo(REFUND.age)
      .attribute('order_age_days', 10, 'code')
      .code(REFUND.code)
      .python(REFUND.condition, REFUND.tooOld, false)
      .customer('thanks');
    expect(check(trace)).toEqual([]);
  });

  it('accepts the handoff a Python branch required even when the model hands off itself before the runtime would', () => {
    const trace = refundTrace().action('shop.get_order').goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, true);
    expect(check(trace.tool('handoff', { team: 'Billing team', summary: 'Too old.' }, (t) => t.handoff('Billing team')))).toEqual([]);
  });

  it('flags a sub-procedure started before the step that calls it is reached', () => {
    const trace = refundTrace().tool('run_subprocedure', { name: 'Identity check' }, (t) => t.start('Identity check', 'step:ask-for-the-email', 'sub'));
    expect(check(trace)).toMatchObject([{ invariant: 'no-skipped-gate', procedure: 'Refund check', nodeId: REFUND.call, event: { type: 'procedure_start' } }]);
  });

  it('flags an @end made before the gates in front of every end, and accepts it after them', () => {
    const early = refundTrace().tool('end_procedure', {}, (t) => t.end('Refund check'));
    expect(check(early)).toMatchObject([{ invariant: 'no-skipped-gate', nodeId: 'step:refund/end1', event: { type: 'procedure_end' } }]);
    const later = recentOrder()
      .goTo(REFUND.refund)
      .tool('run_subprocedure', { name: 'Identity check' }, (t) => t.start('Identity check', 'step:ask-for-the-email', 'sub'))
      .tool('end_procedure', {}, (t) => t.end('Identity check', null, { procedure: 'Refund check', stepId: REFUND.refund }))
      .tool('end_procedure', {}, (t) => t.end('Refund check'));
    expect(check(later)).toEqual([]);
  });

  it('counts a gate evaluated on inputs that have changed since as unevaluated (another order looked up), until it runs again', () => {
    const otherOrder = (trace: TraceBuilder) =>
      trace.tool('shop__get_order', { order_number: '988' }, (t) => t.events.push({ type: 'connector_call', stepId: REFUND.age, payload: { action: 'shop.get_order', record: {} } }), { result: '{"order_number":"988"}' });
    const stale = otherOrder(recentOrder()).goTo(REFUND.refund);
    const violations = check(stale);
    expect(violations).toMatchObject([{ invariant: 'no-skipped-gate', nodeId: REFUND.refund, event: { type: 'step_enter' } }]);
    expect(violations[0]!.blockedBy).toEqual([REFUND.code]);
    const again = otherOrder(recentOrder()).goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, false).goTo(REFUND.refund);
    expect(check(again)).toEqual([]);
    // The same order again, or an attribute the age check does not read: nothing to re-evaluate.
    const same = recentOrder().tool('shop__get_order', { order_number: '1043' }, () => undefined, { result: '{"ok":true}' }).tool('set_attributes', { values: { order_number: '1043' } }, (t) => t.attribute('order_number', '1043'));
    expect(check(same.goTo(REFUND.refund))).toEqual([]);
  });

  it('counts a Python condition whose attribute changed since as unevaluated', () => {
    const changed = () =>
      creditTrace()
        .tool('set_attributes', { values: { amount: 50 } }, (t) => t.attribute('amount', 50).python(ELIGIBLE, CREDIT.b1, false))
        .tool('set_attributes', { values: { amount: 500 } }, (t) => t.attribute('amount', 500));
    expect(check(changed().action('payments.create_refund'))).toMatchObject([{ invariant: 'action-out-of-reach', blockedBy: [ELIGIBLE] }]);
    // Set back to the value it was evaluated on: the evaluation holds again.
    expect(check(changed().tool('set_attributes', { values: { amount: 50 } }, (t) => t.attribute('amount', 50)).action('payments.create_refund'))).toEqual([]);
  });

  it('flags a model decision recorded on a Python condition, and accepts one on a plain-language condition', () => {
    const onPython = creditTrace().tool('decide_condition', { condition_id: ELIGIBLE, branch_id: CREDIT.b2, reason: 'cheap' }, (t) => t.plain(ELIGIBLE, CREDIT.b2));
    expect(check(onPython)).toMatchObject([{ invariant: 'no-skipped-gate', nodeId: ELIGIBLE, event: { type: 'condition' } }]);
    const onPlain = creditTrace()
      .tool('set_attributes', { values: { amount: 50 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, false))
      .goTo('step:replace-or-keep')
      .tool('decide_condition', { condition_id: REPLACE.condition, branch_id: REPLACE.b1, reason: 'wants one' }, (t) => t.plain(REPLACE.condition, REPLACE.b1));
    expect(check(onPlain)).toEqual([]);
  });

  it('flags a @switch made before the Python branch that requires it', () => {
    const trace = creditTrace().tool('start_procedure', { name: 'Fraud review' }, (t) => t.end('Credit or refund', 'switched to Fraud review').start('Fraud review', 'step:look', 'switched'));
    expect(check(trace)).toMatchObject([{ invariant: 'no-skipped-gate', nodeId: 'step:switch/switch:fraud-review' }]);
  });
});

describe('action-out-of-reach', () => {
  it('flags an action named in a later step that lies past unevaluated gates', () => {
    const violations = check(refundTrace().action('payments.create_refund', { amount: 30 }));
    expect(violations).toMatchObject([{ invariant: 'action-out-of-reach', nodeId: REFUND.action, event: { type: 'tool_call' } }]);
    expect(violations[0]!.blockedBy).toEqual(['step:find-the-order/action:shop.get_order']);
  });

  it('flags an action the active Procedure does not name, and one run with no Procedure active', () => {
    expect(check(refundTrace().action('billing.issue_credit'))).toMatchObject([{ invariant: 'action-out-of-reach', nodeId: REFUND.find }]);
    expect(check(new TraceBuilder().customer().modelCall().action('shop.get_order'))).toMatchObject([{ invariant: 'action-out-of-reach', procedure: null }]);
  });

  it('accepts actions in reach, from the step that names them or from a later step', () => {
    expect(check(recentOrder().action('shop.get_order', { order_number: '1044' }))).toEqual([]);
  });

  it('does not count a refused action (it never ran)', () => {
    const refused = refundTrace().tool('payments__create_refund', { amount: 30 }, (t) => t.events.push({ type: 'action_refused', stepId: REFUND.find, payload: { action: 'payments.create_refund' } }), { ok: false, result: 'Not in reach: …' });
    expect(check(refused)).toEqual([]);
  });

  it('counts an action that ran and failed: it reached the connector', () => {
    const failed = refundTrace().tool('payments__create_refund', { amount: 30 }, (t) => t.events.push({ type: 'connector_call', stepId: REFUND.find, payload: { action: 'payments.create_refund', record: { ok: false } } }), { ok: false, result: '@payments.create_refund failed: 500' });
    expect(invariants(check(failed))).toEqual(['action-out-of-reach']);
  });
});

describe('branch-not-binding', () => {
  it('flags an action in the branch Python did not take, and accepts the one in the branch it took', () => {
    const chosen = creditTrace().tool('set_attributes', { values: { amount: 150 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, true));
    expect(check(chosen.action('payments.create_refund'))).toMatchObject([{ invariant: 'branch-not-binding', nodeId: 'step:choose/action:payments.create_refund', blockedBy: [ELIGIBLE] }]);
    const right = creditTrace().tool('set_attributes', { values: { amount: 150 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, true)).action('billing.issue_credit');
    expect(check(right)).toEqual([]);
  });

  it('holds the model to the plain-language branch it decided in this visit, and frees it on a new visit', () => {
    const decided = creditTrace()
      .tool('set_attributes', { values: { amount: 50 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, false))
      .goTo('step:replace-or-keep')
      .tool('decide_condition', { condition_id: REPLACE.condition, branch_id: REPLACE.b2, reason: 'keeps it' }, (t) => t.plain(REPLACE.condition, REPLACE.b2));
    expect(invariants(check(decided.action('shop.create_replacement')))).toEqual(['branch-not-binding']);
    const revisited = creditTrace()
      .tool('set_attributes', { values: { amount: 50 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, false))
      .goTo('step:replace-or-keep')
      .tool('decide_condition', { condition_id: REPLACE.condition, branch_id: REPLACE.b2, reason: 'keeps it' }, (t) => t.plain(REPLACE.condition, REPLACE.b2))
      .goTo('step:replace-or-keep')
      .action('shop.create_replacement');
    expect(check(revisited)).toEqual([]);
  });

  it('flags a handoff a Python branch requires that was not made by the end of the turn', () => {
    const trace = refundTrace().action('shop.get_order').goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, true).tool('reply', { message: 'Let me see.' }).customer('well?');
    const violations = check(trace);
    expect(violations).toMatchObject([{ invariant: 'branch-not-binding', nodeId: REFUND.handoff, event: { type: 'condition' } }]);
    expect(violations[0]!.message).toContain('Billing team');
  });

  it('flags a required handoff made to another team, and accepts an escalation to a person', () => {
    const base = () => refundTrace().action('shop.get_order').goTo(REFUND.age).code(REFUND.code).python(REFUND.condition, REFUND.tooOld, true);
    const elsewhere = base().tool('handoff', { team: 'Orders team', summary: 's' }, (t) => t.handoff('Orders team'));
    expect(invariants(check(elsewhere))).toEqual(['branch-not-binding']);
    const escalated = base().tool('escalate', { reason: 'stuck', summary: 's' }, (t) => t.events.push({ type: 'escalation', stepId: REFUND.age, payload: { reason: 'stuck', team: 'Support' } }));
    expect(check(escalated)).toEqual([]);
  });

  it('flags an @end a Python branch requires (an else after Python tests) that did not happen', () => {
    const trace = creditTrace().tool('set_attributes', { values: { amount: 5000 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, true)).action('billing.issue_credit').goTo('step:replace-or-keep').goTo('step:switch').python('step:switch/cond1', 'step:switch/cond1/b1', true);
    expect(check(trace)).toMatchObject([{ invariant: 'branch-not-binding', nodeId: 'step:switch/switch:fraud-review' }]);
    const made = creditTrace()
      .tool('set_attributes', { values: { amount: 5000 } }, (t) => t.python(ELIGIBLE, CREDIT.b1, true))
      .goTo('step:replace-or-keep')
      .goTo('step:switch')
      .python('step:switch/cond1', 'step:switch/cond1/b1', true)
      .end('Credit or refund', 'switched to Fraud review')
      .start('Fraud review', 'step:look', 'switched');
    expect(check(made)).toEqual([]);
  });
});

describe('subprocedure-before-action', () => {
  it('flags the refund before the identity sub-procedure has ended', () => {
    const violations = check(recentOrder().goTo(REFUND.refund).action('payments.create_refund'));
    expect(violations).toMatchObject([{ invariant: 'subprocedure-before-action', nodeId: REFUND.action, blockedBy: [REFUND.call] }]);
  });

  it('flags the refund while the sub-procedure is still running in the caller… and accepts it after a normal end', () => {
    const started = recentOrder().goTo(REFUND.refund).tool('run_subprocedure', { name: 'Identity check' }, (t) => t.start('Identity check', 'step:ask-for-the-email', 'sub'));
    const ended = started.tool('end_procedure', {}, (t) => t.end('Identity check', null, { procedure: 'Refund check', stepId: REFUND.refund })).action('payments.create_refund');
    expect(check(ended)).toEqual([]);
  });

  it('does not count a sub-procedure left by a change of topic as ended', () => {
    const paused = recentOrder()
      .goTo(REFUND.refund)
      .tool('run_subprocedure', { name: 'Identity check' }, (t) => t.start('Identity check', 'step:ask-for-the-email', 'sub'))
      .tool('start_procedure', { name: 'Credit or refund' }, (t) => {
        t.events.push({ type: 'procedure_pause', stepId: 'step:ask-for-the-email', payload: { procedure: 'Identity check', reason: null } });
        t.start('Credit or refund', 'step:choose').python(ELIGIBLE, CREDIT.b1, false);
      })
      .tool('end_procedure', {}, (t) => {
        t.end('Credit or refund');
        t.events.push({ type: 'procedure_resume', stepId: 'step:ask-for-the-email', payload: { procedure: 'Identity check' } });
      });
    // Back in the sub-procedure (not ended): the caller's refund is still out of reach… but the
    // action runs in the sub-procedure's frame, which does not name it.
    expect(invariants(check(paused.action('payments.create_refund')))).toEqual(['action-out-of-reach']);
  });
});

describe('refusal-not-visible', () => {
  it('flags a refusal that does not tell the model why', () => {
    const trace = refundTrace().tool('go_to_step', { step_id: REFUND.refund }, () => undefined, { ok: false, result: '' });
    expect(check(trace)).toMatchObject([{ invariant: 'refusal-not-visible', event: { type: 'tool_call' } }]);
  });

  it('flags a move reported to the model as done that did not happen (a silent refusal)', () => {
    expect(invariants(check(refundTrace().tool('go_to_step', { step_id: REFUND.refund })))).toEqual(['refusal-not-visible']);
    expect(invariants(check(refundTrace().tool('run_subprocedure', { name: 'Identity check' })))).toEqual(['refusal-not-visible']);
    expect(invariants(check(refundTrace().tool('handoff', { team: 'Billing team', summary: 's' })))).toEqual(['refusal-not-visible']);
  });

  it('flags an action held back (needs confirmation) but reported as done', () => {
    const trace = refundTrace().tool('shop__get_order', {}, (t) => t.events.push({ type: 'action_needs_confirmation', stepId: REFUND.find, payload: { action: 'shop.get_order' } }));
    expect(invariants(check(trace))).toEqual(['refusal-not-visible']);
  });

  it('accepts refusals that say why', () => {
    const trace = refundTrace().tool('go_to_step', { step_id: REFUND.refund }, () => undefined, { ok: false, result: 'The age check needs the result of @shop.get_order first.' });
    expect(check(trace)).toEqual([]);
  });
});

describe('the checker itself', () => {
  it('reports the stored id of the event when the trace carries one', () => {
    const trace = refundTrace().goTo(REFUND.refund);
    const stored = trace.events.map((event, index) => ({ ...event, id: 1000 + index }));
    const [violation] = checkConformance(PROCEDURES, stored);
    expect(violation!.event.id).toBe(1000 + violation!.event.index);
  });

  it('takes the Procedures as a lookup by name and version', () => {
    const calls: [string, string | undefined][] = [];
    const violations = checkConformance((name, version) => {
      calls.push([name, version]);
      return PROCEDURES.get(name);
    }, refundTrace().goTo(REFUND.refund).events);
    expect(calls).toContainEqual(['Refund check', 'draft']);
    expect(invariants(violations)).toEqual(['no-skipped-gate']);
  });

  it('skips the frames of Procedures it does not know rather than guessing', () => {
    const trace = new TraceBuilder().customer().start('Unknown', 'step:one').modelCall().goTo('step:three').action('payments.create_refund');
    expect(check(trace)).toEqual([]);
  });
});
