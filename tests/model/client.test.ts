// The model client through the real SDK against the fake Messages API.
import { describe, expect, it, vi } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import { ModelClient, ModelRequestError, ModelUnavailableError, type ModelRetry } from '../../main/model/client';
import { classifyModelFault, responseRetryDelay, type ModelFault, type ModelFaultKind } from '../../main/model/faults';
import { ModelSettingsSchema, settingsFromEnvironment } from '../../main/model/settings';
import { fault, reply, toolCall, type FakeAnthropic, type FakeResponse } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';

const startFakeAnthropic = useFakeAnthropic();
let fake: FakeAnthropic | undefined;

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

describe('a response that breaks after its headers', () => {
  const fast = { responseRetries: 2, responseRetryDelayMs: 5, idleTimeoutMs: 300 };
  const broken: [string, FakeResponse, boolean, ModelFaultKind][] = [
    ['cut after 120 bytes (stream)', fault('drop'), true, 'dropped'],
    ['cut after 120 bytes (JSON)', fault('drop'), false, 'dropped'],
    ['silent past the idle timeout (stream)', fault('stall', { afterBytes: 300 }), true, 'stalled'],
    ['silent past the idle timeout (JSON)', fault('stall', { afterBytes: 60 }), false, 'stalled'],
    ['a malformed event', fault('malformed', { afterEvents: 2 }), true, 'malformed'],
    ['a JSON body that does not parse', fault('malformed'), false, 'malformed'],
    ['an SSE api_error event', fault('error_event', { error: { type: 'api_error', message: 'Internal' } }), true, 'server_error'],
    ['an SSE overloaded_error event', fault('error_event'), true, 'overloaded'],
    ['a stream that ends before message_stop', fault('truncate', { afterEvents: 3 }), true, 'dropped'],
  ];

  for (const [name, response, stream, kind] of broken) {
    it(`${name}: retried with backoff, and the call succeeds when the next response is whole`, async () => {
      fake = await startFakeAnthropic([response, reply('Back again.')]);
      const retries: ModelRetry[] = [];
      const result = await client(fake.url, fast).call(request, { stream, onRetry: (retry) => retries.push(retry) });
      expect(result.message.content).toEqual([{ type: 'text', text: 'Back again.' }]);
      expect(fake.requests).toHaveLength(2);
      expect(retries).toEqual([{ fault: expect.objectContaining({ kind, phase: 'response' }), attempt: 1, delayMs: 5 }]);
    });

    it(`${name}: reported as the model being unavailable once the retries run out`, async () => {
      fake = await startFakeAnthropic(() => response);
      const retries: number[] = [];
      const error = await client(fake.url, fast)
        .call(request, { stream, onRetry: (retry) => retries.push(retry.delayMs) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelUnavailableError);
      expect((error as ModelUnavailableError).fault).toMatchObject({ kind, phase: 'response' });
      expect((error as Error).message).toContain(`The model's response broke off (${kind}) (3 attempts)`);
      expect(retries).toEqual([5, 10]);
      expect(fake.requests).toHaveLength(3);
    });
  }

  it("keeps a malformed event's raw data (the model's words) off stderr", async () => {
    fake = await startFakeAnthropic([fault('malformed', { afterEvents: 2 }), reply('Fine.')]);
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await client(fake.url, fast).call(request, { stream: true });
      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });

  it('is not retried again when the SDK has already retried before any response (529)', async () => {
    fake = await startFakeAnthropic(() => ({ status: 529, error: { type: 'overloaded_error', message: 'Overloaded' } }));
    const error = await client(fake.url, fast).call(request, { stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as ModelUnavailableError).fault).toMatchObject({ kind: 'overloaded', phase: 'request', status: 529 });
    expect(fake.requests).toHaveLength(3); // the SDK's try and two retries, nothing more
  });

  it('is not retried when an error event refuses the request itself', async () => {
    fake = await startFakeAnthropic(() => fault('error_event', { error: { type: 'invalid_request_error', message: 'prompt is too long' } }));
    const error = await client(fake.url, fast).call(request, { stream: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as ModelRequestError).fault.kind).toBe('refused');
    expect(fake.requests).toHaveLength(1);
  });

  it("stays the caller's abort, not a stall, when the caller cancels a silent response", async () => {
    fake = await startFakeAnthropic(() => fault('stall', { afterBytes: 300 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const retries: unknown[] = [];
    const error = await client(fake.url, { ...fast, idleTimeoutMs: 5_000 })
      .call(request, { stream: true, signal: controller.signal, onRetry: (retry) => retries.push(retry) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(retries).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('model faults', () => {
  const faultOf = (kind: ModelFaultKind, phase: 'request' | 'response'): ModelFault => ({ kind, phase, status: undefined, detail: '' });
  const policy = { retries: 2, delayMs: 100 };

  it('retry a broken response with a doubling wait, up to the limit', () => {
    expect([1, 2, 3].map((attempt) => responseRetryDelay(faultOf('dropped', 'response'), attempt, policy))).toEqual([100, 200, null]);
  });

  it('leave what the SDK already retried, a refusal and an unknown error alone', () => {
    expect(responseRetryDelay(faultOf('overloaded', 'request'), 1, policy)).toBeNull();
    expect(responseRetryDelay(faultOf('refused', 'response'), 1, policy)).toBeNull();
    expect(responseRetryDelay(faultOf('unexpected', 'response'), 1, policy)).toBeNull();
  });

  it('sort an unknown error as unexpected, and a stall before anything else', () => {
    expect(classifyModelFault(new Error('boom'), { stalled: false })).toMatchObject({ kind: 'unexpected', detail: 'boom' });
    expect(classifyModelFault(new Anthropic.APIUserAbortError(), { stalled: true, idleTimeoutMs: 10 })).toMatchObject({ kind: 'stalled' });
    expect(classifyModelFault(new Anthropic.APIUserAbortError(), { stalled: false })).toBe('aborted');
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
