// docs/runtime.md, one turn: caps on model calls and tool calls per turn stop a confused model
// (escalation `runaway`), and when the agent loop may stop.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, modelCallCap, nextAfterResponse, toolCallGate } from '../../../main/runtime/turn-rules';

const limits = { maxModelCallsPerTurn: 3, maxToolCallsPerTurn: 2 };

describe('caps', () => {
  it('allows model calls up to the cap, then gives the runaway reason', () => {
    expect(modelCallCap(2, limits)).toBeNull();
    expect(modelCallCap(3, limits)).toBe('The agent needed more than 3 model calls for one customer message.');
    expect(DEFAULT_LIMITS).toEqual({ maxModelCallsPerTurn: 6, maxToolCallsPerTurn: 12 });
  });

  it('refuses tool calls past the cap and escalates; after a final outcome nothing runs, without escalating again', () => {
    expect(toolCallGate(1, false, limits)).toEqual({ run: true });
    expect(toolCallGate(2, false, limits)).toMatchObject({ run: false, outcome: { isError: true, content: 'Not run: more than 2 tool calls in one turn.' }, runaway: expect.stringContaining('more than 2 tool calls') });
    expect(toolCallGate(0, true, limits)).toMatchObject({ run: false, runaway: null, outcome: { content: 'Not run: the conversation was already handed over or ended.' } });
  });
});

describe('when the agent loop stops', () => {
  const base = { toolCalls: 1, replied: false, followUp: false, over: false, obligationsPending: false, extraCallUsed: false };

  it('stops once the agent replied and owes nothing, or the conversation is over', () => {
    expect(nextAfterResponse({ ...base, replied: true })).toBe('stop');
    expect(nextAfterResponse({ ...base, over: true, followUp: true })).toBe('stop');
  });

  it('calls again when the model has not replied, or must see an error', () => {
    expect(nextAfterResponse(base)).toBe('call-again');
    expect(nextAfterResponse({ ...base, replied: true, followUp: true })).toBe('call-again');
  });

  it('gives one extra call to make a required handoff, and only one', () => {
    expect(nextAfterResponse({ ...base, replied: true, obligationsPending: true })).toBe('extra-call');
    expect(nextAfterResponse({ ...base, replied: true, obligationsPending: true, extraCallUsed: true })).toBe('stop');
  });

  it('takes a text-only answer as the reply', () => {
    expect(nextAfterResponse({ ...base, toolCalls: 0 })).toBe('text-as-reply');
  });
});
