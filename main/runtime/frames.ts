// How the conversation moves through Procedures, as pure changes to a working copy (change.ts):
// entering a Procedure or a step, a change of topic (paused, or left for good with @switch), and
// the end of a Procedure (a sub-procedure returns, a paused topic resumes, or its work is complete).
import { copyFrame, emit, topFrame, type Change } from './change';
import type { CompiledProcedure } from './compiled-procedure';
import { PLAIN } from './reach';
import type { Frame, TraceEvent } from './types';

export function enterProcedure(change: Change, procedure: CompiledProcedure, kind: Frame['kind']): void {
  const first = procedure.steps[0];
  const frame: Frame = { procedure: procedure.name, version: procedure.version, stepId: first?.id ?? '', decided: {}, ran: [], kind };
  change.state.stack.push(frame);
  emit(change, { type: 'procedure_start', stepId: frame.stepId, payload: { procedure: procedure.name, version: procedure.version, kind } });
  if (first) enterStep(change, frame, first.id);
  change.progressed = true;
}

/** A revisit with nothing new since the last progress counts toward the loop check. */
export function enterStep(change: Change, frame: Frame, stepId: string): void {
  const { state } = change;
  const revisit = state.visited.some((visit) => visit.procedure === frame.procedure && visit.stepId === stepId);
  if (revisit && state.progress.lastProgressTurn < state.turn && !change.progressed) state.progress.loopStrikes += 1;
  if (!revisit) change.progressed = true;
  frame.stepId = stepId;
  // A new visit: the model decides the step's plain-language conditions afresh (reach.ts).
  if (frame.gates) frame.gates = Object.fromEntries(Object.entries(frame.gates).filter(([id, outcome]) => !(outcome.startsWith(PLAIN) && id.startsWith(`${stepId}/`))));
  frame.decided = {};
  frame.ran = [];
  state.visited = [...state.visited, { procedure: frame.procedure, stepId, turn: state.turn }];
  emit(change, { type: 'step_enter', stepId, payload: { procedure: frame.procedure, revisit } });
}

export function exitStep(change: Change, frame: Frame): void {
  emit(change, { type: 'step_exit', stepId: frame.stepId, payload: { procedure: frame.procedure } });
}

/**
 * Leaves the current Procedure for `name`. Where the Procedure itself says `@switch [[name]]` it
 * is left for good (returns its name); any other change of topic pauses it, to resume later.
 */
export function switchOrPause(change: Change, procedures: ReadonlyMap<string, CompiledProcedure>, name: string, reason: string | null, switchInReach = true): string | null {
  const { state } = change;
  const stack = state.stack;
  const top = topFrame(state);
  if (!top) return null;
  if (switchInReach && procedures.get(top.procedure)?.switches.has(name)) {
    for (const frame of [...stack].reverse()) {
      exitStep(change, frame);
      emit(change, { type: 'procedure_end', stepId: frame.stepId, payload: { procedure: frame.procedure, summary: `switched to ${name}` } });
    }
    state.stack = [];
    return top.procedure;
  }
  state.paused = [...state.paused, stack];
  state.stack = [];
  emit(change, { type: 'procedure_pause', stepId: top.stepId, payload: { procedure: top.procedure, reason } });
  return null;
}

export type ProcedureEnd =
  | { kind: 'none' }
  | { kind: 'returned'; ended: Frame; caller: Frame }
  | { kind: 'resumed'; ended: Frame; resumed: Frame }
  | { kind: 'complete'; ended: Frame };

/**
 * Ends the innermost Procedure: its caller carries on, or the topic paused last resumes, or, with
 * neither, its work is complete (`complete: true` on the event). Even then the conversation stays
 * open, waiting: a Procedure cannot close a conversation, and the customer's next message is
 * routed afresh rather than resuming what ended.
 */
export function endProcedure(change: Change, summary: string | null): ProcedureEnd {
  const { state } = change;
  const ended = state.stack.pop();
  if (!ended) return { kind: 'none' };
  const caller = topFrame(state);
  const paused = caller ? undefined : state.paused.at(-1);
  exitStep(change, ended);
  emit(change, { type: 'procedure_end', stepId: ended.stepId, payload: { procedure: ended.procedure, summary, ...(caller || paused ? {} : { complete: true }) } });
  change.progressed = true;
  if (caller) return { kind: 'returned', ended, caller };
  if (paused) {
    state.paused = state.paused.slice(0, -1);
    // Paused frames are shared with the state this change began from: the resumed ones are copies.
    state.stack = paused.map(copyFrame);
    const resumed = state.stack[state.stack.length - 1]!;
    emit(change, { type: 'procedure_resume', stepId: resumed.stepId, payload: { procedure: resumed.procedure } });
    return { kind: 'resumed', ended, resumed };
  }
  return { kind: 'complete', ended };
}

/**
 * Whether a turn's trace leaves every Procedure complete: its last Procedure event is an end with
 * nothing to return to or resume (a simulation of one Procedure is over there).
 */
export function endsAllProcedures(trace: readonly TraceEvent[]): boolean {
  const last = trace.findLast((event) => event.type.startsWith('procedure_'));
  return last?.type === 'procedure_end' && last.payload.complete === true;
}
