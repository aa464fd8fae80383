// docs/runtime.md, when the model fails and prompt caching: the agent call is data built from the
// state. Owed tool results go first in the next user message and leave the state only once a call
// succeeds; the history is append-only; the customer's words ride on the turn's first call only.
import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { afterAgentCall, agentRequest } from '../../../main/runtime/agent-call';
import { conversation, context, PROCEDURES } from './support';

const owed = [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Set order_number.' }];
const response: ContentBlock[] = [{ type: 'tool_use', id: 'toolu_2', name: 'reply', input: { message: 'Hi' }, caller: { type: 'direct' } } as unknown as ContentBlock];

const request = (state: ReturnType<typeof conversation>, customerMessages: string[] | null) =>
  agentRequest({ state, procedures: [...PROCEDURES.values()], routable: context().routable, advanced: null, customerMessages, describeAction: context().describeAction });

describe('the agent call', () => {
  it('delivers owed tool results first, and only a successful call takes them out of the state', () => {
    const state = { ...conversation(), history: [{ role: 'user' as const, content: 'earlier' }, { role: 'assistant' as const, content: [] }], pendingToolResults: owed };
    const { request: built, userMessage } = request(state, null);
    expect(userMessage.content[0]).toEqual(owed[0]);
    expect(built.messages.slice(0, 2)).toEqual(state.history);
    // The call failed: nothing changed, the results are still owed for the retry or the next turn.
    expect(state.pendingToolResults).toEqual(owed);
    const after = afterAgentCall(state, userMessage, response);
    expect(after.pendingToolResults).toEqual([]);
    expect(after.history).toEqual([...state.history, userMessage, { role: 'assistant', content: response }]);
  });

  it('carries the customer’s messages, each in its own block, on the first call of the turn only', () => {
    const first = request(conversation(), ['Hello?', 'Anyone there?']).userMessage.content.at(-1) as { text: string };
    expect(first.text).toMatch(/^<customer_message>\nHello\?\n<\/customer_message>\n<customer_message>\nAnyone there\?\n<\/customer_message>\n<state turn="1">/);
    const later = request(conversation(), null).userMessage.content.at(-1) as { text: string };
    expect(later.text).toMatch(/^<state turn="1">/);
  });

  it('marks only the newest message for the cache, and keeps the prefix the same from call to call', () => {
    const a = request(conversation(), null).request;
    const b = request({ ...conversation(), attributes: { order_number: { value: '1', source: 'customer', turn: 1 } } }, null).request;
    expect(JSON.stringify([a.tools, a.system])).toBe(JSON.stringify([b.tools, b.system]));
    const last = a.messages.at(-1)!.content as { cache_control?: unknown }[];
    expect(last.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
  });
});
