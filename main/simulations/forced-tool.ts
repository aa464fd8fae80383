// Structured output from a model: one forced tool call whose input is checked with zod. When the
// input does not pass, the model is told exactly what is wrong (as the tool's error result) and
// asked again, up to `repairs` times; after that the caller gets a StructuredOutputError.
import type { MessageParam, TextBlockParam, Tool, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { z } from 'zod';
import { plural } from '../../shared/plural';
import type { ModelCaller } from '../model/client';
import type { ModelRole } from '../model/settings';
import { describeZodError } from '../validation/zod-error';

export interface ForcedToolRequest<S extends z.ZodType> {
  role: ModelRole;
  system: TextBlockParam[];
  messages: MessageParam[];
  tool: Tool;
  schema: S;
  /** Extra attempts after an invalid answer (default 1). */
  repairs?: number;
  maxTokens?: number;
}

/** The model did not produce valid structured output, even after being told what was wrong. */
export class StructuredOutputError extends Error {
  constructor(
    message: string,
    readonly role: ModelRole,
    readonly problems: string,
  ) {
    super(message);
    this.name = 'StructuredOutputError';
  }
}

export async function callForcedTool<S extends z.ZodType>(model: ModelCaller, request: ForcedToolRequest<S>): Promise<z.output<S>> {
  const messages = [...request.messages];
  const attempts = 1 + (request.repairs ?? 1);
  let problems = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await model.call({
      role: request.role,
      system: request.system,
      messages,
      tools: [request.tool],
      toolChoice: { type: 'tool', name: request.tool.name },
      ...(request.maxTokens ? { maxTokens: request.maxTokens } : {}),
    });
    const call = result.message.content.find((block): block is ToolUseBlock => block.type === 'tool_use' && block.name === request.tool.name);
    if (!call) {
      problems = `the answer did not call the ${request.tool.name} tool`;
      messages.push({ role: 'assistant', content: result.message.content.length > 0 ? result.message.content : [{ type: 'text', text: '(no answer)' }] });
      messages.push({ role: 'user', content: `Answer by calling the ${request.tool.name} tool.` });
      continue;
    }
    const parsed = request.schema.safeParse(call.input);
    if (parsed.success) return parsed.data;
    problems = describeZodError(parsed.error);
    if (result.message.stop_reason === 'max_tokens') problems += ' (the answer was cut off at the token limit: keep it shorter)';
    messages.push({ role: 'assistant', content: result.message.content });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: call.id, is_error: true, content: `The ${request.tool.name} input is not valid: ${problems}. Call it again with valid input.` }],
    });
  }
  throw new StructuredOutputError(`The ${request.role} model gave no valid ${request.tool.name} answer after ${plural(attempts, 'attempt')}: ${problems}.`, request.role, problems);
}
