// Issue 14 item 2: each call appends only what the model has not seen. A call the runtime carried
// out just as the model asked is answered with a tool result without text (the trace keeps the
// acknowledgement), and the state does not repeat what such calls did: the value set, the step
// moved to, the decision taken; nor a code step's value that a tool result's note already gives.
// What the runtime did beyond the call (an error, a value it changed, a move elsewhere) is told.
// Built through the real rules and the real agentRequest/afterAgentCall pair.
import type { ContentBlock, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { afterAgentCall, agentRequest, toolResult } from '../../main/runtime/agent-call';
import { advanceWith, type AdvanceResult } from '../../main/runtime/advance';
import { begin } from '../../main/runtime/change';
import type { ToolOutcome } from '../../main/runtime/decision';
import type { ConversationState } from '../../main/runtime/types';
import { call, context, conversation, frame, procedure, PROCEDURES } from './rules/support';

const LOOKED_UP = { '@shop.get_order': 'called' };

function request(state: ConversationState, advanced: AdvanceResult | null = null) {
  const { request: built, userMessage } = agentRequest({
    state,
    procedures: [...PROCEDURES.values()],
    routable: context().routable,
    advanced,
    customerMessages: null,
    describeAction: context().describeAction,
  });
  const text = userMessage.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
  const results = userMessage.content.filter((block): block is ToolResultBlockParam => block.type === 'tool_result');
  return { request: built, userMessage, text, results };
}

/**
 * The model answers the request for `state` with `calls` (as it writes them, compact ids and all);
 * the real rules run each (given `graph` inputs where the rule reads graph ids), and the next
 * request owes their results.
 */
function respond(state: ConversationState, calls: { name: string; input: unknown; graph?: unknown }[], options: { advanced?: AdvanceResult | null; awaiting?: AdvanceResult['awaitingDecision'] } = {}) {
  const first = request(state, options.advanced ?? null);
  const response = calls.map(({ name, input }, index) => ({ type: 'tool_use', id: `toolu_${index}`, name, input })) as unknown as ContentBlock[];
  let next = afterAgentCall(state, first.userMessage, response);
  const outcomes: ToolOutcome[] = [];
  for (const entry of calls) {
    const decision = call(entry.name, entry.graph ?? entry.input, next, options.awaiting ? { awaiting: options.awaiting } : {});
    next = decision.state;
    outcomes.push(decision.outcome!);
  }
  return { first, outcomes, state: { ...next, pendingToolResults: outcomes.map((outcome, index) => toolResult(`toolu_${index}`, outcome)) } };
}

const atFindTheOrder = () => conversation({ stack: [{ ...frame('Refund request', 'step:find-the-order'), gates: LOOKED_UP }], data: { 'shop.get_order': { total: 24 } } });

describe('what a call the runtime carried out as asked adds to the next request', () => {
  it('a result without text, and no state line for the value set or the step moved to', () => {
    const { first, outcomes, state } = respond(atFindTheOrder(), [
      { name: 'set_attributes', input: { values: { order_number: '1043' } } },
      { name: 'go_to_step', input: { step_id: 'rr2' }, graph: { step_id: 'step:understand-the-reason' } },
      { name: 'reply', input: { message: 'What went wrong with it?' } },
    ]);
    expect(first.text).toContain('<state turn="1">');
    // The trace still reads what happened.
    expect(outcomes.map((outcome) => outcome.content)).toEqual(['Set order_number.', 'Now at step "Understand the reason".', 'Sent to the customer.']);
    const second = request(state);
    expect(second.results).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_0' },
      { type: 'tool_result', tool_use_id: 'toolu_1' },
      { type: 'tool_result', tool_use_id: 'toolu_2' },
    ]);
    expect(second.text).not.toContain('order_number = ');
    expect(second.text).not.toContain('Active:');
    // Counted as told: a later message with news tells the news alone.
    const later = request({ ...afterAgentCall(state, second.userMessage, []), pendingToolResults: [], turn: 2, attributes: { ...state.attributes, reason: { value: 'late', source: 'customer', turn: 2 } } });
    expect(later.text.split('\n')).toEqual(['<state-changes turn="2">', 'reason = "late" (from customer).', '</state-changes>']);
    // The system prompt says what a result without text means.
    expect(JSON.stringify(second.request.system)).toContain("A call's result without text: it did as asked.");
  });

  it('tells what the runtime did beyond the call: a value it then changed, a move elsewhere, an error', () => {
    // The step moved to is no longer the active one: a sub-procedure started after it.
    const moved = respond(conversation({ stack: [{ ...frame('Refund request', 'step:understand-the-reason'), gates: LOOKED_UP }], data: { 'shop.get_order': { total: 24 } } }), [
      { name: 'go_to_step', input: { step_id: 'rr3' }, graph: { step_id: 'step:verify' } },
      { name: 'run_subprocedure', input: { name: 'Verify identity' } },
    ]);
    const afterMove = request(moved.state);
    expect(afterMove.results[0]).toEqual({ type: 'tool_result', tool_use_id: 'toolu_0' });
    expect(afterMove.results[1]!.content).toContain('Started Verify identity');
    expect(afterMove.text).toContain('Active: Refund request › Verify identity; current step "Send a code" (vi1).');

    // A value the runtime set after the model did (a code step): told, with where it came from.
    const set = respond(atFindTheOrder(), [{ name: 'set_attributes', input: { values: { order_number: '1043' } } }]);
    const overwritten = { ...set.state, attributes: { ...set.state.attributes, order_number: { value: '1043', source: 'code' as const, turn: 1 } } };
    expect(request(overwritten).text).toContain('order_number = "1043" (from code).');

    // A call that failed in part: its result is sent whole, and what it did set is told.
    const partly = respond(atFindTheOrder(), [{ name: 'set_attributes', input: { values: { order_number: '1043', colour: 'red' } } }]);
    const afterError = request(partly.state);
    expect(afterError.results[0]).toMatchObject({ is_error: true, content: expect.stringMatching(/^Set order_number\. Not set: colour is not an attribute/) });
    expect(afterError.text).toContain('order_number = "1043" (from customer).');
  });

  it('does not tell the decision the model took, but tells a wait that ended otherwise', () => {
    const awaiting: AdvanceResult['awaitingDecision'] = {
      conditionId: 'step:understand-the-reason/cond1',
      branches: [
        { id: 'step:understand-the-reason/cond1/b1', test: 'the customer says the item arrived broken' },
        { id: 'none', test: 'None of these' },
      ],
    };
    const advanced: AdvanceResult = { notes: [], awaitingDecision: awaiting, waitingFor: null, obligations: [], failed: null };
    const start = conversation({ stack: [{ ...frame('Refund request', 'step:understand-the-reason'), gates: LOOKED_UP }], data: { 'shop.get_order': { total: 24 } } });
    const decided = respond(start, [{ name: 'decide_condition', input: { condition_id: 'rr2.c1', branch_id: 'none', reason: 'Not broken.' }, graph: { condition_id: awaiting.conditionId, branch_id: 'none', reason: 'Not broken.' } }], { advanced, awaiting });
    expect(decided.first.text).toContain('Decide rr2.c1 when you can');
    expect(decided.outcomes[0]!.isError).toBeUndefined();
    const after = request(decided.state);
    expect(after.results[0]).toEqual({ type: 'tool_result', tool_use_id: 'toolu_0' });
    expect(after.text).not.toContain('No condition waits');
    // Nor the step's progress the decision adds.
    expect(decided.state.stack[0]!.decided).toEqual({ [awaiting.conditionId]: 'none' });
    expect(after.text).not.toContain('Done in this step');

    // The same wait ending with no decision of the model's (it replied only): told.
    const replied = respond(start, [{ name: 'reply', input: { message: 'Tell me more.' } }], { advanced });
    expect(request(replied.state).text).toContain('No condition waits for your decision now.');
  });

  it('does not repeat a code step’s value that a tool result’s note gives, and tells it otherwise', () => {
    const before = respond(atFindTheOrder(), [{ name: 'reply', input: { message: 'One moment.' } }]).state;
    const withAmount = { ...before, attributes: { ...before.attributes, amount: { value: 24, source: 'code' as const, turn: 1 } } };
    const noted = request({ ...withAmount, pendingToolResults: [toolResult('toolu_0', { content: 'Sent to the customer. The runtime ran step:refund/code1: amount = 24.', echo: 'Sent to the customer.', followUp: false })] });
    expect(noted.results[0]!.content).toBe('The runtime ran rr4.k1: amount = 24.');
    expect(noted.text).not.toContain('amount = 24 (from code)');
    const silent = request({ ...withAmount, pendingToolResults: [toolResult('toolu_0', { content: 'Sent to the customer.', echo: 'Sent to the customer.', followUp: false })] });
    expect(silent.text).toContain('amount = 24 (from code).');
  });
});

describe('what the runtime’s notes in a tool result already say', () => {
  const ALLOWED = { ...LOOKED_UP, 'step:verify/call:verify-identity': 'done' };
  const atRefund = () => conversation({ stack: [{ ...frame('Refund request', 'step:refund'), gates: ALLOWED }], data: { 'shop.get_order': { total: 24 } } });
  const RAN = 'The runtime ran step:refund/code1: amount = 24.';
  const CHOSE = 'The runtime evaluated step:refund/cond1 (python): it chose step:refund/cond1/b2. Follow that branch.';

  /** A first request waiting for the code step, then the runtime runs it and decides the condition; the next request owes `result`. */
  function afterRun(result: string) {
    const waiting: AdvanceResult = { notes: [], awaitingDecision: null, waitingFor: { nodeId: 'step:refund/code1', missing: ['attribute amount'] }, obligations: [], failed: null };
    const { state } = respond(atRefund(), [{ name: 'reply', input: { message: 'One moment.' } }], { advanced: waiting });
    const top = { ...state.stack[0]!, decided: { 'step:refund/code1': 'ran', 'step:refund/cond1': 'step:refund/cond1/b2' } };
    const ran: ConversationState = { ...state, stack: [top], attributes: { amount: { value: 24, source: 'code', turn: 1 } } };
    return request({ ...ran, pendingToolResults: [toolResult('toolu_0', { content: `Sent to the customer. ${result}`, echo: 'Sent to the customer.', followUp: 'if-silent' })] });
  }

  it('the step’s progress, the value written and the wait ending are not repeated when the notes give them', () => {
    const told = afterRun(`${RAN} ${CHOSE}`);
    expect(told.results[0]!.content).toBe('The runtime ran rr4.k1: amount = 24. The runtime evaluated rr4.c1 (python): it chose rr4.c1.b2. Follow that branch.');
    expect(told.text).toBe('');
  });

  it('what no note gives is told', () => {
    // No note that the condition was decided: the progress is told whole, and the value the note did give is not.
    const partly = afterRun(RAN);
    expect(partly.text).toContain('Done in this step: rr4.k1 → ran; rr4.c1 → rr4.c1.b2.');
    expect(partly.text).not.toContain('amount = 24 (from code)');
    expect(partly.text).not.toContain('Nothing waits');
    // No note at all: every change is told.
    const none = afterRun('');
    expect(none.text).toContain('Done in this step: rr4.k1 → ran; rr4.c1 → rr4.c1.b2.');
    expect(none.text).toContain('amount = 24 (from code).');
    expect(none.text).toContain('Nothing waits for missing values now.');
  });

  it('a Python branch’s note names the branch without restating the test the Procedure shows', () => {
    const change = begin(atRefund(), false);
    const result = advanceWith(change, procedure('Refund request'), (request) =>
      request.mode === 'code' ? { ok: true, attributeWrites: { amount: 24 }, printed: '', durationMs: 1 } : { ok: true, value: false, attributeWrites: {}, printed: '', durationMs: 1 },
    );
    expect(result.notes).toContain('The runtime evaluated step:refund/cond1 (python): it chose step:refund/cond1/b2. Follow that branch.');
    expect(result.notes.join(' ')).not.toContain('attributes["amount"]');
  });
});

describe('a confirm action asked for without the customer’s agreement', () => {
  const ALLOWED = { ...LOOKED_UP, 'step:verify/call:verify-identity': 'done', 'step:refund/code1': 'ran', 'step:refund/cond1': 'step:refund/cond1/b2' };
  const atRefund = () =>
    conversation({ stack: [{ ...frame('Refund request', 'step:refund'), gates: ALLOWED }], data: { 'shop.get_order': { total: 24 } }, attributes: { amount: 24 } });

  it('is refused with the reason, and the wait it starts is not told again beside it', () => {
    const asked = respond(atRefund(), [{ name: 'payments__create_refund', input: { amount: 24 } }]);
    expect(asked.state.pendingConfirmation).toMatchObject({ action: 'payments.create_refund', input: { amount: 24 } });
    const next = request(asked.state);
    expect(next.results[0]).toMatchObject({ is_error: true, content: expect.stringContaining('needs their explicit agreement first') });
    expect(next.text).not.toContain("Waiting for the customer's agreement");
    // Another request than the one the call made waits: told.
    const other = { ...asked.state, pendingConfirmation: { ...asked.state.pendingConfirmation!, input: { amount: 30 } } };
    expect(request(other).text).toContain('Waiting for the customer\'s agreement before running @payments.create_refund with {"amount":30}.');
  });

  it('does not tell the wait ending when the action ran on the customer’s agreement, and tells it when something else ran', () => {
    const asked = respond(atRefund(), [{ name: 'payments__create_refund', input: { amount: 24 } }]).state;
    const told = request(asked);
    const nextTurn = (state: ConversationState): ConversationState => ({
      ...state,
      turn: 2,
      transcript: [...state.transcript, { role: 'customer', text: 'Yes please go ahead', turn: 2 }],
    });
    const waiting = nextTurn({ ...afterAgentCall(asked, told.userMessage, []), pendingToolResults: [] });
    // An action call the runtime ran (its connector result owed), and the wait gone from the state.
    const ran = (name: string, input: unknown): ConversationState => {
      const sent = request(waiting);
      const response = [{ type: 'tool_use', id: 'toolu_0', name, input }] as unknown as ContentBlock[];
      return { ...afterAgentCall(waiting, sent.userMessage, response), pendingConfirmation: null, pendingToolResults: [toolResult('toolu_0', { content: '{"ok":true}', followUp: false })] };
    };
    expect(request(waiting).text).not.toContain('No longer waiting');
    expect(request(ran('payments__create_refund', { amount: 24, customer_agreement: 'yes please go ahead' })).text).not.toContain('No longer waiting');
    // The wait ended some other way (another action ran): told.
    expect(request(ran('shop__get_order', { order_number: '1043' })).text).toContain("No longer waiting for the customer's agreement.");
  });
});

describe('a tool result for the model', () => {
  it('leaves out the acknowledgement only, keeps what follows it, and keeps errors and other results whole', () => {
    expect(toolResult('t', { content: 'Set email.', echo: 'Set email.', followUp: false })).toEqual({ type: 'tool_result', tool_use_id: 't' });
    expect(toolResult('t', { content: 'Set email. The runtime ran vi1.k1: verified = true.', echo: 'Set email.', followUp: 'if-silent' })).toEqual({
      type: 'tool_result',
      tool_use_id: 't',
      content: 'The runtime ran vi1.k1: verified = true.',
    });
    expect(toolResult('t', { content: 'Set email. Not set: age must be a number.', echo: 'Set email.', isError: true, followUp: true })).toEqual({
      type: 'tool_result',
      tool_use_id: 't',
      content: 'Set email. Not set: age must be a number.',
      is_error: true,
    });
    expect(toolResult('t', { content: '{"sent":true}', followUp: false })).toEqual({ type: 'tool_result', tool_use_id: 't', content: '{"sent":true}' });
    // An echo that is not where the content starts (a rule that changed its text) leaves the content whole.
    expect(toolResult('t', { content: 'Held back: the calls before it failed.', echo: 'Sent to the customer.', followUp: true })).toMatchObject({ content: 'Held back: the calls before it failed.' });
  });
});
