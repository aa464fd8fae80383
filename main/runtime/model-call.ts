// The model-call effect: one call through the model client, with streamed reply text passed on
// (and withdrawn when the response breaks off and is retried), each retry and the call itself
// traced. The usage it adds to the conversation is a pure step (`withCallUsage`).
import type { MessageParam, TextBlockParam, Tool, ToolChoice } from '@anthropic-ai/sdk/resources/messages';
import { ModelRequestError, ModelUnavailableError, type ModelCallOptions, type ModelCallResult } from '../model/client';
import { addUsage } from '../model/usage';
import { partialStringField } from './partial-json';
import type { ReplyStreamListener, RuntimeServices } from './services';
import type { ConversationState, TraceEvent } from './types';

export interface ModelRequest {
  system: TextBlockParam[];
  messages: MessageParam[];
  tools: Tool[];
  toolChoice: ToolChoice;
  purpose: 'route' | 'agent';
}

export async function callModel(
  services: Pick<RuntimeServices, 'model' | 'stream'>,
  request: ModelRequest,
  emit: (event: TraceEvent) => void,
  onReplyText: ReplyStreamListener,
): Promise<ModelCallResult> {
  const started = performance.now();
  // A reply streamed from a response that then breaks off is withdrawn from the listeners: the
  // retry (or the outage message) replaces it, and the transcript only ever holds whole replies.
  let streamedReply = false;
  const withdrawStreamedReply = () => {
    if (!streamedReply) return false;
    streamedReply = false;
    onReplyText('', true);
    return true;
  };
  try {
    const options: ModelCallOptions = {
      ...(services.stream
        ? {
            stream: true,
            onToolInput: (tool: string, partialJson: string) => {
              const message = tool === 'reply' ? partialStringField(partialJson, 'message') : null;
              if (!message) return;
              streamedReply = true;
              onReplyText(message);
            },
          }
        : {}),
      onRetry: ({ fault, attempt, delayMs }) => {
        const withdrawn = withdrawStreamedReply();
        emit({ type: 'model_retry', payload: { purpose: request.purpose, fault: fault.kind, phase: fault.phase, detail: fault.detail, attempt, delayMs, withdrawnReply: withdrawn } });
      },
    };
    const result = await services.model.call({ role: 'agent', system: request.system, messages: request.messages, tools: request.tools, toolChoice: request.toolChoice }, options);
    emit({
      type: 'model_call',
      payload: { purpose: request.purpose, model: result.model, usage: result.usage, costUsd: result.costUsd, latencyMs: tenths(result.latencyMs), stopReason: result.message.stop_reason },
    });
    return result;
  } catch (error) {
    withdrawStreamedReply();
    const fault = error instanceof ModelUnavailableError || error instanceof ModelRequestError ? { fault: error.fault.kind, phase: error.fault.phase } : {};
    emit({ type: 'model_call', payload: { purpose: request.purpose, ok: false, error: (error as Error).message, ...fault, latencyMs: tenths(performance.now() - started) } });
    throw error;
  }
}

/** The conversation's running usage with one more call's tokens and cost. */
export function withCallUsage(usage: ConversationState['usage'], result: Pick<ModelCallResult, 'usage' | 'costUsd'>): ConversationState['usage'] {
  return { ...usage, ...addUsage(usage, result.usage), costUsd: usage.costUsd + (result.costUsd ?? 0), modelCalls: usage.modelCalls + 1 };
}

/** A latency to a tenth of a millisecond: a turn's model time sums its calls', and whole ms would be off by up to half a ms a call. */
const tenths = (ms: number) => Math.round(ms * 10) / 10;
