// Issue 14 item 2: the per-message state is sent as what changed since the model last saw it. The
// first message carries the whole state; each later one only new or changed lines, and a line for
// what went away; after the history is trimmed the whole state again. Built through the real
// agentRequest/afterAgentCall pair, so what is remembered is exactly what a sent call told.
import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { afterAgentCall, agentRequest } from '../../main/runtime/agent-call';
import type { AdvanceResult } from '../../main/runtime/advance';
import type { ConversationState } from '../../main/runtime/types';
import { context, conversation, PROCEDURES } from './rules/support';

const reply = (id: string): ContentBlock[] => [{ type: 'tool_use', id, name: 'reply', input: { message: 'ok' } } as unknown as ContentBlock];

/** One successful call: the text block the model was sent, and the state afterwards. */
function send(state: ConversationState, options: { customer?: string[]; advanced?: AdvanceResult | null } = {}) {
  const { request, userMessage } = agentRequest({
    state,
    procedures: [...PROCEDURES.values()],
    routable: context().routable,
    advanced: options.advanced ?? null,
    customerMessages: options.customer ?? null,
    describeAction: context().describeAction,
  });
  const text = userMessage.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
  const after = afterAgentCall(state, userMessage, reply(`toolu_${state.history.length}`));
  return { text, request, after: { ...after, pendingToolResults: [{ type: 'tool_result', tool_use_id: `toolu_${state.history.length}`, content: 'Sent to the customer.' }] } };
}

const withAttribute = (state: ConversationState, name: string, value: unknown): ConversationState => ({
  ...state,
  attributes: { ...state.attributes, [name]: { value, source: 'customer', turn: state.turn } },
});

describe('the state sent to the model', () => {
  it('is whole in the first message, then only what changed, each change told once', () => {
    const first = send(conversation(), { customer: ['Hi, I want a refund'] });
    expect(first.text).toContain('<state turn="1">');
    expect(first.text).toContain('Active: Refund request; current step "Find the order" (rr1).');
    expect(first.text).toContain('Not yet known: order_number, amount, reason.');

    // Nothing changed: no state at all, only the owed tool result.
    const second = send(first.after);
    expect(second.text).toBe('');
    expect(second.request.messages.at(-1)!.content).toHaveLength(1);

    // One attribute set: that line alone (that it left the missing list goes without saying).
    const third = send(withAttribute(second.after, 'order_number', '1043'));
    expect(third.text.split('\n')).toEqual(['<state-changes turn="1">', 'order_number = "1043" (from customer).', '</state-changes>']);
    // The missing list changing any other way is told: an attribute no longer set is missing again.
    const { order_number: _dropped, ...rest } = third.after.attributes;
    const fifth = send({ ...third.after, attributes: rest });
    expect(fifth.text.split('\n')).toEqual(['<state-changes turn="1">', 'Not yet known: order_number, amount, reason.', 'order_number: no longer set.', '</state-changes>']);

    // A new turn with nothing new: the turn is told, and nothing else.
    const fourth = send({ ...fifth.after, attributes: third.after.attributes, turn: 2 }, { customer: ['Still there?'] });
    expect(fourth.text).toContain('<state-changes turn="2">\norder_number = "1043" (from customer).\n</state-changes>');
    expect(send(fourth.after).text).toBe('');
  });

  it('tells the model when something it was told goes away', () => {
    const pending: ConversationState = { ...conversation(), pendingConfirmation: { action: 'payments.create_refund', input: { amount: 24 }, turn: 1 } };
    const first = send(pending);
    expect(first.text).toContain("Waiting for the customer's agreement before running @payments.create_refund with {\"amount\":24}.");
    const second = send({ ...first.after, pendingConfirmation: null });
    expect(second.text).toContain("No longer waiting for the customer's agreement.");
    expect(second.text).not.toContain('Waiting for the customer');
    // …and only once.
    expect(send(second.after).text).toBe('');
  });

  it('always lets the model know the current step, attributes, results, pending decision and obligations', () => {
    // A long run of calls: folding every message's lines (latest wins) gives exactly the whole state of the last call.
    let state = conversation();
    const seen: string[] = [];
    const advanced: AdvanceResult = {
      notes: [],
      awaitingDecision: { conditionId: 'step:understand-the-reason/cond1', branches: [{ id: 'step:understand-the-reason/cond1/b1', test: 'the item arrived broken' }] },
      waitingFor: null,
      obligations: [{ kind: 'handoff', target: 'Billing team', nodeId: 'step:refund/handoff:billing-team' }],
      failed: null,
    };
    const steps = [
      (s: ConversationState) => withAttribute(s, 'order_number', '1043'),
      (s: ConversationState) => ({ ...s, data: { 'shop.get_order': { total: 24 } } }),
      (s: ConversationState) => ({ ...s, stack: [{ ...s.stack[0]!, stepId: 'step:understand-the-reason' }] }),
      (s: ConversationState) => s,
      (s: ConversationState) => withAttribute(s, 'order_number', '1044'),
    ];
    for (const [index, step] of steps.entries()) {
      state = step(state);
      const sent = send(state, index >= 3 ? { advanced } : {});
      seen.push(sent.text);
      state = sent.after;
    }
    const all = seen.join('\n');
    expect(all).toContain('current step "Understand the reason" (rr2)');
    expect(all).toContain('Result of @shop.get_order: {"total":24}');
    expect(all).toContain('Decide rr2.c1 when you can: rr2.c1.b1 = the item arrived broken.');
    expect(all).toContain('Required by the Procedure: handoff to Billing team');
    // The corrected value is the last one told.
    expect(all.lastIndexOf('order_number = "1044"')).toBeGreaterThan(all.lastIndexOf('order_number = "1043"'));
    // Each line once: the decision and the obligation stayed the same on the last call and were not repeated.
    expect(all.split('Decide rr2.c1').length - 1).toBe(1);
    expect(all.split('Required by the Procedure').length - 1).toBe(1);
  });

  it('does not repeat a connector result the same message already carries as a tool result', () => {
    const first = send(conversation());
    const json = JSON.stringify({ total: 24 });
    const state: ConversationState = { ...first.after, data: { 'shop.get_order': { total: 24 } }, pendingToolResults: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: json }] };
    const second = send(state);
    expect(second.text).not.toContain('Result of @shop.get_order');
    expect(JSON.stringify(second.request.messages.at(-1))).toContain(JSON.stringify(json).slice(1, -1));
    // Counted as told: the next message does not bring it up either.
    expect(send(second.after).text).not.toContain('Result of @shop.get_order');
  });

  it('is whole again after the history is trimmed', () => {
    let state = send(conversation(), { customer: ['Hi'] }).after;
    // Turns of chat until the history passes its budget.
    let trimmedAt = -1;
    for (let turn = 2; turn < 200 && trimmedAt < 0; turn++) {
      const sent = send({ ...state, turn }, { customer: [`Message ${turn}: ${'words '.repeat(60)}`] });
      if (sent.text.includes(`<state turn="${turn}">`)) {
        trimmedAt = turn;
        expect(JSON.stringify(sent.request.messages[0])).toContain('<earlier_turns>');
        expect(sent.text).toContain('current step "Find the order" (rr1)');
      } else expect(sent.text).toContain(`<state-changes turn="${turn}"/>`);
      state = sent.after;
    }
    expect(trimmedAt).toBeGreaterThan(2);
    // The stored history keeps every message; only the request starts later.
    expect(state.history).toHaveLength(2 * trimmedAt);
    expect(state.promptMemory!.window!.from).toBeGreaterThan(0);
  });

  it('keeps what the model was told only when the call succeeded', () => {
    const state = conversation();
    agentRequest({ state, procedures: [...PROCEDURES.values()], routable: context().routable, advanced: null, customerMessages: null, describeAction: context().describeAction });
    // The call failed (afterAgentCall never ran): the retry tells the whole state again.
    expect(send(state).text).toContain('<state turn="1">');
  });
});
