// Every model call goes through here: the Anthropic SDK with the workspace's settings, streaming
// when asked, usage and cost for each call, a response that breaks mid-way retried, and errors
// sorted into "try later" and "fix settings" (faults.ts).
import Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming, MessageParam, TextBlockParam, Tool, ToolChoice } from '@anthropic-ai/sdk/resources/messages';
import { classifyModelFault, responseRetryDelay, type ModelFault } from './faults';
import type { ModelRole, ModelSettings } from './settings';
import { costOf, type TokenUsage } from './usage';

export interface ModelCallRequest {
  role: ModelRole;
  system: TextBlockParam[];
  messages: MessageParam[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  maxTokens?: number;
}

export interface ModelCallOptions {
  stream?: boolean;
  /** Text as it streams in. */
  onText?: (delta: string) => void;
  /** A tool call's input as it streams in: the tool's name and the raw JSON received so far. */
  onToolInput?: (toolName: string, partialJson: string) => void;
  signal?: AbortSignal;
  /**
   * A response broke after it began and the same request is about to be sent again: whatever
   * `onText` and `onToolInput` passed on from it is void.
   */
  onRetry?: (retry: ModelRetry) => void;
}

export interface ModelRetry {
  fault: ModelFault;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  delayMs: number;
}

export interface ModelCallResult {
  model: string;
  message: Message;
  usage: TokenUsage;
  /** US dollars, or null when the model has no configured price. */
  costUsd: number | null;
  latencyMs: number;
}

/** The model could not be reached, or kept breaking off mid-response, after every retry. */
export class ModelUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly fault: ModelFault,
  ) {
    super(message);
    this.name = 'ModelUnavailableError';
  }
}

/** The request itself was refused (bad key, unknown model, bad request): retrying will not help. */
export class ModelRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly fault: ModelFault,
  ) {
    super(message);
    this.name = 'ModelRequestError';
  }
}

export interface ModelCaller {
  call(request: ModelCallRequest, options?: ModelCallOptions): Promise<ModelCallResult>;
}

/**
 * The SDK's only error-level log for messages is a malformed event's raw data (the model's words,
 * maybe the customer's) on stderr. The client reports that fault itself, without the data, in the
 * trace; so errors are dropped here, and warnings (deprecated models…) still reach stderr.
 */
const SDK_LOGGER = {
  error: () => undefined,
  warn: (...args: unknown[]) => console.warn(...args),
  info: () => undefined,
  debug: () => undefined,
};

/** One try: the message, or the fault that broke it. The caller's own abort is thrown. */
type Attempt = { ok: true; message: Message } | { ok: false; fault: ModelFault };

export class ModelClient implements ModelCaller {
  private readonly sdk: Anthropic;

  constructor(private readonly settings: ModelSettings) {
    this.sdk = new Anthropic({
      // A local Anthropic-compatible server may need no key; the SDK insists on one being set.
      apiKey: settings.apiKey ?? 'no-key-configured',
      ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
      maxRetries: settings.maxRetries,
      timeout: settings.timeoutMs,
      logger: SDK_LOGGER,
    });
  }

  async call(request: ModelCallRequest, options: ModelCallOptions = {}): Promise<ModelCallResult> {
    const model = this.settings.models[request.role];
    const params: MessageCreateParamsNonStreaming = {
      model,
      max_tokens: request.maxTokens ?? this.settings.maxTokens,
      system: request.system,
      messages: request.messages,
      ...(request.tools && request.tools.length > 0 ? { tools: request.tools } : {}),
      ...(request.toolChoice ? { tool_choice: request.toolChoice } : {}),
    };
    const started = performance.now();
    const policy = { retries: this.settings.responseRetries, delayMs: this.settings.responseRetryDelayMs };
    let message: Message;
    // The SDK retries what fails before a response begins; a response that breaks after its
    // headers is retried here (see faults.ts for why that is safe).
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(params, options);
      if (outcome.ok) {
        message = outcome.message;
        break;
      }
      const delayMs = responseRetryDelay(outcome.fault, attempt, policy);
      if (delayMs === null) throw modelError(outcome.fault, attempt);
      options.onRetry?.({ fault: outcome.fault, attempt, delayMs });
      await pause(delayMs, options.signal);
    }
    const usage: TokenUsage = {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
    };
    return { model, message, usage, costUsd: costOf(usage, this.settings.prices[model]), latencyMs: performance.now() - started };
  }

  private async attempt(params: MessageCreateParamsNonStreaming, options: ModelCallOptions): Promise<Attempt> {
    // Once the headers are in, the SDK's timeout no longer applies: a response that goes silent
    // would hang until the socket times out. This timer, reset on every event, ends it.
    const idle = new AbortController();
    const idleTimeoutMs = this.settings.idleTimeoutMs;
    let stalled = false;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      // The headers callback may run after the body has already been read.
      if (finished) return;
      timer = setTimeout(() => {
        stalled = true;
        idle.abort();
      }, idleTimeoutMs);
    };
    const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
    try {
      if (!options.stream) {
        const pending = this.sdk.messages.create(params, { signal });
        pending.asResponse().then(arm, () => undefined);
        return { ok: true, message: await pending };
      }
      const stream = this.sdk.messages.stream(params, { signal });
      stream.on('connect', arm);
      stream.on('streamEvent', arm);
      if (options.onText) stream.on('text', options.onText);
      if (options.onToolInput) {
        const onToolInput = options.onToolInput;
        // The SDK's parsed snapshot stays empty until the JSON is complete, so keep the raw text.
        let tool = '';
        let json = '';
        stream.on('streamEvent', (event) => {
          if (event.type === 'content_block_start' && event.content_block.type === 'tool_use') {
            tool = event.content_block.name;
            json = '';
          }
        });
        stream.on('inputJson', (delta) => {
          json += delta;
          onToolInput(tool, json);
        });
      }
      // A stream that ends before message_stop is rejected by the SDK ("ended without"): faults.ts calls it dropped.
      return { ok: true, message: await stream.finalMessage() };
    } catch (error) {
      const fault = classifyModelFault(error, { stalled, idleTimeoutMs });
      if (fault === 'aborted') throw error instanceof Anthropic.APIUserAbortError ? error : new Anthropic.APIUserAbortError();
      return { ok: false, fault };
    } finally {
      finished = true;
      clearTimeout(timer);
    }
  }
}

function modelError(fault: ModelFault, attempts: number): ModelUnavailableError | ModelRequestError {
  if (fault.kind === 'refused') {
    const hint = fault.status === 401 ? ' Check the API key in Settings.' : fault.status === 404 ? ' Check the model names in Settings.' : '';
    return new ModelRequestError(`The model refused the request (${fault.status ?? 'error event'}): ${fault.detail}.${hint}`, fault.status, fault);
  }
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  switch (fault.phase === 'request' ? fault.kind : 'response') {
    case 'unreachable':
      return new ModelUnavailableError(`The model could not be reached: ${fault.detail}`, undefined, fault);
    case 'timeout':
      return new ModelUnavailableError(`The model could not be reached: ${fault.detail}${fault.status ? ` (${fault.status})` : ''}`, fault.status, fault);
    case 'response':
      return new ModelUnavailableError(`The model's response broke off (${fault.kind})${tries}: ${fault.detail}`, fault.status, fault);
    default:
      return new ModelUnavailableError(`The model is unavailable (${fault.status}): ${fault.detail}`, fault.status, fault);
  }
}

/** Waits before a retry; the caller's abort ends the wait. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Anthropic.APIUserAbortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Anthropic.APIUserAbortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
