// What the rules ask of the enforcement model (docs/runtime.md): a move, action, sub-procedure,
// handoff or end goes ahead only when its node is in reach of the active Procedure's run. When it
// is not, the rule asks the loop to walk the gates on the way (gate-walk.ts), which evaluates what
// it can and then applies the tool call again, or refuses it with what is missing.
import type { GraphNode } from '../../shared/procedure';
import { currentStepId, emit, finish, topFrame, type Change } from './change';
import { refuse, type RuleContext, type RuleResult } from './decision';
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

/**
 * Branches are binding: while a handoff, switch or end that a Python branch requires is owed by a
 * Procedure on the stack, the conversation may not leave it for another (a new topic, a sub-procedure), or
 * the runtime could no longer make it. A refusal, traced, or null.
 */
export function owedFirst(change: Change, context: RuleContext, tool: string): RuleResult | null {
  const { stack } = change.state;
  const owed = liveObligations(change.state, context.owed ?? [], context.procedures).find((obligation) =>
    obligation.kind === 'end' ? stack.some((frame) => frame.procedure === obligation.target) : obligation.kind === 'handoff' || !stack.some((frame) => frame.procedure === obligation.target),
  );
  if (!owed || change.state.outcome) return null;
  const what =
    owed.kind === 'end'
      ? `${owed.target} must end first (call end_procedure)`
      : owed.kind === 'handoff'
        ? `the conversation goes to ${owed.target} (call handoff)`
        : `the switch to ${owed.target} must be made first (call start_procedure with "${owed.target}")`;
  emit(change, { type: 'move_refused', stepId: topFrame(change.state)?.stepId ?? null, payload: { invariant: 'branch-not-binding', nodeId: owed.nodeId, target: null, blockedBy: [owed.nodeId], missing: [], reason: `the branch Python chose requires it: ${what}`, tool } });
  return refuse(`Not allowed now: the branch the runtime chose requires that ${what}.`);
}

type Obligation = NonNullable<RuleContext['owed']>[number];

/** Makes the handoff a branch Python chose requires (branches are binding), traced as enforced; `instead`: the tool it replaced. */
export function makeRequiredHandoff(change: Change, handoff: Obligation, summary: string, instead?: string): void {
  emit(change, { type: 'enforced', stepId: currentStepId(change.state), payload: { nodeId: handoff.nodeId, kind: handoff.kind, target: handoff.target, ...(instead ? { instead } : {}) } });
  finish(change, 'handed_off', 'required by the Procedure', handoff.target, summary, null);
}

/**
 * The obligations that still stand: one whose node the run no longer reaches (the gate that chose
 * its branch was evaluated again on new inputs and chose another) is void. One owed by a
 * Procedure no longer on the stack is kept: the turn's end decides (a handoff still applies).
 */
export function liveObligations(state: Change['state'], obligations: readonly Obligation[], procedures: ReadonlyMap<string, CompiledProcedure>): Obligation[] {
  return obligations.filter((obligation) => {
    let holders = 0;
    for (const frame of state.stack) {
      const procedure = procedures.get(frame.procedure);
      if (!procedure) continue;
      const model = gateModel(procedure);
      if (!model.nodes.has(obligation.nodeId)) continue;
      holders += 1;
      // While this run still holds the choice that required it, it stands: a gate upstream going stale
      // afterwards does not undo a branch Python has already chosen. A run with no such choice (a new
      // run of the Procedure, or the choice forgotten as stale) owes it only if it reaches the node.
      const chosen = obligation.chosenBy ? frame.gates?.[obligation.chosenBy.condition] : undefined;
      if (chosen !== undefined) {
        if (chosen === obligation.chosenBy!.branch) return true;
      } else if (reach(model, frame, state).reached.has(obligation.nodeId)) return true;
    }
    return holders === 0;
  });
}

/**
 * Branches are binding: while a handoff, switch or end a Python branch requires is owed, the inputs
 * of the gates the run has evaluated may not change (a new value would void the branch before the
 * runtime makes what it requires). A refusal, traced, or null.
 */
export function inputsLocked(change: Change, context: RuleContext, inputs: readonly string[], refusal: { type: 'move_refused' | 'action_refused'; tool: string }): RuleResult | null {
  if (inputs.length === 0 || !context.owed?.length || change.state.outcome) return null;
  const owed = liveObligations(change.state, context.owed, context.procedures)[0];
  const frame = topFrame(change.state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  if (!owed || !frame || !procedure) return null;
  const model = gateModel(procedure);
  const gates = frame.gates ?? {};
  const held = inputs.flatMap((input) => (model.readers.get(input) ?? []).filter((id) => id in gates));
  if (held.length === 0) return null;
  const what = owed.kind === 'end' ? `${owed.target} to end` : owed.kind === 'handoff' ? `the handoff to ${owed.target}` : `the switch to ${owed.target}`;
  emit(change, { type: refusal.type, stepId: frame.stepId, payload: { invariant: 'branch-not-binding', nodeId: owed.nodeId, target: null, blockedBy: held, missing: [], reason: `the branch Python chose requires ${what}`, tool: refusal.tool } });
  return refuse(`Not allowed now: the branch the runtime chose (${held.join(', ')}) requires ${what}, and this would change what it decided on. Make the ${owed.kind} instead.`);
}
