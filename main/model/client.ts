// Every model call goes through here: the Anthropic SDK with the workspace's settings, streaming
// when asked, usage and cost for each call, and errors sorted into "try later" and "fix settings".
import Anthropic from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming, MessageParam, TextBlockParam, Tool, ToolChoice } from '@anthropic-ai/sdk/resources/messages';
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
}

export interface ModelCallResult {
  model: string;
  message: Message;
  usage: TokenUsage;
  /** US dollars, or null when the model has no configured price. */
  costUsd: number | null;
  latencyMs: number;
}

/** The model could not be reached after the SDK's retries (network, timeout, 429, 5xx, overloaded). */
export class ModelUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
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
  ) {
    super(message);
    this.name = 'ModelRequestError';
  }
}

export interface ModelCaller {
  call(request: ModelCallRequest, options?: ModelCallOptions): Promise<ModelCallResult>;
}

export class ModelClient implements ModelCaller {
  private readonly sdk: Anthropic;

  constructor(private readonly settings: ModelSettings) {
    this.sdk = new Anthropic({
      // A local Anthropic-compatible server may need no key; the SDK insists on one being set.
      apiKey: settings.apiKey ?? 'no-key-configured',
      ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
      maxRetries: settings.maxRetries,
      timeout: settings.timeoutMs,
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
    let message: Message;
    try {
      if (options.stream) {
        const stream = this.sdk.messages.stream(params, { signal: options.signal });
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
        message = await stream.finalMessage();
      } else {
        message = await this.sdk.messages.create(params, { signal: options.signal });
      }
    } catch (error) {
      throw classify(error);
    }
    const usage: TokenUsage = {
      inputTokens: message.usage.input_tokens,
      outputTokens: message.usage.output_tokens,
      cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
      cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
    };
    return { model, message, usage, costUsd: costOf(usage, this.settings.prices[model]), latencyMs: performance.now() - started };
  }
}

function classify(error: unknown): Error {
  if (error instanceof Anthropic.APIUserAbortError) return error;
  if (error instanceof Anthropic.APIConnectionError) {
    return new ModelUnavailableError(`The model could not be reached: ${error.message}`, undefined);
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    const detail = apiErrorMessage(error);
    if (status === 429 || status === 408 || status === 409 || (status !== undefined && status >= 500)) {
      return new ModelUnavailableError(`The model is unavailable (${status}): ${detail}`, status);
    }
    const hint = status === 401 ? ' Check the API key in Settings.' : status === 404 ? ' Check the model names in Settings.' : '';
    return new ModelRequestError(`The model refused the request (${status}): ${detail}.${hint}`, status);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function apiErrorMessage(error: InstanceType<typeof Anthropic.APIError>): string {
  const body = error.error as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? error.message;
}
