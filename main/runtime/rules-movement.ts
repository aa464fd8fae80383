// The rules of the tools that move the conversation: go_to_step, decide_condition,
// run_subprocedure, start_procedure and end_procedure.
import { emit, topFrame, type Change } from './change';
import { refuse, type RuleContext, type RuleResult } from './decision';
import { activeNodes, owedFirst, requireReach, subprocedureDone } from './enforcement';
import { endProcedure, enterProcedure, enterStep, exitStep, switchOrPause } from './frames';
import { gateModel, PLAIN } from './reach';

/** Within the active Procedure, back or ahead. */
export function goToStepRule(change: Change, input: { step_id: string; reason?: string | undefined }, context: RuleContext): RuleResult {
  const frame = topFrame(change.state);
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  if (!frame || !procedure) return refuse('No Procedure is active.');
  const step = procedure.stepById(input.step_id);
  if (!step) return refuse(`"${input.step_id}" is not a step of ${procedure.name}. Steps: ${procedure.steps.map((s) => s.id).join(', ')}.`);
  // Back, or ahead as far as the gates on the way allow: no skipping a gate.
  const gated = requireReach(change, context, { toward: [step.id], retry: { name: 'go_to_step', input }, what: `step "${step.title}"`, refusal: 'move' });
  if (gated) return gated;
  exitStep(change, frame);
  enterStep(change, frame, input.step_id);
  return { outcome: { content: `Now at step "${step.title}".`, echo: `Now at step "${step.title}".`, followUp: false }, effect: { kind: 'advance', separator: ' ', followUp: 'from-notes' } };
}

/** Only the plain-language condition the step is waiting on, and one of its branches. */
export function decideConditionRule(change: Change, input: { condition_id: string; branch_id: string; reason: string }, context: RuleContext): RuleResult {
  const frame = topFrame(change.state);
  // What the last run of the deterministic part waits on, if it is still the active step's (not a paused topic's).
  const procedure = frame ? context.procedures.get(frame.procedure) : undefined;
  const waiting = context.awaiting;
  const awaiting = waiting && procedure && gateModel(procedure).nodes.get(waiting.conditionId)?.stepId === frame?.stepId ? waiting : null;
  if (!frame || !awaiting || awaiting.conditionId !== input.condition_id) {
    return refuse(
      awaiting
        ? `Only ${awaiting.conditionId} is waiting for a decision in this step.`
        : 'No plain-language condition is waiting for a decision here; Python conditions are decided by the runtime.',
    );
  }
  const branch = awaiting.branches.find((candidate) => candidate.id === input.branch_id);
  if (!branch) return refuse(`Choose one of: ${awaiting.branches.map((b) => b.id).join(', ')}.`);
  frame.decided = { ...frame.decided, [awaiting.conditionId]: branch.id };
  frame.gates = { ...frame.gates, [awaiting.conditionId]: `${PLAIN}${branch.id}` };
  change.progressed = true;
  emit(change, { type: 'condition', stepId: frame.stepId, payload: { nodeId: awaiting.conditionId, branchId: branch.id, kind: 'plain', test: branch.test, reason: input.reason } });
  return { outcome: { content: `Recorded: ${branch.id}.`, echo: `Recorded: ${branch.id}.`, followUp: false }, effect: { kind: 'advance', separator: ' ', followUp: 'from-notes' } };
}

/** Only sub-procedures the active Procedure calls; the conversation returns to the calling step. */
export function runSubprocedureRule(change: Change, input: { name: string }, context: RuleContext): RuleResult {
  const frame = topFrame(change.state);
  const caller = frame ? context.procedures.get(frame.procedure) : undefined;
  if (!frame || !caller || !caller.calls.has(input.name)) return refuse(`${input.name} is not a sub-procedure the active Procedure calls.`);
  const sub = context.procedures.get(input.name);
  if (!sub) return refuse(`The Procedure ${input.name} is not available.`);
  const owed = owedFirst(change, context, 'run_subprocedure');
  if (owed) return owed;
  const calls = activeNodes(change, context, (node) => node.kind === 'subprocedure' && node.mode === 'call' && node.target === input.name);
  const gated = requireReach(change, context, { toward: calls, retry: { name: 'run_subprocedure', input }, what: `[[${input.name}]]`, refusal: 'move' });
  if (gated) return gated;
  enterProcedure(change, sub, 'sub');
  return { outcome: { content: `Started ${sub.name} at its first step; the conversation returns to "${frame.stepId}" when it ends.`, followUp: 'if-silent' } };
}

/** A change of topic pauses the current Procedure; `@switch [[X]]` leaves it for good. */
export function startProcedureRule(change: Change, input: { name: string; reason?: string | undefined }, context: RuleContext): RuleResult {
  const target = context.procedures.get(input.name);
  if (!context.routable.some((procedure) => procedure.name === input.name) || !target) return refuse(`${input.name} is not a Procedure that can be started.`);
  // The switch a Python branch requires is itself a start_procedure: only other topics wait.
  const required = (context.owed ?? []).some((obligation) => obligation.kind === 'switch' && obligation.target === input.name);
  const owed = required ? null : owedFirst(change, context, 'start_procedure');
  if (owed) return owed;
  // `@switch [[X]]` leaves the Procedure for good only once the switch is in reach; before, X is a change of topic.
  const switches = activeNodes(change, context, (node) => node.kind === 'subprocedure' && node.mode === 'switch' && node.target === input.name);
  const switchInReach = switches.length > 0 && requireReach(change, context, { toward: switches, retry: { name: 'start_procedure', input }, what: `[[${input.name}]]`, refusal: 'move' }) === null;
  const switched = switchOrPause(change, context.procedures, input.name, input.reason ?? null, switchInReach);
  enterProcedure(change, target, switched ? 'switched' : 'main');
  return { outcome: { content: switched ? `Switched to ${target.name}; ${switched} will not resume.` : `Started ${target.name}.`, followUp: 'if-silent' } };
}

/** A sub-procedure returns to its caller, a paused topic resumes, or the Procedure's work is complete (the conversation stays open). */
export function endProcedureRule(change: Change, input: { summary?: string | undefined }, context: RuleContext): RuleResult {
  // Only from where the Procedure ends (any of its ends in reach), when it has ends at all.
  const ends = activeNodes(change, context, (node) => node.kind === 'end');
  const frame = topFrame(change.state);
  const gated = requireReach(change, context, { toward: ends, retry: { name: 'end_procedure', input }, what: `the end of ${frame?.procedure ?? 'the Procedure'}`, refusal: 'move' });
  if (gated) return gated;
  const end = endProcedure(change, input.summary ?? null);
  if (end.kind === 'returned') subprocedureDone(change, end, context);
  switch (end.kind) {
    case 'none':
      return refuse('No Procedure is active.');
    case 'returned':
      return { outcome: { content: `${end.ended.procedure} is complete; back in ${end.caller.procedure} at ${end.caller.stepId}. Carry on from there.`, followUp: 'if-silent' } };
    case 'resumed':
      return { outcome: { content: `${end.ended.procedure} is complete; resuming ${end.resumed.procedure} at ${end.resumed.stepId}.`, followUp: 'if-silent' } };
    case 'complete':
      // Not the conversation's end: the model may still reply in this turn, and must if it has not.
      return {
        outcome: {
          content: `${end.ended.procedure} is complete and no Procedure is active now. The conversation stays open: unless you already have, tell the customer and ask whether there is anything else. What they ask next is routed afresh.`,
          followUp: 'if-silent',
        },
      };
  }
}
