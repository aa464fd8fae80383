// Issue 14 item 2: over the runtime bench's damaged-order conversation (the peer bench runs it
// too), every request begins with the whole of the previous one, as the API caches it (tools,
// system, messages), so prompt caching can reuse all of it; the stable part is marked for caching
// and so is the newest message; and what each call appends stays within a measured budget.
import { describe, expect, it } from 'vitest';
import { CONVERSATION } from '../../bench/support/damaged-order';
import type { RecordedRequest } from '../support/fake-anthropic';
import { createHarness, shopConnectors, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();

// Measured: 6,537 B appended over the 7 calls after the first (the model's own turns 2,745 B,
// the tool_result blocks without text 1,182 B, the customer's words 343 B), against 8,122 B
// before the acknowledgements and the state the model's calls already told were left out.
const APPENDED_BUDGET = 6_900;

/** The request in the order the API caches it, without the cache markers. */
function canonical(body: RecordedRequest['body']): string {
  const strip = (value: unknown): unknown => (value === undefined ? null : JSON.parse(JSON.stringify(value), (key, inner: unknown) => (key === 'cache_control' ? undefined : inner)));
  return JSON.stringify([strip(body.tools), strip(body.system), strip(body.messages)]);
}

/** Where the request asks for caching: `system[i]`, `tools[i]` or `messages[i].content[j]`. */
function cacheMarkers(body: RecordedRequest['body']): string[] {
  const marked: string[] = [];
  const blocks = (value: unknown): { cache_control?: unknown }[] => (Array.isArray(value) ? (value as { cache_control?: unknown }[]) : []);
  blocks(body.tools).forEach((tool, index) => tool.cache_control && marked.push(`tools[${index}]`));
  blocks(body.system).forEach((block, index) => block.cache_control && marked.push(`system[${index}]`));
  body.messages.forEach((message, index) => blocks(message.content).forEach((block, inner) => block.cache_control && marked.push(`messages[${index}].content[${inner}]`)));
  return marked;
}

describe('the prompt over the damaged-order conversation', () => {
  it('begins each request with the whole previous one, marks the stable prefix and the newest message, and appends within budget', { timeout: 60_000 }, async () => {
    const harness = await createHarness({
      sandbox,
      script: CONVERSATION.flatMap((turn) => turn.model),
      // As both benches run it: shop.get_order declared read-only (the runtime looks the order up), no routing call.
      connectors: shopConnectors({}, { declared: true }),
      engine: { routeByTriggerMatch: true },
    });
    try {
      const id = await harness.engine.start({ kind: 'simulation' });
      for (const turn of CONVERSATION) await harness.engine.send(id, turn.customer);
      const requests = harness.fake.requests.map((request) => request.body);
      expect(requests).toHaveLength(CONVERSATION.flatMap((turn) => turn.model).length);

      const appended: number[] = [];
      for (let index = 1; index < requests.length; index++) {
        // The previous request without its closing brackets: the next one goes on from there.
        const previous = canonical(requests[index - 1]!).slice(0, -2);
        const current = canonical(requests[index]!);
        expect(current.startsWith(previous), `request ${index + 1} does not begin with request ${index}`).toBe(true);
        appended.push(Buffer.byteLength(current) - Buffer.byteLength(previous));
        // The stable part is the same bytes on every call.
        expect(JSON.stringify(requests[index]!.tools)).toBe(JSON.stringify(requests[0]!.tools));
        expect(JSON.stringify(requests[index]!.system)).toBe(JSON.stringify(requests[0]!.system));
      }
      expect(appended.reduce((sum, bytes) => sum + bytes, 0)).toBeLessThanOrEqual(APPENDED_BUDGET);

      for (const body of requests) {
        // The end of the system prompt (tools and system before it) and the end of the newest message: two of the API's four breakpoints.
        const system = body.system as unknown[];
        const last = body.messages.length - 1;
        const lastBlock = (body.messages[last]!.content as unknown[]).length - 1;
        expect(cacheMarkers(body)).toEqual([`system[${system.length - 1}]`, `messages[${last}].content[${lastBlock}]`]);
      }
    } finally {
      await harness.close();
    }
  });
});
