// What a pure runtime decision returns: the next state, the trace events, the replies, the tool's
// outcome for the model, and the one effect (if any) the turn loop must carry out before the
// decision is complete. The loop performs the effect and feeds its result back (apply-tool.ts).
import type { AdvanceResult } from './advance';
import type { Change } from './change';
import type { CompiledProcedure } from './compiled-procedure';
import type { GateRequest } from './enforcement';
import type { EscalationPolicy } from './escalation';
import type { ActionInfo, ConversationState, TraceEvent } from './types';

export interface ToolOutcome {
  content: string;
  isError?: boolean;
  /**
   * true: the model must see this before the turn can end (an error to fix).
   * 'if-silent': the model needs it to reply, but a reply it already sent can stand: the model sets
   * the pace, and the next turn's state carries the news. This keeps calls per turn close to one.
   */
  followUp: boolean | 'if-silent';
  /** The conversation (or this turn) is over. */
  final?: boolean;
  /**
   * Set when `content` only confirms that the call did what it asked (it is `content`, before any
   * notes): the trace keeps it, the model is not sent it, since its call succeeding says as much.
   */
  echo?: string;
}

/**
 * Effects a tool's rule asks for. `advance` runs the deterministic part of the current step (it
 * yields `sandbox` effects of its own, advance.ts) and adds what the runtime decided to the
 * outcome; with `followUp: 'from-notes'` the notes also set how urgently the model must hear them.
 */
export type Effect =
  | { kind: 'connector'; action: string; input: unknown }
  | { kind: 'knowledge'; query: string; limit: number }
  | { kind: 'advance'; separator: ' ' | '\n'; followUp: 'from-notes' | 'keep' }
  /** Walk the gates on the way to a node out of reach, then apply the call again (gate-walk.ts). */
  | ({ kind: 'gates' } & GateRequest);

export interface Decision {
  state: ConversationState;
  events: TraceEvent[];
  replies: string[];
  progressed: boolean;
  /** null only while a connector or knowledge effect is outstanding. */
  outcome: ToolOutcome | null;
  effect: Effect | null;
}

/** What a rule may read besides the state. All of it is loaded before the rule runs. */
export interface RuleContext {
  /** The conversation's Procedures by name: those on the stack, paused, and any a call names. */
  procedures: ReadonlyMap<string, CompiledProcedure>;
  routable: readonly { name: string; trigger: string }[];
  policy: EscalationPolicy;
  describeAction: (action: string) => ActionInfo | undefined;
  /** The plain-language condition the last run of the deterministic part stopped at. */
  awaiting: AdvanceResult['awaitingDecision'];
  /** What Python-chosen branches require that has not happened yet (a handoff, switch or end): the turn makes it. */
  owed?: readonly AdvanceResult['obligations'][number][];
  /** The response also carries a valid reply, sent after its other calls (turn.ts). */
  replyFollows?: boolean;
}

/** What a rule hands back: the outcome, or the effect it waits on (with the outcome so far). */
export interface RuleResult {
  outcome: ToolOutcome | null;
  effect?: Effect;
}

export const refuse = (content: string): RuleResult => ({ outcome: { content, isError: true, followUp: true } });

export function settle(change: Change, result: RuleResult): Decision {
  return { state: change.state, events: change.events, replies: change.replies, progressed: change.progressed, outcome: result.outcome, effect: result.effect ?? null };
}
