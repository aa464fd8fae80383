// The model client through the real SDK against the fake Messages API.
import { afterEach, describe, expect, it } from 'vitest';
import { ModelClient, ModelRequestError, ModelUnavailableError } from '../../main/model/client';
import { ModelSettingsSchema, settingsFromEnvironment } from '../../main/model/settings';
import { reply, startFakeAnthropic, toolCall, type FakeAnthropic } from '../support/fake-anthropic';

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function client(url: string, overrides: Record<string, unknown> = {}) {
  return new ModelClient(ModelSettingsSchema.parse({ apiKey: 'sk-test-secret', baseURL: url, maxRetries: 2, ...overrides }));
}

const request = { role: 'agent' as const, system: [{ type: 'text' as const, text: 'You are helpful.' }], messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('ModelClient', () => {
  it('makes a non-streaming call with the role model, and reports usage and cost', async () => {
    fake = await startFakeAnthropic([reply('Hi there!', { usage: { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 4000, cache_creation_input_tokens: 500 } })]);
    const result = await client(fake.url).call(request);
    expect(result.message.content).toEqual([{ type: 'text', text: 'Hi there!' }]);
    expect(result.model).toBe('claude-sonnet-5-5');
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 200, cacheReadTokens: 4000, cacheWriteTokens: 500 });
    // 1000×3 + 200×15 + 4000×0.3 + 500×3.75 per million.
    expect(result.costUsd).toBeCloseTo((3000 + 3000 + 1200 + 1875) / 1e6, 10);
    const [sent] = fake.requests;
    expect(sent!.body.model).toBe('claude-sonnet-5-5');
    expect(sent!.body.stream).toBeUndefined();
    expect(sent!.headers['anthropic-version']).toBeTruthy();
    expect(String(sent!.headers.authorization ?? sent!.headers['x-api-key'])).toContain('sk-test-secret');
  });

  it('streams text deltas and assembles tool calls', async () => {
    fake = await startFakeAnthropic([{ content: [{ type: 'text', text: 'Let me look that order up for you.' }, { type: 'tool_use', name: 'lookup', input: { order: '1043', items: [1, 2] } }] }]);
    const deltas: string[] = [];
    const result = await client(fake.url).call(request, { stream: true, onText: (delta) => deltas.push(delta) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Let me look that order up for you.');
    expect(result.message.content[1]).toMatchObject({ type: 'tool_use', name: 'lookup', input: { order: '1043', items: [1, 2] } });
    expect(result.message.stop_reason).toBe('tool_use');
    expect(fake.requests[0]!.body.stream).toBe(true);
  });

  it('retries a 429 and succeeds', async () => {
    fake = await startFakeAnthropic([{ status: 429 }, reply('Back again.')]);
    const result = await client(fake.url).call(request, { stream: true });
    expect(result.message.content).toEqual([{ type: 'text', text: 'Back again.' }]);
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up on a 500 that never clears, after the configured retries', async () => {
    fake = await startFakeAnthropic(() => ({ status: 500 }));
    const error = await client(fake.url).call(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as ModelUnavailableError).status).toBe(500);
    expect(fake.requests).toHaveLength(3);
  });

  it('reports an unreachable server as unavailable', async () => {
    fake = await startFakeAnthropic([]);
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const error = await client(url, { maxRetries: 0 }).call(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/could not be reached/);
  });

  it('does not retry a refused key, and says what to fix', async () => {
    fake = await startFakeAnthropic([{ status: 401, error: { type: 'authentication_error', message: 'invalid x-api-key' } }]);
    const error = await client(fake.url).call(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toContain('Check the API key in Settings');
    expect((error as Error).message).not.toContain('sk-test-secret');
    expect(fake.requests).toHaveLength(1);
  });

  it('passes tools and tool choice through', async () => {
    fake = await startFakeAnthropic([toolCall('pick', { branch: 1 })]);
    const tools = [{ name: 'pick', description: 'Pick', input_schema: { type: 'object' as const, properties: { branch: { type: 'number' } } } }];
    await client(fake.url).call({ ...request, tools, toolChoice: { type: 'tool', name: 'pick' } });
    expect(fake.requests[0]!.body.tools).toEqual(tools);
    expect(fake.requests[0]!.body.tool_choice).toEqual({ type: 'tool', name: 'pick' });
  });
});

describe('model settings', () => {
  it('take the key and endpoint from the environment', () => {
    const settings = settingsFromEnvironment({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999' });
    expect(settings.apiKey).toBe('k');
    expect(settings.baseURL).toBe('http://127.0.0.1:9999');
    expect(settings.models.judge).toBe('claude-opus-5-5');
  });

  it('reject a bad endpoint and a bad limit, naming the field', () => {
    const bad = ModelSettingsSchema.safeParse({ baseURL: 'ftp://nope', maxTokens: -1 });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['baseURL', 'maxTokens']));
  });
});
