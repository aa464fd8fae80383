// A fake Anthropic Messages API on 127.0.0.1, reached through the real SDK. Each test scripts it
// with a queue of responses or a function of the request; it records every request it receives.
// It answers `stream: true` requests with the SSE events the SDK expects, in the documented order,
// and can break a response after its headers (a dropped connection, a stall, a malformed event, an
// SSE `error` event) the way a flaky network or an overloaded API does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id?: string; name: string; input: unknown }
  /** Sent as raw JSON text, to script malformed tool input. */
  | { type: 'tool_use_raw'; id?: string; name: string; json: string };

export interface FakeMessage {
  content: FakeBlock[];
  stop_reason?: 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence';
  usage?: Partial<{ input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number }>;
  /** Milliseconds to wait before answering (for latency and concurrency tests). */
  delayMs?: number;
  /** Streaming: milliseconds between SSE events, so a client sees a reply arrive piece by piece. */
  chunkDelayMs?: number;
}

export interface FakeError {
  status: number;
  error?: { type: string; message: string };
  headers?: Record<string, string>;
  delayMs?: number;
}

/**
 * A response that breaks after its 200 headers:
 * - `drop`: the first `afterBytes` bytes of the body, then the connection is destroyed;
 * - `stall`: the first `afterBytes` bytes, then nothing more until the client gives up;
 * - `malformed`: the first `afterEvents` SSE events, then one whose data is not JSON (a
 *   non-streaming request gets a body cut to half its length, announced as complete);
 * - `error_event`: the first `afterEvents` SSE events, then an SSE `error` event carrying `error`
 *   (what the API sends when it fails mid-stream; a non-streaming request gets a 500 instead);
 * - `truncate`: the first `afterEvents` SSE events, then the body ends cleanly, before
 *   message_stop (a non-streaming request gets the `malformed` body).
 */
export interface FakeFault {
  fault: 'drop' | 'stall' | 'malformed' | 'error_event' | 'truncate';
  /** The message being sent when it breaks (default: a short text). */
  message?: FakeMessage;
  /** drop, stall: body bytes sent first (default 120). */
  afterBytes?: number;
  /** malformed, error_event: SSE events sent first (default 1: message_start). */
  afterEvents?: number;
  /** error_event: the error it carries (default an overloaded_error). */
  error?: { type: string; message: string };
  delayMs?: number;
}

export type FakeResponse = FakeMessage | FakeError | FakeFault;

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body's size as received, in bytes (what a request costs on the wire). */
  bytes: number;
  body: {
    model: string;
    max_tokens: number;
    stream?: boolean;
    system?: unknown;
    tools?: { name: string; input_schema: unknown; cache_control?: unknown }[];
    messages: { role: string; content: unknown }[];
    tool_choice?: unknown;
    [key: string]: unknown;
  };
}

export type Script = FakeResponse[] | ((request: RecordedRequest, index: number) => FakeResponse | Promise<FakeResponse>);

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  /** Queue more responses (queue scripts only). */
  push(...responses: FakeResponse[]): void;
  close(): Promise<void>;
}

const isError = (response: FakeResponse): response is FakeError => 'status' in response;
const isFault = (response: FakeResponse): response is FakeFault => 'fault' in response;
const DEFAULT_FAULT_MESSAGE: FakeMessage = { content: [{ type: 'text', text: 'This reply never arrives whole.' }] };

export async function startFakeAnthropic(script: Script = []): Promise<FakeAnthropic> {
  const queue = Array.isArray(script) ? [...script] : null;
  const requests: RecordedRequest[] = [];
  let messageCount = 0;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'fake_server_error', message: String(error) } }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
      return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `No route ${req.method} ${req.url}` } });
    }
    const auth = req.headers['x-api-key'] ?? req.headers.authorization;
    if (!auth) return sendJson(res, 401, { type: 'error', error: { type: 'authentication_error', message: 'No API key' } });
    const request: RecordedRequest = { path: req.url, headers: req.headers, bytes: Buffer.byteLength(raw), body: JSON.parse(raw) };
    const index = requests.length;
    requests.push(request);
    let response: FakeResponse | undefined;
    if (queue) {
      response = queue.shift();
      if (!response) {
        return sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: `Fake Anthropic: no scripted response left for request ${index + 1}` } });
      }
    } else {
      response = await (script as Exclude<Script, FakeResponse[]>)(request, index);
    }
    if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs));
    if (isError(response)) {
      const body = { type: 'error', error: response.error ?? { type: response.status === 429 ? 'rate_limit_error' : 'api_error', message: `Scripted ${response.status}` } };
      // retry-after-ms keeps the SDK's retries fast in tests.
      return sendJson(res, response.status, body, { 'retry-after-ms': '5', ...response.headers });
    }
    messageCount += 1;
    if (isFault(response)) return sendFault(res, response, request.body, messageCount);
    const message = toMessage(response, request.body.model, messageCount);
    if (request.body.stream) return sendStream(res, message, response);
    return sendJson(res, 200, message);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    push: (...responses) => {
      if (!queue) throw new Error('push() works with a queue script only');
      queue.push(...responses);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toMessage(response: FakeMessage, model: string, count: number) {
  const content = response.content.map((block, index) => {
    if (block.type === 'text') return block;
    const id = block.id ?? `toolu_fake_${count}_${index}`;
    if (block.type === 'tool_use') return { type: 'tool_use', id, name: block.name, input: block.input };
    let input: unknown;
    try {
      input = JSON.parse(block.json);
    } catch {
      input = block.json; // Malformed on purpose: the client must cope.
    }
    return { type: 'tool_use', id, name: block.name, input };
  });
  const hasTool = content.some((block) => block.type === 'tool_use');
  return {
    id: `msg_fake_${count}`,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: response.stop_reason ?? (hasTool ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: 100,
      output_tokens: 20,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      ...response.usage,
    },
  };
}

/** The SSE events of a streamed message, each as the exact text sent on the wire. */
function streamEvents(message: ReturnType<typeof toMessage>, response: FakeMessage): string[] {
  const events: string[] = [];
  const event = (name: string, data: unknown) => events.push(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...(data as object) })}\n\n`);
  event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } });
  response.content.forEach((block, index) => {
    const sent = message.content[index]!;
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      // Split text in a few chunks so consumers see real deltas.
      for (const chunk of block.text.match(/[\s\S]{1,12}/g) ?? []) event('content_block_delta', { index, delta: { type: 'text_delta', text: chunk } });
    } else {
      const id = (sent as { id: string }).id;
      event('content_block_start', { index, content_block: { type: 'tool_use', id, name: block.name, input: {} } });
      const json = block.type === 'tool_use' ? JSON.stringify(block.input) : block.json;
      for (const chunk of json.match(/[\s\S]{1,16}/g) ?? []) event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: chunk } });
    }
    event('content_block_stop', { index });
  });
  event('message_delta', { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: message.usage.output_tokens } });
  event('message_stop', {});
  return events;
}

async function sendStream(res: ServerResponse, message: ReturnType<typeof toMessage>, response: FakeMessage) {
  res.writeHead(200, SSE_HEADERS);
  for (const event of streamEvents(message, response)) {
    res.write(event);
    if (response.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, response.chunkDelayMs));
  }
  res.end();
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };

function sendFault(res: ServerResponse, fault: FakeFault, body: RecordedRequest['body'], count: number) {
  const scripted = fault.message ?? DEFAULT_FAULT_MESSAGE;
  const message = toMessage(scripted, body.model, count);
  const events = body.stream ? streamEvents(message, scripted) : null;
  const afterEvents = fault.afterEvents ?? 1;
  if (fault.fault === 'drop' || fault.fault === 'stall') {
    const whole = Buffer.from(events ? events.join('') : JSON.stringify(message));
    const part = whole.subarray(0, Math.min(fault.afterBytes ?? 120, whole.length - 1));
    // A JSON body announces its full length, so the client knows the bytes that follow are missing.
    res.writeHead(200, events ? SSE_HEADERS : { 'content-type': 'application/json', 'content-length': String(whole.length) });
    res.write(part, () => {
      if (fault.fault === 'drop') res.socket?.destroy();
      // stall: the connection stays open, silent, until the client gives up or the server closes.
    });
    return;
  }
  if (fault.fault === 'malformed' || fault.fault === 'truncate') {
    if (!events) {
      const whole = JSON.stringify(message);
      return sendJson(res, 200, undefined, {}, whole.slice(0, Math.floor(whole.length / 2)));
    }
    res.writeHead(200, SSE_HEADERS);
    for (const event of events.slice(0, afterEvents)) res.write(event);
    if (fault.fault === 'malformed') res.write('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n');
    res.end();
    return;
  }
  const error = fault.error ?? { type: 'overloaded_error', message: 'Overloaded' };
  if (!events) return sendJson(res, 500, { type: 'error', error });
  res.writeHead(200, SSE_HEADERS);
  for (const event of events.slice(0, afterEvents)) res.write(event);
  res.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error })}\n\n`);
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, raw?: string) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${Date.now()}`, ...headers });
  res.end(raw ?? JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Shorthands for scripting. */
export const reply = (text: string, extra: Partial<FakeMessage> = {}): FakeMessage => ({ content: [{ type: 'text', text }], ...extra });
export const toolCall = (name: string, input: unknown, extra: Partial<FakeMessage> = {}): FakeMessage => ({ content: [{ type: 'tool_use', name, input }], ...extra });
export const toolCalls = (...calls: [string, unknown][]): FakeMessage => ({ content: calls.map(([name, input]) => ({ type: 'tool_use' as const, name, input })) });
export const fault = (kind: FakeFault['fault'], extra: Omit<FakeFault, 'fault'> = {}): FakeFault => ({ fault: kind, ...extra });
