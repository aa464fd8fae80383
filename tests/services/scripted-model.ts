// A model caller that answers in-process from a script, each answer one message of tool calls, so
// service tests need no Messages API server. It records the role of every call.
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { ModelCaller, ModelCallRequest } from '../../main/model/client';

export type ToolCalls = [name: string, input: Record<string, unknown>][];

export function scriptedModel(script: (request: ModelCallRequest, index: number) => ToolCalls): ModelCaller & { roles: string[] } {
  const roles: string[] = [];
  return {
    roles,
    async call(request) {
      const index = roles.push(request.role);
      const message = {
        id: `msg_${index}`,
        type: 'message',
        role: 'assistant',
        model: `model-${request.role}`,
        content: script(request, index - 1).map(([name, input], position) => ({ type: 'tool_use', id: `tool_${index}_${position}`, name, input })),
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 100, output_tokens: 10 },
      } as unknown as Message;
      return { model: message.model, message, usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0.001, latencyMs: 1 };
    },
  };
}
