// docs/runtime.md, one turn (routing): only a `route` call with a readable answer naming a live
// Procedure, or null, counts; anything else is a failure with its reason, and the retry tells the
// model what was wrong.
import type { ContentBlock } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import { readRoute, routeRequest, routingFailedEvent, ROUTING_RETRIES } from '../../../main/runtime/routing';
import { context, deepFreeze } from './support';

const routable = context().routable;
const routeCall = (input: unknown, name = 'route'): ContentBlock[] =>
  deepFreeze([{ type: 'tool_use', id: 'toolu_r1', name, input, caller: { type: 'direct' } } as unknown as ContentBlock]);
const text = (value: string): ContentBlock[] => deepFreeze([{ type: 'text', text: value, citations: null } as ContentBlock]);

describe('reading the routing answer', () => {
  it('takes a live Procedure’s name, or a valid null as “none”', () => {
    expect(readRoute(routable, routeCall({ procedure: 'Refund request', reason: 'money back' }))).toEqual({ kind: 'routed', procedure: 'Refund request', reason: 'money back' });
    expect(readRoute(routable, routeCall({ procedure: null, reason: 'a question' }))).toEqual({ kind: 'none', reason: 'a question' });
  });

  it('fails, with the reason, when there is no route call', () => {
    expect(readRoute(routable, text('It is about a refund.'))).toEqual({ kind: 'failed', problem: 'the model did not call route', call: null });
    expect(readRoute(routable, routeCall({ procedure: 'Refund request', reason: 'x' }, 'reply'))).toMatchObject({ kind: 'failed', problem: 'the model did not call route' });
  });

  it('fails on an answer it cannot read', () => {
    for (const input of [{ procedure: 'Refund request' }, { procedure: 7, reason: 'x' }, { procedure: 'Refund request', reason: 'x', extra: 1 }, 'Refund request', null]) {
      const answer = readRoute(routable, routeCall(input));
      expect(answer.kind, JSON.stringify(input)).toBe('failed');
      expect(answer.kind === 'failed' && answer.problem).toMatch(/^the route answer could not be read \(.+\)$/);
    }
  });

  it('fails on a name that is not a live Procedure: a sub-procedure, a near miss, an empty name', () => {
    for (const procedure of ['Verify identity', 'refund request', 'Refund', '']) {
      expect(readRoute(routable, routeCall({ procedure, reason: 'x' }))).toMatchObject({ kind: 'failed', problem: `"${procedure}" is not a live Procedure` });
    }
  });
});

describe('the routing request', () => {
  it('forces the route tool, its enum the live Procedures and null', () => {
    const request = routeRequest(routable, 'I want my money back');
    expect(request.toolChoice).toEqual({ type: 'tool', name: 'route' });
    expect(request.messages).toEqual([{ role: 'user', content: 'I want my money back' }]);
    expect((request.tools[0]!.input_schema.properties as { procedure: { enum: unknown[] } }).procedure.enum).toEqual([...routable.map((p) => p.name), null]);
  });

  it('retries with the failed answer and what was wrong, so the model can correct itself', () => {
    const content = routeCall({ procedure: 'Refund', reason: 'x' });
    const answer = readRoute(routable, content);
    if (answer.kind !== 'failed') throw new Error('expected a failure');
    const retry = routeRequest(routable, 'I want my money back', { content, answer });
    expect(retry.messages).toHaveLength(3);
    expect(retry.messages[1]).toEqual({ role: 'assistant', content: [content[0]] });
    const result = (retry.messages[2]!.content as { type: string; tool_use_id: string; is_error: boolean; content: string }[])[0]!;
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_r1', is_error: true });
    expect(result.content).toContain('"Refund" is not a live Procedure');
    expect(result.content).toContain('"Refund request"');
  });

  it('asks again plainly when the failed response had no route call to answer', () => {
    const content = text('Refund.');
    const answer = readRoute(routable, content);
    if (answer.kind !== 'failed') throw new Error('expected a failure');
    expect(routeRequest(routable, 'hi', { content, answer }).messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('records a routing failure with every reason, after one retry', () => {
    expect(ROUTING_RETRIES).toBe(1);
    expect(routingFailedEvent(['the model did not call route', '"Refund" is not a live Procedure'])).toEqual({
      type: 'routing_failed',
      payload: { reason: '"Refund" is not a live Procedure', problems: ['the model did not call route', '"Refund" is not a live Procedure'], attempts: 2 },
    });
  });
});
