// What the rules ask of the enforcement model (docs/runtime.md): a move, action, sub-procedure,
// handoff or end goes ahead only when its node is in reach of the active Procedure's run. When it
// is not, the rule asks the loop to walk the gates on the way (gate-walk.ts), which evaluates what
// it can and then applies the tool call again, or refuses it with what is missing.
import type { GraphNode } from '../../shared/procedure';
import { topFrame, type Change } from './change';
import type { RuleContext, RuleResult } from './decision';
import { gateModel, nodesWhere, reach, withoutStale } from './reach';
import type { CompiledProcedure } from './compiled-procedure';
import type { ProcedureEnd } from './frames';

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

/**
 * Inputs whose value just changed: every frame (active or paused) forgets what its gates
 * established on the old value. Frames are replaced, never written to.
 */
export function inputsChanged(change: Change, procedures: ReadonlyMap<string, CompiledProcedure>, inputs: readonly string[]): void {
  if (inputs.length === 0) return;
  const fresh = (frame: Change['state']['stack'][number]) => {
    const procedure = procedures.get(frame.procedure);
    return procedure ? withoutStale(gateModel(procedure), frame, inputs) : frame;
  };
  const { state } = change;
  state.stack = state.stack.map(fresh);
  if (state.paused.length > 0) state.paused = state.paused.map((stack) => stack.map(fresh));
}

/** A sub-procedure that ended normally lets its caller past the calls to it that the caller had reached. */
export function subprocedureDone(change: Change, end: Extract<ProcedureEnd, { kind: 'returned' }>, context: Pick<RuleContext, 'procedures'>): void {
  const { caller, ended } = end;
  const procedure = context.procedures.get(caller.procedure);
  if (!procedure) return;
  const model = gateModel(procedure);
  const { reached } = reach(model, caller, change.state);
  const done = [...reached].filter((id) => {
    const node = model.nodes.get(id);
    return node?.kind === 'subprocedure' && node.mode === 'call' && node.target === ended.procedure;
  });
  if (done.length > 0) caller.gates = { ...caller.gates, ...Object.fromEntries(done.map((id) => [id, 'done'])) };
}
