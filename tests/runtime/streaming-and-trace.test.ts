// Streaming replies, and what the trace must never hold.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toolCall, toolCalls } from '../support/fake-anthropic';
import { createHarness, useHarnessFixtures } from './harness';

const sandbox = useHarnessFixtures();

describe('streaming', () => {
  it('streams the reply as the model writes it, over SSE, and ends with the same text', async () => {
    const message = 'Thanks for waiting! I found order 1043: a kettle and a mug, delivered on 10 November.';
    const harness = await createHarness({
      sandbox,
      engine: { stream: true },
      script: [
        toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' }),
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
        toolCalls(['reply', { message }]),
      ],
    });
    const partials: string[] = [];
    harness.engine.subscribeReplies((_id, text) => partials.push(text));
    const id = await harness.engine.start({ kind: 'preview' });
    const turn = await harness.engine.send(id, 'Order 1043 is broken');
    expect(turn.replies).toEqual([message]);
    expect(harness.fake.requests.every((request) => request.body.stream === true)).toBe(true);
    expect(partials.length).toBeGreaterThan(3);
    expect(partials.at(-1)).toBe(message);
    // Each partial extends the one before it.
    for (let i = 1; i < partials.length; i++) expect(partials[i]!.startsWith(partials[i - 1]!)).toBe(true);
    await harness.close();
  });
});

describe('the trace', () => {
  it('never holds the API key', async () => {
    const harness = await createHarness({
      sandbox,
      script: [toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' }), toolCalls(['reply', { message: 'Hello!' }])],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    await harness.engine.send(id, 'Broken kettle');
    expect(String(harness.fake.requests[0]!.headers.authorization ?? harness.fake.requests[0]!.headers['x-api-key'])).toContain('sk-test-key');
    // Nowhere in the workspace file or its write-ahead log.
    expect(harness.trace(id).length).toBeGreaterThan(5);
    const files = [harness.workspace.path, `${harness.workspace.path}-wal`].filter((file) => existsSync(file));
    for (const file of files) expect(readFileSync(file).includes('sk-test-key')).toBe(false);
    expect(JSON.stringify((await harness.engine.state(id)))).not.toContain('sk-test-key');
    await harness.close();
  });
});

describe('the trace as returned data', () => {
  it('is the turn result’s trace, the events listeners received, and the stored trace, in the same order', async () => {
    const harness = await createHarness({
      sandbox,
      script: [
        toolCall('route', { procedure: 'Damaged order claim', reason: 'damage' }),
        toolCalls(['set_attributes', { values: { order_number: '1043' } }], ['shop__get_order', { order_number: '1043' }]),
        toolCalls(['go_to_step', { step_id: 'step:check-the-claim-window' }], ['reply', { message: 'Found it.' }]),
      ],
    });
    const id = await harness.engine.start({ kind: 'preview' });
    const before = harness.events.length;
    const turn = await harness.engine.send(id, 'Order 1043 is broken');
    const types = turn.trace.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['customer_message', 'route', 'procedure_start', 'attribute_set', 'tool_call', 'code_run', 'condition', 'agent_message']));
    expect(harness.events.slice(before).map((entry) => entry.event)).toEqual(turn.trace);
    expect(harness.trace(id).slice(-turn.trace.length).map((event) => event.type)).toEqual(types);
    await harness.close();
  });
});
