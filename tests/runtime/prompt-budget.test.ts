// Issue 14 item 2: byte budgets for what every agent call sends, on the example Procedures (a
// damaged-order claim with its identity check). The numbers are measured, with a little room: a
// change that makes the prompt bigger fails here and has to say why. Before this work the same
// first request was 12.0 KB, with 4.6 KB of tools and 7.2 KB of system prompt.
import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { afterAgentCall, agentRequest, toolResult } from '../../main/runtime/agent-call';
import { compileProcedure, type CompiledProcedure } from '../../main/runtime/compiled-procedure';
import { initialState } from '../../main/runtime/engine';
import type { ConversationState } from '../../main/runtime/types';
import { examples, shopConnectors } from './harness';
import { call } from './rules/support';

// Measured: tools 3,181 B, system 6,199 B (84 B of it say what a result without text means), first
// request 9,794 B, a quiet follow-up message 74 B (108 B while a reply's result said "Sent to the customer.").
const BUDGET = { tools: 3_300, system: 6_300, first: 10_000, quietMessage: 90 };

const procedures: CompiledProcedure[] = examples()
  .map((text) => compileProcedure(text, 'draft'))
  .filter((procedure) => procedure.name === 'Damaged order claim' || procedure.name === 'Verify identity');
const routable = examples()
  .map((text) => compileProcedure(text, 'draft'))
  .filter((procedure) => !procedure.subProcedure)
  .map((procedure) => ({ name: procedure.name, trigger: procedure.trigger ?? '' }));
const connectors = shopConnectors();
const damaged = procedures.find((procedure) => procedure.name === 'Damaged order claim')!;

const start = (): ConversationState => ({
  ...initialState(1, new Date('2026-11-25T10:00:00Z')),
  status: 'active',
  turn: 1,
  stack: [{ procedure: damaged.name, version: 'draft', stepId: damaged.steps[0]!.id, decided: {}, ran: [], kind: 'main' }],
});

const build = (state: ConversationState, customer: string[] | null) =>
  agentRequest({ state, procedures, routable, advanced: null, customerMessages: customer, describeAction: (action) => connectors.describe(action) });

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('prompt byte budgets', () => {
  it('keeps the tools, the system prompt and the first request within budget', () => {
    const { request } = build(start(), ['Hi, my kettle arrived broken. Order 1043.']);
    expect(bytes(request.tools)).toBeLessThanOrEqual(BUDGET.tools);
    expect(bytes(request.system)).toBeLessThanOrEqual(BUDGET.system);
    expect(bytes({ system: request.system, tools: request.tools, messages: request.messages })).toBeLessThanOrEqual(BUDGET.first);
    // Nothing the model needs went with the bytes: every step id, every action, every team.
    const sent = JSON.stringify(request);
    for (const id of ['doc1', 'doc2.k1', 'doc2.c1.b1', 'doc3.c1.b1', 'doc4.k1', 'vi2.c1.b3']) expect(sent).toContain(`#${id}`);
    for (const tool of ['shop__get_order', 'payments__create_refund', 'shop__create_replacement', 'accounts__send_code', 'accounts__check_code']) {
      expect(request.tools.map((entry) => entry.name)).toContain(tool);
    }
    expect(JSON.stringify(request.tools.find((tool) => tool.name === 'payments__create_refund'))).toContain('customer_agreement');
    expect(sent).toContain('preferred_resolution (refund|replacement)');
  });

  it('sends a follow-up with nothing new in a few bytes, and the prefix unchanged', () => {
    const first = build(start(), ['Hi']);
    const response = [{ type: 'tool_use', id: 'toolu_1', name: 'reply', input: { message: 'Hello!' } }] as unknown as ContentBlock[];
    // The reply's own outcome, as the turn answers it: a result without text.
    const replied = call('reply', { message: 'Hello!' }, start());
    const after = { ...afterAgentCall(start(), first.userMessage, response), pendingToolResults: [toolResult('toolu_1', replied.outcome!)] };
    const second = build(after, null);
    expect(bytes(second.userMessage)).toBeLessThanOrEqual(BUDGET.quietMessage);
    // The second request is the first one, plus the exchange: byte for byte.
    const strip = (value: unknown) => JSON.parse(JSON.stringify(value), (key, inner) => (key === 'cache_control' ? undefined : inner)) as unknown;
    const a = JSON.stringify(strip([first.request.tools, first.request.system, first.request.messages])).slice(0, -2);
    const b = JSON.stringify(strip([second.request.tools, second.request.system, second.request.messages]));
    expect(b.startsWith(a)).toBe(true);
  });
});
