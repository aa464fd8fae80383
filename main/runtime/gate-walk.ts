// No skipping a gate (docs/runtime.md, the enforcement model): a call whose node lies past gates
// the run has not passed walks them first. Each gate on the way whose inputs exist is evaluated in
// its own step (the conversation enters that step, and its deterministic part runs: advance.ts),
// and the branch it picks is followed. Once the node is in reach the call is applied again; if a
// gate lacks its inputs, picks a branch that leads elsewhere, or is not the runtime's to evaluate
// (a connector call, a sub-procedure), the call is refused, traced, and the model told why.
//
// Pure, like advance.ts: a generator that yields each sandbox evaluation and receives its result.
import type { EvaluationRequest, EvaluationResult } from '../sandbox/types';
import { advance, type AdvanceResult, type SandboxEffect } from './advance';
import { applyTool } from './apply-tool';
import { begin, emit, topFrame, type Change } from './change';
import { refuse, settle, type Decision, type Effect, type RuleContext } from './decision';
import { enterStep, exitStep } from './frames';
import { blockersOf, describeGate, evaluable, gateModel, invariantFor, missingInputs, reach, type Invariant } from './reach';

type GateEffect = Extract<Effect, { kind: 'gates' }>;

export interface GateWalk {
  decision: Decision;
  /** The last run of a step's deterministic part during the walk, if any (what the step now waits on). */
  advanced: AdvanceResult | null;
  /** Handoffs or switches that branches Python chose on the way require (turn-rules.ts makes them). */
  obligations: AdvanceResult['obligations'];
}

interface Stop {
  reached: false;
  blocker: string | null;
  blockedBy: string[];
  missing: string[];
  why: string;
}

/** Walks the gates toward `effect.toward`, then applies the call again or refuses it. */
export function* passGates(state: Decision['state'], progressed: boolean, effect: GateEffect, context: RuleContext): Generator<SandboxEffect, GateWalk, EvaluationResult> {
  const change = begin(state, progressed);
  const walk: { advanced: AdvanceResult | null; obligations: AdvanceResult['obligations'] } = { advanced: null, obligations: [] };
  const stop = yield* walkToward(change, context, effect.toward, walk);
  if (!stop) {
    const awaiting = walk.advanced ? walk.advanced.awaitingDecision : context.awaiting;
    const retried = applyTool(change.state, effect.retry, { ...context, awaiting }, change.progressed);
    if (retried.effect?.kind !== 'gates') {
      return { decision: { ...retried, events: [...change.events, ...retried.events] }, ...walk };
    }
  }
  return { decision: refusal(change, effect, context, stop ?? { reached: false, blocker: null, blockedBy: [], missing: [], why: 'it is still out of reach' }), ...walk };
}

/** Runs `passGates` to the end with a synchronous evaluator (the rule tests). */
export function passGatesWith(state: Decision['state'], progressed: boolean, effect: GateEffect, context: RuleContext, evaluate: (request: EvaluationRequest) => EvaluationResult): GateWalk {
  const running = passGates(state, progressed, effect, context);
  let next = running.next();
  while (!next.done) next = running.next(evaluate(next.value.request));
  return next.value;
}

/** null once a target is in reach; otherwise why the walk stopped. Each round passes one gate or stops. */
function* walkToward(change: Change, context: RuleContext, toward: string[], walk: { advanced: AdvanceResult | null; obligations: AdvanceResult['obligations'] }): Generator<SandboxEffect, Stop | null, EvaluationResult> {
  for (;;) {
    const frame = topFrame(change.state);
    const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
    if (!frame || !procedure) return { reached: false, blocker: null, blockedBy: [], missing: [], why: 'no Procedure is active' };
    const model = gateModel(procedure);
    const { reached, blocking } = reach(model, frame, change.state);
    if (toward.some((id) => reached.has(id))) return null;
    const blockedBy = blockersOf(model, blocking, toward);
    const gate = blockedBy[0];
    if (!gate) return { reached: false, blocker: null, blockedBy, missing: [], why: 'nothing leads there from what the conversation has reached' };
    const stopAt = (missing: string[] = []): Stop => ({ reached: false, blocker: gate, blockedBy, missing, why: describeGate(model, gate, frame, change.state) });
    // Evaluated already (a branch not taken, a failure), or not the runtime's to evaluate.
    if (!evaluable(model, gate) || frame.gates?.[gate] !== undefined) return stopAt();
    const missing = missingInputs(model, gate, change.state);
    if (missing.length > 0) return stopAt(missing);
    const stepId = model.nodes.get(gate)?.stepId;
    if (!stepId || !procedure.stepById(stepId)) return stopAt();
    if (frame.stepId !== stepId) {
      exitStep(change, frame);
      enterStep(change, frame, stepId);
    }
    const result = yield* advance(change, procedure);
    walk.advanced = result;
    walk.obligations.push(...result.obligations);
    // The step's deterministic part stopped before this gate (a plain-language decision, a failure).
    if (topFrame(change.state)?.gates?.[gate] === undefined) {
      const waiting = result.awaitingDecision ? [`a decision on ${result.awaitingDecision.conditionId} (decide_condition)`] : (result.waitingFor?.missing ?? []);
      return { ...stopAt(waiting), why: result.failed ? `${result.failed.nodeId} failed: ${result.failed.message}` : describeGate(model, gate, topFrame(change.state)!, change.state) };
    }
  }
}

function refusal(change: Change, effect: GateEffect, context: RuleContext, stop: Stop): Decision {
  const frame = topFrame(change.state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  const fallback: Invariant = effect.refusal === 'action' ? 'action-out-of-reach' : 'no-skipped-gate';
  const invariant = frame && procedure ? invariantFor(gateModel(procedure), frame, change.state, effect.toward, fallback) : fallback;
  const step = frame && procedure ? procedure.stepById(frame.stepId)?.title : undefined;
  const payload = {
    invariant,
    nodeId: stop.blocker,
    target: effect.toward[0] ?? null,
    blockedBy: stop.blockedBy,
    missing: stop.missing,
    reason: stop.why,
    ...(effect.refusal === 'action' ? { action: effect.what.replace(/^@/, '') } : { tool: effect.retry.name }),
  };
  emit(change, { type: effect.refusal === 'action' ? 'action_refused' : 'move_refused', stepId: frame?.stepId ?? null, payload });
  const advice =
    invariant === 'branch-not-binding'
      ? 'The Procedure does not allow it on the branch taken: follow that branch instead.'
      : stop.missing.length > 0
        ? `Get the ${stop.missing.join(' and the ')} first; the runtime then evaluates the gate and follows the branch it picks.`
        : 'Do what the Procedure asks before it first.';
  const at = step ? ` The conversation is at step "${step}".` : '';
  return settle(change, refuse(`Not allowed yet: ${effect.what} lies past a control of the Procedure, and ${stop.why}. ${advice}${at}`));
}
