// What the rules ask of the enforcement model (docs/runtime.md): a move, action, sub-procedure,
// handoff or end goes ahead only when its node is in reach of the active Procedure's run. When it
// is not, the rule asks the loop to walk the gates on the way (gate-walk.ts), which evaluates what
// it can and then applies the tool call again, or refuses it with what is missing.
import type { GraphNode } from '../../shared/procedure';
import { topFrame, type Change } from './change';
import type { RuleContext, RuleResult } from './decision';
import { gateModel, nodesWhere, reach } from './reach';

export interface GateRequest {
  /** The nodes the call needs in reach: any one of them will do. */
  toward: string[];
  /** The call, applied again once the gates are passed. */
  retry: { name: string; input: unknown };
  /** What the call wanted, in the model's words (`step "Refund"`, `@payments.create_refund`…). */
  what: string;
  /** A refused move is traced as `move_refused`, a refused action as `action_refused`. */
  refusal: 'move' | 'action';
}

/** Nodes of the active Procedure that pass `test` (none when no Procedure is active). */
export function activeNodes(change: Change, context: RuleContext, test: (node: GraphNode) => boolean): string[] {
  const frame = topFrame(change.state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  return procedure ? nodesWhere(gateModel(procedure), test) : [];
}

/**
 * null when one of `request.toward` is in reach (the rule goes ahead), else the `gates` effect.
 * With no such node in the Procedure at all there is nothing to enforce here: the rule's own
 * checks (what the Procedure names) apply.
 */
export function requireReach(change: Change, context: RuleContext, request: GateRequest): RuleResult | null {
  const frame = topFrame(change.state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  if (!frame || !procedure || request.toward.length === 0) return null;
  const { reached } = reach(gateModel(procedure), frame, change.state);
  if (request.toward.some((id) => reached.has(id))) return null;
  return { outcome: null, effect: { kind: 'gates', ...request } };
}
