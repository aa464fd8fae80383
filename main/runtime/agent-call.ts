// The agent's model call as data. The request is built from the state alone: the stable prefix
// (tools, instructions, Procedures), the append-only history, and one new user message carrying
// the tool results owed to the model and what changed in the state since the model last saw it.
// The history gains that message and the response only once the call has succeeded, so it never
// holds a tool call without its result; so does what the model has been told (promptMemory).
// Past its budget the history is sent from a later point, after a summary (history-trim.ts), and
// the model is then told the whole state again. Text for the model carries compact node ids (prompt-ids.ts).
import type { ContentBlock, ContentBlockParam, MessageParam, ToolResultBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { AdvanceResult } from './advance';
import type { CompiledProcedure } from './compiled-procedure';
import type { ToolOutcome } from './decision';
import type { ModelRequest } from './model-call';
import { customerMessagesBlock } from './outage';
import { historyWindow } from './history-trim';
import { attributeLine, stateLines, stateUpdate, systemPrompt, type StateLine, type ToldByCalls, type ToldState } from './prompt';
import { assignTags, modelIds, toGraphIds, toModelIds, type ModelIds } from './prompt-ids';
import { actionFromToolName, actionToolName, agentTools, toolContext } from './tools';
import type { ActionInfo, ConversationState } from './types';

export type UserMessage = { role: 'user'; content: ContentBlockParam[] };

type PromptMemory = NonNullable<ConversationState['promptMemory']>;

/** What a built request will make of the state once its call succeeds (see afterAgentCall). */
const pending = new WeakMap<UserMessage, PromptMemory>();

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
  const remembered = state.promptMemory ?? { tags: {}, told: null, turn: null };
  const tags = assignTags(remembered.tags, procedures);
  const ids = cachedModelIds(procedures, tags);
  const trim = historyWindow(state.history as { role: 'user' | 'assistant'; content: unknown }[], remembered.window);
  // After a trim the model is told the whole state again: what the dropped turns established.
  const told = trim.trimmed ? null : remembered.told;
  const owed = state.pendingToolResults as ToolResultBlockParam[];
  const owedText = owed.flatMap((result) => (typeof result.content === 'string' ? [result.content] : []));
  const lines = stateLines(state, new Map(procedures.map((p) => [p.name, p])), input.advanced);
  const byCalls = told === null ? undefined : toldByCalls(state, owed, lines, told, ids);
  const update = stateUpdate(state.turn, lines, told, trim.trimmed ? null : remembered.turn, owedText, byCalls);
  const stateText = toModelIds(update.text, ids);
  const parts = [input.customerMessages ? customerMessagesBlock(input.customerMessages) : '', stateText].filter((part) => part.length > 0);
  const results = owed.map((result) => withModelIds(result, ids));
  // Never an empty message: with no results, no customer words and no change, say so.
  const text = parts.length > 0 ? parts.join('\n') : results.length > 0 ? null : `<state-changes turn="${state.turn}">\nNothing changed.\n</state-changes>`;
  const userMessage: UserMessage = { role: 'user', content: [...results, ...(text === null ? [] : [{ type: 'text' as const, text }])] };
  pending.set(userMessage, { tags: { ...tags }, told: { ...update.told }, turn: state.turn, window: trim.window });
  const main = state.stack[0]?.procedure ?? state.paused[0]?.[0]?.procedure;
  return {
    userMessage,
    request: {
      system: systemPrompt(procedures, [...routable], ids),
      messages: [...(trim.messages as MessageParam[]), withCacheBreakpoint(userMessage)],
      tools: agentTools(toolContext(procedures, routable, main, input.describeAction, ids)),
      toolChoice: { type: 'any' },
      purpose: 'agent',
    },
  };
}

/** The call succeeded: the owed results are delivered, the exchange joins the history, and what the model was shown is remembered. */
export function afterAgentCall(state: ConversationState, userMessage: UserMessage, response: ContentBlock[]): ConversationState {
  const memory = pending.get(userMessage);
  return {
    ...state,
    pendingToolResults: [],
    history: [...state.history, { role: userMessage.role, content: userMessage.content }, { role: 'assistant', content: response }],
    ...(memory ? { promptMemory: memory } : {}),
  };
}

type CallBlock = { type: string; id?: string; name?: string; input?: unknown };

/**
 * What the model's calls that the owed results answer without an error did just as it asked, so
 * the state need not tell it again: the values it set (as it gave them: a value the runtime changed
 * is told), the step it moved to (when it is still the active step of the same Procedures), and
 * the decision it took (the wait for it ending, and the entry it adds to the step's progress), the
 * action that waited for the customer's agreement (the wait ending). Of a call refused, only the
 * wait for the customer's agreement it started: the error says so.
 */
function toldByCalls(state: ConversationState, owed: readonly ToolResultBlockParam[], lines: readonly StateLine[], told: ToldState, ids: ModelIds): ToldByCalls {
  const answered = new Set(owed.filter((result) => !result.is_error).map((result) => result.tool_use_id));
  const failed = new Set(owed.filter((result) => result.is_error).map((result) => result.tool_use_id));
  const last = state.history.at(-1) as { role?: string; content?: unknown } | undefined;
  const calls = last?.role === 'assistant' && Array.isArray(last.content) ? (last.content as CallBlock[]).filter((block) => block.type === 'tool_use') : [];
  const byCalls = { lines: new Set<string>(), cleared: new Set<string>(), decided: new Set<string>() };
  const frame = state.stack[state.stack.length - 1];
  const active = lines.find((line) => line.key === 'active')?.text;
  const stackOf = (text: string | undefined) => (text?.includes('; current step ') ? text.slice(0, text.indexOf('; current step ')) : null);
  for (const call of calls) {
    const input = (typeof call.input === 'object' && call.input !== null ? call.input : {}) as Record<string, unknown>;
    if (!answered.has(call.id ?? '') && !failed.has(call.id ?? '')) continue;
    if (!answered.has(call.id ?? '')) {
      // Asked for without the customer's agreement: the error says it waits for it, and the call says for what.
      const pending = state.pendingConfirmation;
      const waiting = lines.find((line) => line.key === 'confirmation');
      const { customer_agreement: _agreement, ...asked } = input;
      if (pending && waiting && call.name === actionToolName(pending.action) && JSON.stringify(asked) === JSON.stringify(pending.input)) byCalls.lines.add(waiting.text);
      continue;
    }
    if (call.name === 'set_attributes' && typeof input.values === 'object' && input.values !== null) {
      for (const [name, value] of Object.entries(input.values)) byCalls.lines.add(attributeLine(name, value, 'customer'));
    } else if (call.name === 'go_to_step' && frame && active && typeof input.step_id === 'string') {
      const arrived = toModelIds(input.step_id.trim(), ids) === toModelIds(frame.stepId, ids);
      if (arrived && stackOf(active) !== null && stackOf(active) === stackOf(told.active)) byCalls.lines.add(active);
    } else if (call.name === 'decide_condition') {
      byCalls.cleared.add('decide');
      const graph = toGraphIds(call.name, input, ids, frame?.procedure) as Record<string, unknown>;
      byCalls.decided.add(`${String(graph.condition_id)} → ${String(graph.branch_id)}`);
    } else if (call.name && told.confirmation?.includes(` @${actionFromToolName(call.name)} with `)) {
      // The action that waited for the customer's agreement ran: the wait is over.
      byCalls.cleared.add('confirmation');
    }
  }
  return byCalls;
}

function withModelIds(result: ToolResultBlockParam, ids: ModelIds): ToolResultBlockParam {
  return typeof result.content === 'string' ? { ...result, content: toModelIds(result.content, ids) } : result;
}

// The same Procedures under the same tags give the same ids: the id pattern is built once.
const idsCache = new Map<string, { procedures: readonly CompiledProcedure[]; ids: ModelIds }>();
const IDS_CACHE_LIMIT = 200;

function cachedModelIds(procedures: readonly CompiledProcedure[], tags: Readonly<Record<string, string>>): ModelIds {
  const key = procedures.map((procedure) => `${procedure.name}\u0000${procedure.version}\u0000${tags[procedure.name] ?? ''}`).join('\u0001');
  const cached = idsCache.get(key);
  if (cached && cached.procedures.length === procedures.length && cached.procedures.every((procedure, index) => procedure === procedures[index])) return cached.ids;
  if (idsCache.size >= IDS_CACHE_LIMIT) idsCache.clear();
  const ids = modelIds(procedures, tags);
  idsCache.set(key, { procedures: [...procedures], ids });
  return ids;
}

/**
 * A tool call as the runtime reads it: the compact ids the model was shown mapped back to graph
 * ids for the active Procedure (prompt-ids.ts), so the rules and the trace see graph ids.
 */
export function toolCallFromModel(state: ConversationState, block: { name: string; input: unknown }, procedures: ReadonlyMap<string, CompiledProcedure>): { name: string; input: unknown } {
  const active = state.stack[state.stack.length - 1]?.procedure;
  return { name: block.name, input: toGraphIds(block.name, block.input, conversationIds(state, procedures), active) };
}

/** The model ids of the Procedures a conversation has shown the model: what a tool call's ids are read against. */
function conversationIds(state: ConversationState, procedures: ReadonlyMap<string, CompiledProcedure>): ModelIds {
  const tags = state.promptMemory?.tags ?? {};
  return cachedModelIds(
    Object.keys(tags)
      .map((name) => procedures.get(name))
      .filter((procedure): procedure is CompiledProcedure => procedure !== undefined),
    tags,
  );
}

/**
 * The result the model is sent for one of its calls: what the runtime has to tell it. A plain
 * acknowledgement (the outcome's `echo`: "Sent to the customer.", "Set email.") is left out, since
 * a result without an error already says the call did what it asked; what follows it (what the
 * runtime then decided) is kept. A result with nothing left has no content (the API allows it).
 */
export function toolResult(toolUseId: string, outcome: ToolOutcome): ToolResultBlockParam {
  const echoed = !outcome.isError && outcome.echo !== undefined && outcome.content.startsWith(outcome.echo);
  const content = echoed ? outcome.content.slice(outcome.echo!.length).trim() : outcome.content;
  return { type: 'tool_result', tool_use_id: toolUseId, ...(content.length > 0 ? { content } : {}), ...(outcome.isError ? { is_error: true } : {}) };
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
