// checkConformance(procedures, trace): replays a conversation's trace against the graphs of the
// Procedures it went through and reports every place where the enforcement model's invariants
// (docs/runtime.md) do not hold. Pure: no I/O, no clock, and no use of the runtime's rule code.
//
// The replay keeps its own Procedure stack (procedure_start/_end/_pause/_resume), and per frame
// what has been evaluated (code_run, condition, sub-procedures that ended, connector results).
// From those facts `reach` gives the part of the graph the conversation has legitimately reached;
// a step entered, an action run, a sub-procedure started, a handoff, switch or end made outside
// it is a violation.
import type { ProcedureDocument } from '../../shared/procedure';
import type { TraceEvent } from '../runtime/types';
import { attributeInput, dataInput, gatesBefore, openBranches, procedureModel, reach, requiredTerminals, type GateFacts, type ProcedureModel, type Reach, type ReachOptions } from './procedure-model';
import type { Invariant, Violation } from './violation';

/** The Procedures a trace may name, by name (and version, when several are known). */
export type ProcedureSource =
  | ReadonlyMap<string, ProcedureDocument | { document: ProcedureDocument }>
  | ((name: string, version: string | undefined) => ProcedureDocument | { document: ProcedureDocument } | undefined);

/** A trace event as the runtime emits it or the store returns it (with its id). */
export type CheckedEvent = TraceEvent & { id?: number | string };

interface FrameFacts {
  codeRan: Set<string>;
  evaluatedWith: Map<string, Map<string, string>>;
  pythonResults: Map<string, Map<string, boolean>>;
  plainDecisions: Map<string, string>;
  subsDone: Set<string>;
}

interface ReplayFrame {
  procedure: string;
  kind: string;
  model: ProcedureModel | null;
  stepId: string;
  facts: FrameFacts;
  /** For a sub-procedure: the caller's call nodes its normal end completes. */
  completes: { frame: ReplayFrame; nodes: string[] } | null;
}

interface Obligation {
  frame: ReplayFrame;
  /** The condition whose Python-chosen branch requires it, and that branch. */
  conditionId: string;
  branchId: string;
  kind: 'handoff' | 'switch' | 'end';
  target: string;
  nodeId: string;
  eventIndex: number;
  discharged: boolean;
}

interface ToolSegment {
  /** Its first event, and its `tool_call` event. */
  start: number;
  end: number;
  tool: string;
  input: Record<string, unknown>;
  ok: boolean;
  result: unknown;
}

const OUTAGE_REASON = /^model unavailable/;
const SWITCH_SUMMARY = /^switched to /;

export function checkConformance(procedures: ProcedureSource, trace: readonly CheckedEvent[]): Violation[] {
  return new Replay(procedures, trace).run();
}

class Replay {
  private readonly violations: Violation[] = [];
  private stack: ReplayFrame[] = [];
  private paused: ReplayFrame[][] = [];
  private readonly called = new Set<string>();
  /** Input values as JSON (attributes, connector results): a gate is evaluated for the inputs it saw. */
  private readonly values = new Map<string, string>();
  private obligations: Obligation[] = [];
  /** The tool call each event belongs to (its segment), by event index; absent for the runtime's own events. */
  private readonly segmentOf: (ToolSegment | undefined)[];
  /** Segments by their first event, for the checks made before a tool's effects. */
  private readonly segmentStarts = new Map<number, ToolSegment>();

  constructor(
    private readonly procedures: ProcedureSource,
    private readonly trace: readonly CheckedEvent[],
  ) {
    this.segmentOf = new Array(trace.length);
    this.findSegments();
  }

  run(): Violation[] {
    this.trace.forEach((event, index) => {
      const segment = this.segmentStarts.get(index);
      if (segment) this.beforeTool(segment);
      this.actionRan(index);
      this.apply(event, index);
    });
    this.closeTurn();
    return this.violations;
  }

  // ----- segments: which tool call each event belongs to ------------------------------------------

  /** A tool call's events come before its `tool_call` event, after the previous tool call or model call. */
  private findSegments() {
    let start = 0;
    this.trace.forEach((event, index) => {
      if (event.type === 'model_call' || event.type === 'customer_message') {
        start = index + 1;
        return;
      }
      if (event.type !== 'tool_call') return;
      const payload = event.payload;
      const segment: ToolSegment = {
        start,
        end: index,
        tool: String(payload.tool ?? ''),
        input: isRecord(payload.input) ? payload.input : {},
        ok: payload.ok === true,
        result: payload.result,
      };
      for (let i = start; i <= index; i++) this.segmentOf[i] = segment;
      this.segmentStarts.set(start, segment);
      start = index + 1;
    });
  }

  private segmentEvents(segment: ToolSegment, end: number): CheckedEvent[] {
    return this.trace.slice(segment.start, end);
  }

  // ----- the replay ------------------------------------------------------------------------------

  private apply(event: CheckedEvent, index: number) {
    const payload = event.payload ?? {};
    switch (event.type) {
      case 'customer_message':
        this.closeTurn();
        return;
      case 'procedure_start':
        return this.procedureStart(String(payload.procedure ?? ''), String(payload.kind ?? 'main'), payload.version, event, index);
      case 'procedure_pause':
        if (this.stack.length > 0) this.paused.push(this.stack);
        this.stack = [];
        return;
      case 'procedure_resume':
        this.stack = this.paused.pop() ?? [];
        return;
      case 'procedure_end':
        return this.procedureEnd(event, index);
      case 'step_enter':
        return this.stepEnter(event, index);
      case 'attribute_set':
        return this.changed(attributeInput(String(payload.name)), payload.value, payload.source === 'customer' ? { event, index } : null);
      case 'code_run':
        return this.codeRun(payload);
      case 'condition':
        return this.condition(event, index);
      case 'tool_call':
        return this.toolCall(event, index);
      case 'handoff':
        return this.handoff(event, index);
      case 'escalation':
        // A person takes over: what the Procedure still required is theirs to do.
        return this.discharge(() => true);
    }
  }

  private top(): ReplayFrame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private lookup(name: string, version: unknown): ProcedureModel | null {
    const found = typeof this.procedures === 'function' ? this.procedures(name, typeof version === 'string' ? version : undefined) : this.procedures.get(name);
    if (!found) return null;
    return procedureModel('document' in found ? found.document : found);
  }

  private procedureStart(name: string, kind: string, version: unknown, event: CheckedEvent, index: number) {
    const caller = this.top();
    const model = this.lookup(name, version);
    const frame: ReplayFrame = {
      procedure: name,
      kind,
      model,
      stepId: event.stepId ?? '',
      facts: { codeRan: new Set(), evaluatedWith: new Map(), pythonResults: new Map(), plainDecisions: new Map(), subsDone: new Set() },
      completes: null,
    };
    if (kind === 'sub' && caller?.model) {
      const callModel = caller.model;
      const candidates = nodesWhere(callModel, (node) => node.kind === 'subprocedure' && node.mode === 'call' && node.target === name);
      const { reached, blocking } = this.reachOf(caller);
      const inReach = candidates.filter((id) => reached.has(id));
      if (candidates.length > 0 && inReach.length === 0) {
        this.report('no-skipped-gate', caller, candidates[0]!, event, index, blockers(callModel, blocking, candidates), `the sub-procedure ${name} was started before the conversation legitimately reached the step that calls it`);
      }
      frame.completes = { frame: caller, nodes: inReach.length > 0 ? inReach : candidates };
    }
    this.stack.push(frame);
  }

  private procedureEnd(event: CheckedEvent, index: number) {
    const frame = this.stack.pop();
    if (!frame) return;
    const summary = typeof event.payload.summary === 'string' ? event.payload.summary : '';
    if (SWITCH_SUMMARY.test(summary) || this.followedBySwitch(index)) {
      // A switch leaves every frame; the one that was on top says whether it was allowed.
      const target = summary.replace(SWITCH_SUMMARY, '');
      if (!this.continuesSwitch(index)) this.checkSwitch(frame, target, event, index);
      this.discharge((obligation) => obligation.frame === frame || obligation.kind === 'switch');
      return;
    }
    if (frame.model && !this.owed((obligation) => obligation.frame === frame && obligation.kind === 'end')) {
      const ends = nodesWhere(frame.model, (node) => node.kind === 'end');
      const { reached, blocking } = this.reachOf(frame);
      if (ends.length > 0 && !ends.some((id) => reached.has(id))) {
        this.report('no-skipped-gate', frame, ends[0]!, event, index, blockers(frame.model, blocking, ends), `${frame.procedure} ended before any of its ends (${ends.join(', ')}) was legitimately reached`);
      }
    }
    this.discharge((obligation) => obligation.frame === frame && obligation.kind === 'end');
    if (frame.completes) for (const node of frame.completes.nodes) frame.completes.frame.facts.subsDone.add(node);
  }

  /** A switch ends every frame, innermost first: only the first end is checked, against the frame that switched. */
  private continuesSwitch(index: number): boolean {
    for (let i = index - 1; i >= 0; i--) {
      const type = this.trace[i]!.type;
      if (type === 'step_exit') continue;
      return type === 'procedure_end';
    }
    return false;
  }

  private followedBySwitch(index: number): boolean {
    for (let i = index + 1; i < this.trace.length; i++) {
      const type = this.trace[i]!.type;
      if (type === 'procedure_end' || type === 'step_exit') continue;
      return type === 'procedure_start' && this.trace[i]!.payload.kind === 'switched';
    }
    return false;
  }

  private checkSwitch(frame: ReplayFrame, target: string, event: CheckedEvent, index: number) {
    if (!frame.model || this.owed((obligation) => obligation.kind === 'switch' && obligation.frame === frame)) return;
    const candidates = nodesWhere(frame.model, (node) => node.kind === 'subprocedure' && node.mode === 'switch' && (!target || node.target === target));
    const { reached, blocking } = this.reachOf(frame);
    if (candidates.length > 0 && !candidates.some((id) => reached.has(id))) {
      this.report('no-skipped-gate', frame, candidates[0]!, event, index, blockers(frame.model, blocking, candidates), `${frame.procedure} switched to ${target || 'another Procedure'} before the switch was legitimately reached`);
    }
  }

  private stepEnter(event: CheckedEvent, index: number) {
    const frame = this.top();
    const stepId = event.stepId ?? '';
    if (!frame) return;
    frame.stepId = stepId;
    if (!frame.model) return;
    // A new visit of a step: the model decides its plain-language conditions afresh.
    for (const id of [...frame.facts.plainDecisions.keys()]) if (frame.model.nodes.get(id)?.stepId === stepId) frame.facts.plainDecisions.delete(id);
    const { reached, blocking } = this.reachOf(frame);
    if (frame.model.nodes.has(stepId) && !reached.has(stepId)) {
      this.report('no-skipped-gate', frame, stepId, event, index, gatesBefore(frame.model, blocking, stepId), `the step ${stepId} was entered before the gates that lead to it were passed`);
    }
  }

  private codeRun(payload: Record<string, unknown>) {
    const frame = this.top();
    if (!frame || typeof payload.nodeId !== 'string') return;
    if (payload.ok === true) {
      frame.facts.codeRan.add(payload.nodeId);
      this.remember(frame, payload.nodeId);
    } else frame.facts.codeRan.delete(payload.nodeId);
  }

  /**
   * A new value for an input: gates that read it and ran on the old one no longer hold. `byModel`:
   * the model's own call changed it. While a branch's handoff, switch or end is owed, the model may
   * not change what the gates already evaluated read, or it could talk the runtime out of it.
   */
  private changed(input: string, value: unknown, byModel: { event: CheckedEvent; index: number } | null) {
    const text = JSON.stringify(value) ?? 'undefined';
    if (byModel && this.values.get(input) !== text) {
      const owed = this.obligations.find((obligation) => !obligation.discharged && [...obligation.frame.facts.evaluatedWith.values()].some((inputs) => inputs.has(input)));
      if (owed) {
        this.report('branch-not-binding', owed.frame, owed.nodeId, byModel.event, byModel.index, [owed.conditionId], `${input.replace(/^\w+:/, '')} was changed by the model while the branch ${owed.branchId} still required ${owed.kind === 'handoff' ? `the handoff to ${owed.target}` : owed.kind === 'switch' ? `the switch to ${owed.target}` : 'the end'}`);
      }
    }
    this.values.set(input, text);
  }

  /** The values of a gate's inputs as it was evaluated. */
  private remember(frame: ReplayFrame, nodeId: string) {
    const inputs = frame.model?.inputs.get(nodeId) ?? [];
    frame.facts.evaluatedWith.set(nodeId, new Map(inputs.map((input) => [input, this.values.get(input) ?? ''])));
  }

  private condition(event: CheckedEvent, index: number) {
    const payload = event.payload;
    const frame = this.top();
    const conditionId = payload.nodeId;
    if (!frame?.model || typeof conditionId !== 'string') return;
    const branchId = typeof payload.branchId === 'string' ? payload.branchId : null;
    if (payload.kind === 'plain') {
      if (!branchId) return;
      if (!frame.model.nodes.has(conditionId)) {
        this.report('no-skipped-gate', frame, conditionId, event, index, [], `the model's decision ${branchId} was recorded in ${frame.procedure}, which has no condition ${conditionId}`);
        return;
      }
      if (!this.modelMayDecide(frame, conditionId, branchId)) {
        this.report('no-skipped-gate', frame, conditionId, event, index, [conditionId], `the model's decision ${branchId} was taken on a Python test, which only the sandbox decides`);
        return;
      }
      frame.facts.plainDecisions.set(conditionId, branchId);
      return;
    }
    const order = frame.model.branches.get(conditionId) ?? [];
    const position = order.findIndex((branch) => branch.id === branchId);
    const before = openBranches(frame.model, conditionId, this.factsOf(frame));
    // Branches are tested in order: a result for one starts over from it.
    const results = new Map([...(frame.facts.pythonResults.get(conditionId) ?? [])].filter(([id]) => order.findIndex((branch) => branch.id === id) < position));
    if (payload.ok === false || position < 0 || typeof payload.result !== 'boolean') {
      frame.facts.pythonResults.delete(conditionId);
      return;
    }
    results.set(branchId!, payload.result);
    frame.facts.pythonResults.set(conditionId, results);
    this.remember(frame, conditionId);
    const after = openBranches(frame.model, conditionId, this.factsOf(frame));
    const chosen = after && after.branches.length === 1 && !after.none ? after.branches[0]! : null;
    // Evaluated again (the model could not have changed its inputs while it was owed, below): what
    // a branch no longer chosen required is void.
    if (after) this.discharge((obligation) => obligation.frame === frame && obligation.conditionId === conditionId && obligation.branchId !== chosen);
    const byPython = chosen !== null && order.slice(0, order.findIndex((branch) => branch.id === chosen) + 1).every((branch) => branch.test !== 'plain');
    if (byPython && !(before && before.branches.length === 1 && before.branches[0] === chosen)) {
      for (const node of requiredTerminals(frame.model, chosen)) {
        const kind = node.kind === 'handoff' ? 'handoff' : node.kind === 'end' ? 'end' : 'switch';
        this.obligations.push({ frame, conditionId, branchId: chosen, kind, target: kind === 'handoff' ? node.label : (node.target ?? ''), nodeId: node.id, eventIndex: index, discharged: false });
      }
    }
  }

  /**
   * The model decides a condition only from its first plain-language test on, once every Python
   * test before that has come out false; its branch is one of those or `none`.
   */
  private modelMayDecide(frame: ReplayFrame, conditionId: string, branchId: string): boolean {
    const order = frame.model!.branches.get(conditionId) ?? [];
    const firstPlain = order.findIndex((branch) => branch.test === 'plain');
    if (firstPlain < 0) return false;
    const results = frame.facts.pythonResults.get(conditionId);
    if (!order.slice(0, firstPlain).every((branch) => results?.get(branch.id) === false)) return false;
    return branchId === 'none' || order.findIndex((branch) => branch.id === branchId) >= firstPlain;
  }

  private handoff(event: CheckedEvent, index: number) {
    const reason = String(event.payload.reason ?? '');
    if (OUTAGE_REASON.test(reason)) return;
    const team = String(event.payload.team ?? '');
    const required = this.owed((obligation) => obligation.kind === 'handoff' && obligation.target.toLowerCase() === team.toLowerCase());
    this.discharge((obligation) => obligation.kind !== 'handoff' || obligation.target.toLowerCase() === team.toLowerCase());
    const frame = this.top();
    if (!frame?.model || required) return;
    const candidates = nodesWhere(frame.model, (node) => node.kind === 'handoff' && node.label.toLowerCase() === team.toLowerCase());
    if (candidates.length === 0) return;
    const { reached, blocking } = this.reachOf(frame);
    if (!candidates.some((id) => reached.has(id))) {
      this.report('no-skipped-gate', frame, candidates[0]!, event, index, blockers(frame.model, blocking, candidates), `the handoff to ${team} was made before the conversation legitimately reached it`);
    }
  }

  private toolCall(event: CheckedEvent, index: number) {
    const segment = this.segmentOf[index];
    if (!segment) return;
    const events = this.segmentEvents(segment, index);
    const types = new Set(events.map((candidate) => candidate.type));
    const frame = this.top();
    const refuse = (message: string) => this.report('refusal-not-visible', frame ?? null, event.stepId ?? null, event, index, [], message);
    if (!segment.ok) {
      if (typeof segment.result !== 'string' || segment.result.trim().length === 0) refuse(`the ${segment.tool} call was refused without telling the model why`);
      return;
    }
    if (isActionTool(segment.tool) && (types.has('action_refused') || types.has('action_needs_confirmation'))) {
      refuse(`the ${segment.tool} call was held back but reported to the model as done`);
      return;
    }
    const moved = types.has('handoff') || types.has('escalation') || types.has('procedure_end') || types.has('conversation_end');
    const missing = (() => {
      switch (segment.tool) {
        case 'go_to_step':
          return events.some((candidate) => candidate.type === 'step_enter' && candidate.stepId === segment.input.step_id) || moved ? null : 'the step was not entered';
        case 'run_subprocedure':
        case 'start_procedure':
          return types.has('procedure_start') || moved ? null : 'no Procedure was started';
        case 'end_procedure':
          return types.has('procedure_end') ? null : 'the Procedure did not end';
        case 'handoff':
          return types.has('handoff') || types.has('escalation') ? null : 'no handoff was made';
        case 'decide_condition':
          return types.has('condition') ? null : 'no decision was recorded';
        default:
          return null;
      }
    })();
    if (missing) refuse(`the ${segment.tool} call was reported to the model as done, but ${missing}`);
  }

  // ----- checks made before a tool's effects ------------------------------------------------------

  /**
   * An action is checked where it ran: just before its `connector_call` when the connector kept a
   * record, else at the start of its tool call (nothing of the call comes before the connector).
   */
  private beforeTool(segment: ToolSegment) {
    if (!isActionTool(segment.tool)) return;
    const record = this.segmentEvents(segment, segment.end).findIndex((candidate) => candidate.type === 'connector_call');
    if (!segment.ok && record < 0) return;
    this.pendingAction.set(segment.start + Math.max(record, 0), { action: segment.tool.replace('__', '.'), at: segment.end, ok: segment.ok, result: segment.result });
  }

  /** Actions that ran, by the index of the event they are checked before. */
  private readonly pendingAction = new Map<number, { action: string; at: number; ok: boolean; result: unknown }>();

  private actionRan(index: number) {
    const ran = this.pendingAction.get(index);
    if (!ran) return;
    this.checkAction(ran.action, this.trace[ran.at]!, ran.at);
    this.called.add(ran.action);
    // The result the model was given: the data, then (on later lines) what the runtime did after.
    if (ran.ok) this.changed(dataInput(ran.action), String(ran.result ?? '').split('\n')[0], { event: this.trace[ran.at]!, index: ran.at });
  }

  private checkAction(action: string, event: CheckedEvent, index: number) {
    const frame = this.top();
    if (!frame) {
      this.report('action-out-of-reach', null, null, event, index, [], `@${action} ran while no Procedure was active`);
      return;
    }
    if (!frame.model) return;
    const model = frame.model;
    const candidates = nodesWhere(model, (node) => node.kind === 'action' && node.label === action);
    if (candidates.length === 0) {
      this.report('action-out-of-reach', frame, frame.stepId, event, index, [], `@${action} ran, but ${frame.procedure} does not name it`);
      return;
    }
    const { reached, blocking } = this.reachOf(frame);
    if (candidates.some((id) => reached.has(id))) return;
    const inReachWith = (options: ReachOptions) => candidates.some((id) => this.reachOf(frame, options).reached.has(id));
    const gates = blockers(model, blocking, candidates);
    if (inReachWith({ openSubprocedures: true })) {
      this.report('subprocedure-before-action', frame, candidates[0]!, event, index, gates, `@${action} ran before the sub-procedure called before it had ended`);
    } else if (inReachWith({ openEvaluatedBranches: true })) {
      this.report('branch-not-binding', frame, candidates[0]!, event, index, gates, `@${action} ran although it lies in a branch that was not taken`);
    } else {
      this.report('action-out-of-reach', frame, candidates[0]!, event, index, gates, `@${action} ran before the conversation legitimately reached it`);
    }
  }

  // ----- the end of a turn ----------------------------------------------------------------------

  /** What a Python-chosen branch requires must have happened by the end of the turn. */
  private closeTurn() {
    for (const obligation of this.obligations) {
      if (obligation.discharged) continue;
      const event = this.trace[obligation.eventIndex]!;
      const what = obligation.kind === 'handoff' ? `the handoff to ${obligation.target}` : obligation.kind === 'switch' ? `the switch to ${obligation.target}` : 'the end';
      this.report('branch-not-binding', obligation.frame, obligation.nodeId, event, obligation.eventIndex, [], `the branch chosen by Python requires ${what}, which had not happened by the end of the turn`);
    }
    this.obligations = [];
  }

  /**
   * Whether a Python-chosen branch of this turn requires it. Such a handoff, switch or end stands
   * even if the branch was evaluated again since (an input changed): what one evaluation required
   * is made, so that changing an input cannot talk the runtime out of it.
   */
  private owed(matches: (obligation: Obligation) => boolean): boolean {
    return this.obligations.some((obligation) => !obligation.discharged && matches(obligation));
  }

  private discharge(matches: (obligation: Obligation) => boolean) {
    for (const obligation of this.obligations) if (matches(obligation)) obligation.discharged = true;
  }

  // ----- helpers ----------------------------------------------------------------------------------

  private factsOf(frame: ReplayFrame): GateFacts {
    return { ...frame.facts, called: this.called, values: this.values };
  }

  private reachOf(frame: ReplayFrame, options: ReachOptions = {}) {
    return reach(frame.model!, this.factsOf(frame), options);
  }

  private report(invariant: Invariant, frame: ReplayFrame | null, nodeId: string | null, event: CheckedEvent, index: number, blockedBy: string[], message: string) {
    this.violations.push({
      invariant,
      procedure: frame?.procedure ?? null,
      nodeId,
      event: { index, ...(event.id !== undefined ? { id: event.id } : {}), type: event.type },
      blockedBy,
      message,
    });
  }
}

function nodesWhere(model: ProcedureModel, test: (node: NonNullable<ReturnType<ProcedureModel['nodes']['get']>>) => boolean): string[] {
  return model.order.filter((id) => test(model.nodes.get(id)!));
}

function blockers(model: ProcedureModel, blocking: Reach['blocking'], targets: string[]): string[] {
  return [...new Set(targets.flatMap((target) => gatesBefore(model, blocking, target)))];
}

const isActionTool = (tool: string) => tool.includes('__');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
