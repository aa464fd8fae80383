// Issue 14 item 2, long conversations: past a byte budget the oldest turns are dropped, their
// gist kept in a summary at the head of the history and the whole state told again, so a request
// stays under a fixed size however long the conversation runs, the facts of turn 1 are still in
// it at turn 60, and a tool call is never separated from its result.
import { describe, expect, it } from 'vitest';
import { HISTORY_BUDGET, historyWindow, summarize, WHOLE_HISTORY } from '../../main/runtime/history-trim';
import { toolCall, toolCalls, type FakeResponse, type RecordedRequest } from '../support/fake-anthropic';
import { createHarness, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();

/** Measured at 60 turns (largest request 30.9 KB, with a 20 KB history budget): over this, the history is no longer bounded. */
const MAX_REQUEST_BYTES = 32_000;

type Message = { role: 'user' | 'assistant'; content: unknown };
type Block = { type: string; id?: string; tool_use_id?: string };

/** Every tool_use is answered in the very next message, and every tool_result answers one in the message before. */
function expectPairedToolCalls(messages: readonly Message[]) {
  const blocks = (message: Message | undefined): Block[] => (Array.isArray(message?.content) ? (message.content as Block[]) : []);
  messages.forEach((message, index) => {
    const results = blocks(message).filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id);
    const calls = blocks(messages[index - 1]).filter((block) => block.type === 'tool_use').map((block) => block.id);
    if (message.role === 'user') expect(results).toEqual(calls);
  });
  expect(messages[0]!.role).toBe('user');
}

describe('trimming the history', () => {
  const exchange = (turn: number): Message[] => [
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t${turn - 1}`, content: 'Sent to the customer.' }, { type: 'text', text: `<customer_message>\nMessage ${turn} ${'x'.repeat(400)}\n</customer_message>` }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: `t${turn}`, name: 'reply', input: { message: `Answer ${turn}` } }] },
  ];
  const history = (turns: number): Message[] => {
    const all = Array.from({ length: turns }, (_, index) => exchange(index + 1)).flat();
    // The first message answers nothing.
    all[0] = { role: 'user', content: [{ type: 'text', text: '<customer_message>\nMessage 1\n</customer_message>' }] };
    return all;
  };

  it('keeps a history within budget as it is', () => {
    const small = history(5);
    expect(historyWindow(small)).toEqual({ window: WHOLE_HISTORY, messages: small, trimmed: false });
  });

  it('cuts before a user message, takes its results with the calls they answer, and keeps the newest turns whole', () => {
    const long = history(80);
    const { messages: trimmed, trimmed: done, window } = historyWindow(long);
    expect(done).toBe(true);
    // The stored history is never changed: the window says where the request starts in it.
    expect(trimmed.slice(1)).toEqual(long.slice(window.from + 1));
    expect(Buffer.byteLength(JSON.stringify(trimmed))).toBeLessThanOrEqual(HISTORY_BUDGET.keepBytes + HISTORY_BUDGET.summaryBytes + 1_000);
    expectPairedToolCalls(trimmed);
    // The newest messages are exactly the old ones.
    expect(trimmed.slice(1)).toEqual(long.slice(long.length - trimmed.length + 1));
    const head = JSON.stringify(trimmed[0]);
    expect(head).toContain('<earlier_turns>');
    expect(head).toContain('you: Answer 1');
  });

  it('trims to well under the budget, so the cached prefix is broken once in many turns, not every call', () => {
    let stored = history(40);
    let window = WHOLE_HISTORY;
    let trims = 0;
    for (let turn = 41; turn <= 200; turn++) {
      stored = [...stored, ...exchange(turn)];
      const result = historyWindow(stored, window);
      if (result.trimmed) trims += 1;
      else expect(result.window).toBe(window);
      window = result.window;
      expectPairedToolCalls(result.messages);
      expect(Buffer.byteLength(JSON.stringify(result.messages))).toBeLessThanOrEqual(HISTORY_BUDGET.maxBytes);
    }
    // The opening survives every trim, in the summary.
    expect(window.summary).toContain('customer: Message 1');
    expect(trims).toBeGreaterThan(0);
    expect(trims).toBeLessThan(160 / 10);
  });

  it('keeps the summary under its cap, newest lines kept, across repeated trims', () => {
    const lines = Array.from({ length: 200 }, (_, index): Message => ({ role: 'assistant', content: [{ type: 'tool_use', id: `t${index}`, name: 'decide_condition', input: { condition_id: `c${index}` } }] }));
    const summary = summarize(lines, 1_000);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1_000);
    expect(summary).toContain('(lines omitted here)');
    // The opening lines and the newest stay; the middle goes.
    expect(summary).toContain('"c0"');
    expect(summary).toContain('"c199"');
    expect(summary).not.toContain('"c100"');
    // A summary summarised again keeps its lines (and one omission note).
    const again = summarize([{ role: 'user', content: [{ type: 'text', text: summary }] }, ...lines.slice(0, 1)], 2_000);
    expect(again).toContain('"c199"');
    expect(again).toContain('"c0"');
    expect(again.split('(lines omitted here)').length - 1).toBe(1);
  });
});

describe('a 60-turn conversation', () => {
  it('stays under a fixed request size, with the facts of turn 1 still in the request at turn 60', async () => {
    const chat = 'I would also like to mention, while we are at it, that the box was left in the rain and the manual is missing too. ';
    const script = (request: RecordedRequest, index: number): FakeResponse => {
      if (index === 0) return toolCall('route', { procedure: 'Damaged order claim', reason: 'broken' });
      if (index === 1) return toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]);
      // Something new each turn (or the runtime would find the conversation stuck and escalate).
      return toolCalls(['set_attributes', { values: { damage_description: `Noted in call ${index}` } }], ['reply', { message: `Thank you, noted (${index}). Anything else about the order?` }]);
    };
    const harness = await createHarness({ sandbox, script });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'My kettle arrived broken, order 1043.');
    for (let turn = 2; turn <= 60; turn++) await harness.engine.send(id, `${chat.repeat(2)}(${turn})`);

    const agent = harness.fake.requests.filter((request) => (request.body.tool_choice as { type: string }).type === 'any');
    const sizes = agent.map((request) => Buffer.byteLength(JSON.stringify(request.body)));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    // It was trimmed (more than once), or the cap would say nothing.
    const trims = agent.filter((request) => JSON.stringify(request.body.messages[0]).includes('<earlier_turns>'));
    expect(trims.length).toBeGreaterThan(0);

    const last = JSON.stringify(agent.at(-1)!.body.messages);
    expect(last).toContain('<customer_message>\\n' + `${chat.repeat(2)}(60)`.trim());
    // Turn 1's facts: the attribute and the order looked up, told again after the trim.
    expect(last).toContain('order_number = \\"1043\\" (from customer).');
    expect(last).toContain('Result of @shop.get_order: {\\"order_number\\":\\"1043\\",\\"delivered_on\\":\\"2026-11-10\\"');
    // …and what was said then, in the summary.
    expect(last).toContain('customer: My kettle arrived broken, order 1043.');
    for (const request of agent) expectPairedToolCalls(request.body.messages as Message[]);
    const state = (await harness.engine.state(id))!;
    // The stored history is whole: far more than any request carried.
    expect(Buffer.byteLength(JSON.stringify(state.history))).toBeGreaterThan(1.5 * Math.max(...sizes));
    expect(state.transcript.filter((line) => line.role === 'customer')).toHaveLength(60);
    await harness.close();
  }, 120_000);
});
