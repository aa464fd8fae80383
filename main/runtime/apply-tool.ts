// One tool call, decided: `applyTool(state, call, context)` checks the call against the active
// Procedure through the tool's rule (tools.ts) and returns the next state, the trace events, the
// outcome for the model and the effect to carry out. It never runs an effect: the turn loop does,
// then hands the result to `applyActionResult`, `applySearchResult` or `withNotes`.
import type { AdvanceResult } from './advance';
import { begin } from './change';
import { settle, type Decision, type RuleContext, type ToolOutcome } from './decision';
import { actionRule } from './rules-actions';
import { actionFromToolName, builtinTool } from './tools';
import type { ConversationState } from './types';

export { applyActionResult } from './rules-actions';
export { applySearchResult } from './rules-conversation';

export interface ToolCall {
  name: string;
  input: unknown;
}

/** `progressed`: whether the turn has moved forward already (it shapes the loop check). */
export function applyTool(state: ConversationState, call: ToolCall, context: RuleContext, progressed = false): Decision {
  const change = begin(state, progressed);
  const entry = builtinTool(call.name);
  if (entry) {
    const parsed = entry.input.safeParse(call.input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
      return settle(change, { outcome: { content: `The ${call.name} input is not valid (${problems}). Call it again with valid input.`, isError: true, followUp: true } });
    }
    return settle(change, entry.rule(change, parsed.data, context));
  }
  const action = actionFromToolName(call.name);
  if (action) return settle(change, actionRule(change, action, call.input, context));
  return settle(change, { outcome: { content: `There is no tool called ${call.name}.`, isError: true, followUp: true } });
}

/** Procedures a call's rule will look up that the conversation may not have loaded yet. */
export function proceduresToLoad(call: ToolCall): string[] {
  const entry = builtinTool(call.name);
  if (!entry?.loads) return [];
  const parsed = entry.input.safeParse(call.input);
  return parsed.success ? entry.loads(parsed.data) : [];
}

/** How much the model needs to hear about what the runtime just did. */
function noteFollowUp(after: AdvanceResult | null): ToolOutcome['followUp'] {
  if (!after) return false;
  if (after.failed) return true;
  // Obligations get their own extra call in the agent loop.
  return after.notes.length > 0 || after.obligations.length > 0 ? 'if-silent' : false;
}

/** The `advance` effect's result folded into the tool's outcome. */
export function withNotes(outcome: ToolOutcome, after: AdvanceResult | null, effect: { separator: ' ' | '\n'; followUp: 'from-notes' | 'keep' }): ToolOutcome {
  const notes = after?.notes ?? [];
  return {
    ...outcome,
    content: notes.length > 0 ? `${outcome.content}${effect.separator}${notes.join(' ')}` : outcome.content,
    followUp: effect.followUp === 'keep' ? outcome.followUp : noteFollowUp(after),
  };
}
