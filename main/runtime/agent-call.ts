// The agent's model call as data. The request is built from the state alone: the stable prefix
// (tools, instructions, Procedures), the append-only history, and one new user message carrying
// the tool results owed to the model and the moving `<state>`. The history gains that message and
// the response only once the call has succeeded, so it never holds a tool call without its result.
import type { ContentBlock, ContentBlockParam, MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { AdvanceResult } from './advance';
import type { CompiledProcedure } from './compiled-procedure';
import type { ToolOutcome } from './decision';
import type { ModelRequest } from './model-call';
import { customerMessagesBlock } from './outage';
import { renderState, systemPrompt } from './prompt';
import { agentTools, toolContext } from './tools';
import type { ActionInfo, ConversationState } from './types';

export type UserMessage = { role: 'user'; content: ContentBlockParam[] };

export function agentRequest(input: {
  state: ConversationState;
  procedures: CompiledProcedure[];
  routable: readonly { name: string; trigger: string }[];
  advanced: AdvanceResult | null;
  /** The customer's words, on the turn's first call only (any an outage left unanswered first). */
  customerMessages: readonly string[] | null;
  describeAction: (action: string) => ActionInfo | undefined;
}): { request: ModelRequest; userMessage: UserMessage } {
  const { state, procedures, routable } = input;
  const stateText = renderState(state, new Map(procedures.map((p) => [p.name, p])), input.advanced);
  const text = input.customerMessages ? `${customerMessagesBlock(input.customerMessages)}\n${stateText}` : stateText;
  const userMessage: UserMessage = { role: 'user', content: [...(state.pendingToolResults as ToolResultBlockParam[]), { type: 'text', text }] };
  const main = state.stack[0]?.procedure ?? state.paused[0]?.[0]?.procedure;
  return {
    userMessage,
    request: {
      system: systemPrompt(procedures, [...routable]),
      messages: [...(state.history as MessageParam[]), withCacheBreakpoint(userMessage)],
      tools: agentTools(toolContext(procedures, routable, main, input.describeAction)),
      toolChoice: { type: 'any' },
      purpose: 'agent',
    },
  };
}

/** The call succeeded: the owed results are delivered, and the exchange joins the history. */
export function afterAgentCall(state: ConversationState, userMessage: UserMessage, response: ContentBlock[]): ConversationState {
  return { ...state, pendingToolResults: [], history: [...state.history, userMessage, { role: 'assistant', content: response }] };
}

export function toolResult(toolUseId: string, outcome: ToolOutcome): ToolResultBlockParam {
  return { type: 'tool_result', tool_use_id: toolUseId, content: outcome.content, ...(outcome.isError ? { is_error: true } : {}) };
}

/** A response with text and no tool call: its text, taken as the reply. */
export function textOf(response: ContentBlock[]): string {
  return response.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n').trim();
}

/** Marks the end of the newest message, so the next call can reuse everything up to here. */
function withCacheBreakpoint(message: UserMessage): MessageParam {
  const content = message.content;
  const last = content[content.length - 1]!;
  return { role: 'user', content: [...content.slice(0, -1), { ...last, cache_control: { type: 'ephemeral' } } as ContentBlockParam] };
}
