// One agent turn, as the loop that carries out effects: a customer message in, the agent's replies
// and actions out. Every decision is a pure function (turn-rules.ts, apply-tool.ts, advance.ts,
// frames.ts) that returns the next state, trace events and the effect it needs; this loop performs
// the effects (model calls, connector calls, sandbox runs, knowledge searches, Procedure loads),
// feeds their results back, and passes each event to the listener as it is added.
import type { ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { ModelRequestError, ModelUnavailableError, type ModelCallResult } from '../model/client';
import { advance, hasDeterministicPart, type AdvanceResult } from './advance';
import { afterAgentCall, agentRequest, textOf, toolCallFromModel, toolResult } from './agent-call';
import { applyActionResult, applySearchResult, applyTool, proceduresToLoad, withNotes } from './apply-tool';
import { begin, currentStepId, escalate, sendReply, topFrame, type Change } from './change';
import type { Effect, RuleContext, ToolOutcome } from './decision';
import type { EscalationPolicy, EscalationReason } from './escalation';
import { eagerCalls, eagerNote } from './eager-actions';
import { enterProcedure } from './frames';
import { passGates } from './gate-walk';
import { gateModel } from './reach';
import { callModel, withCallUsage, type ModelRequest } from './model-call';
import { handOffOnFailure } from './outage';
import { ProcedureLoader } from './procedure-loader';
import { failedRouteEvent, matchedRouteEvent, readRoute, routeEvent, routeRequest, routingFailedEvent, ROUTING_RETRIES } from './routing';
import { matchTrigger } from './trigger-match';
import type { ReplyStreamListener, RuntimeServices } from './services';
import { actionToolName } from './tools';
import {
  closeTurn,
  heldReply,
  modelCallCap,
  nextAfterResponse,
  obligationsPending,
  openTurn,
  replyHold,
  toolCallGate,
  unseenDecisions,
  unseenInputs,
  withActionInput,
  type Obligation,
  type TurnLimits,
  type UnseenWork,
} from './turn-rules';
import type { ConversationState, TraceEvent } from './types';

export interface TurnOutput {
  /** The conversation's state after the turn (the state given to the Turn is never changed). */
  state: ConversationState;
  replies: string[];
  newMessages: { role: 'customer' | 'agent'; text: string }[];
  /** Every event of the turn, in order: the same events the listener received. */
  trace: TraceEvent[];
  modelCalls: number;
  toolCalls: number;
}

type Absorbable = Pick<Change, 'state' | 'events' | 'replies' | 'progressed'>;

/** What one response's calls have done so far that the model had not seen when writing it. */
interface UnseenSoFar {
  errors: string[];
  inputs: Set<string>;
  obligationsBefore: number;
  /** The response's first trace event. */
  from: number;
}

const validReply = (input: unknown) => typeof (input as { message?: unknown } | null)?.message === 'string' && (input as { message: string }).message.trim().length > 0;

const NOTHING_TO_ADVANCE: AdvanceResult = Object.freeze({ notes: [], awaitingDecision: null, waitingFor: null, obligations: [], failed: null });

export class Turn {
  private readonly replies: string[] = [];
  private readonly newMessages: TurnOutput['newMessages'] = [];
  private readonly trace: TraceEvent[] = [];
  private modelCalls = 0;
  private toolCalls = 0;
  private progressed = false;
  private readonly procedures: ProcedureLoader;
  private lastAdvance: AdvanceResult | null = null;
  private readonly obligations: Obligation[] = [];
  /** An agent call carrying this turn's customer message has succeeded. */
  private reachedModel = false;
  /** What the runtime's own read-only calls gave, for the model's next call (eager-actions.ts). */
  private eagerNotes: string[] = [];
  /** Eager calls the rules would not let through now (out of reach, locked): the model's to make. */
  private readonly eagerSkipped = new Set<string>();
  /** Lookups the runtime made itself in this turn that succeeded, by action and input. */
  private readonly eagerDone = new Set<string>();

  constructor(
    private state: ConversationState,
    private readonly services: RuntimeServices,
    private readonly limits: TurnLimits,
    private readonly policy: EscalationPolicy,
    private readonly listener: (event: TraceEvent) => void,
    private readonly onReplyText: ReplyStreamListener = () => undefined,
  ) {
    this.procedures = new ProcedureLoader(services.catalog, services.draft);
  }

  async run(customerText: string): Promise<TurnOutput> {
    // Loaded first: a request for a person escalates to the team the active Procedure names.
    await this.procedures.conversation(this.state);
    const opened = openTurn(this.state, customerText, this.escalation());
    this.newMessages.push({ role: 'customer', text: customerText });
    this.absorb(opened.change);
    if (opened.escalated) return this.output();
    const forModel = [...opened.earlier, customerText];
    try {
      if (this.state.stack.length === 0) await this.route(forModel.join('\n\n'));
      await this.agentLoop(forModel);
    } catch (error) {
      // The seam for model failures: whatever broke, the turn ends in a consistent state that the
      // engine saves, with the customer's message kept and the fault in the trace.
      if (!(error instanceof ModelUnavailableError || error instanceof ModelRequestError)) throw error;
      const change = begin(this.state, this.progressed);
      handOffOnFailure(change, error, this.policy, { earlier: opened.earlier, current: customerText, reachedModel: this.reachedModel });
      this.absorb(change);
      return this.output();
    }
    await this.finishTurn();
    return this.output();
  }

  private output(): TurnOutput {
    return { state: this.state, replies: this.replies, newMessages: this.newMessages, trace: this.trace, modelCalls: this.modelCalls, toolCalls: this.toolCalls };
  }

  private emit(event: TraceEvent) {
    this.trace.push(event);
    this.listener(event);
  }

  /** Takes a decision's next state, and passes on its events and replies. */
  private absorb(decision: Absorbable) {
    this.state = decision.state;
    this.progressed = decision.progressed;
    for (const event of decision.events) this.emit(event);
    for (const reply of decision.replies) {
      this.replies.push(reply);
      this.newMessages.push({ role: 'agent', text: reply });
    }
  }

  private change(apply: (change: Change) => void) {
    const change = begin(this.state, this.progressed);
    apply(change);
    this.absorb(change);
  }

  private escalation() {
    return { policy: this.policy, procedures: this.procedures.loaded };
  }

  private escalate(reason: EscalationReason, detail: string) {
    this.change((change) => escalate(change, this.escalation(), reason, detail, true));
  }

  // ----- effects: the sandbox, the model ------------------------------------------------------

  /** Runs the deterministic part of the current step, evaluating in the sandbox what it asks for. */
  private async runDeterministic(): Promise<AdvanceResult | null> {
    const frame = topFrame(this.state);
    const procedure = frame ? (this.procedures.loaded.get(frame.procedure) ?? (await this.procedures.procedure(frame.procedure, frame.version))) : null;
    if (!procedure) return null;
    const step = procedure.stepById(frame!.stepId);
    if (!step || !hasDeterministicPart(step)) return (this.lastAdvance = NOTHING_TO_ADVANCE);
    const change = begin(this.state, this.progressed);
    const running = advance(change, procedure);
    // Events reach the listeners as each evaluation finishes, not only when the step is done.
    let passedOn = 0;
    let next = running.next();
    while (!next.done) {
      for (; passedOn < change.events.length; passedOn++) this.emit(change.events[passedOn]!);
      next = running.next(await this.services.sandbox.evaluate(next.value.request));
    }
    this.absorb({ ...change, events: change.events.slice(passedOn) });
    this.obligations.push(...next.value.obligations);
    this.lastAdvance = next.value;
    return next.value;
  }

  private async callModel(request: ModelRequest): Promise<ModelCallResult> {
    this.modelCalls += 1;
    const result = await callModel(this.services, request, (event) => this.emit(event), this.onReplyText);
    this.state = { ...this.state, usage: withCallUsage(this.state.usage, result) };
    return result;
  }

  /**
   * The routing call, asked once more when the model fails to answer it (routing.ts). After a
   * routing failure the turn goes on without a Procedure (the agent answers from the knowledge hub
   * or starts one itself), and the next customer message is routed again.
   */
  private async route(customerText: string) {
    const routable = await this.procedures.routable();
    if (routable.length === 0) return;
    let unclear: string | null = null;
    if (this.services.routeByTriggerMatch !== false) {
      const match = matchTrigger(routable, customerText);
      if (match.kind === 'clear') {
        const procedure = await this.procedures.procedure(match.procedure);
        if (procedure) {
          this.emit(matchedRouteEvent(match));
          this.change((change) => enterProcedure(change, procedure, 'main'));
          return;
        }
      } else unclear = match.reason;
    }
    const problems: string[] = [];
    let failed: Parameters<typeof routeRequest>[2] = null;
    for (let attempt = 1; attempt <= 1 + ROUTING_RETRIES; attempt++) {
      const result = await this.callModel(routeRequest(routable, customerText, failed));
      const answer = readRoute(routable, result.message.content);
      if (answer.kind === 'failed') {
        this.emit(failedRouteEvent(answer, attempt));
        problems.push(answer.problem);
        failed = { content: result.message.content, answer };
        continue;
      }
      this.emit(routeEvent(answer, attempt, unclear));
      const procedure = answer.kind === 'routed' ? await this.procedures.procedure(answer.procedure) : null;
      if (procedure) this.change((change) => enterProcedure(change, procedure, 'main'));
      return;
    }
    this.emit(routingFailedEvent(problems));
  }

  // ----- the agent loop -----------------------------------------------------------------------

  /** `customerMessages`: this turn's message, after any a model outage left unanswered. */
  private async agentLoop(customerMessages: string[]) {
    let firstCall = true;
    let replied = false;
    let extraCallUsed = false;
    while (true) {
      const runaway = modelCallCap(this.modelCalls, this.limits);
      if (runaway) return this.escalate('runaway', runaway);
      let advanced = await this.runDeterministic();
      const routable = this.procedures.routableNow ?? (await this.procedures.routable());
      // Read-only lookups the step names whose input is known: their results go into this call.
      if ((await this.runEagerActions(routable)).ran) advanced = this.lastAdvance;
      const procedures = await this.procedures.conversation(this.state);
      const { request, userMessage } = agentRequest({
        state: this.state,
        procedures,
        routable,
        advanced: this.withEagerNotes(advanced),
        customerMessages: firstCall ? customerMessages : null,
        describeAction: (action) => this.services.connectors.describe(action),
      });
      const result = await this.callModel(request);
      this.eagerNotes = [];
      // Only now are the owed tool results delivered: if the call fails, they stay owed.
      this.state = afterAgentCall(this.state, userMessage, result.message.content);
      firstCall = false;
      this.reachedModel = true;

      const calls = result.message.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
      // Replies go last: the runtime's work in the same response runs first (one call at a time, in
      // order), so a reply written before its results is sent only if nothing it cannot have
      // accounted for happened (replyHold), and is held back otherwise.
      const order = [...calls.filter((block) => block.name !== 'reply'), ...calls.filter((block) => block.name === 'reply')];
      const position = new Map(calls.map((block, index) => [block.id, index]));
      const firstReply = calls.findIndex((block) => block.name === 'reply' && validReply(block.input));
      const unseen: UnseenSoFar = { errors: [], inputs: new Set(), obligationsBefore: this.obligations.length, from: this.trace.length };
      const results = new Map<string, ToolResultBlockParam>();
      let followUp = false;
      let final = false;
      // Where, in the model's order, a call of its own ended the conversation: replies it wrote
      // before that call explain it and go out; calls after it do not run, as before.
      let endedAt = Infinity;
      for (const block of order) {
        const isReply = block.name === 'reply';
        const at = position.get(block.id)!;
        const gate = toolCallGate(this.toolCalls, final && !(isReply && at < endedAt), this.limits);
        let outcome: ToolOutcome;
        if (gate.run) {
          this.toolCalls += 1;
          const hold = isReply && !this.state.outcome ? replyHold(this.unseenWork(unseen)) : null;
          if (hold) {
            outcome = this.holdReply(block, hold);
            // The model hears of a new requirement with this call: it counts as the one extra call.
            if (this.obligations.length > unseen.obligationsBefore) extraCallUsed = true;
          } else if (isReply) outcome = await this.runTool(block, routable);
          else {
            const from = this.trace.length;
            const dataBefore = this.state.data;
            outcome = await this.runTool(block, routable, firstReply >= 0 && firstReply < at);
            if (outcome.isError && outcome.followUp === true) unseen.errors.push(`${block.name} failed`);
            if (outcome.final) endedAt = Math.min(endedAt, at);
            this.noteUnseen(unseen, from, dataBefore);
            const eager = await this.runEagerActions(routable, unseen);
            unseen.errors.push(...eager.failed);
            followUp ||= eager.failed.length > 0;
          }
        } else {
          outcome = gate.outcome;
          if (gate.runaway) this.escalate('runaway', gate.runaway);
          final ||= gate.runaway !== null;
        }
        results.set(block.id, toolResult(block.id, outcome));
        if (isReply && !outcome.isError) replied = true;
        followUp ||= outcome.followUp === true;
        final ||= outcome.final === true;
      }
      this.state = { ...this.state, pendingToolResults: calls.map((block) => results.get(block.id)!) };
      const next = nextAfterResponse({
        toolCalls: results.size,
        replied,
        followUp,
        over: final || this.state.outcome !== null,
        obligationsPending: this.obligationsPending(),
        extraCallUsed,
      });
      if (next === 'stop') return;
      if (next === 'extra-call') extraCallUsed = true;
      if (next === 'text-as-reply') {
        const text = textOf(result.message.content);
        if (text) this.change((change) => sendReply(change, text));
        return;
      }
    }
  }

  // ----- tools --------------------------------------------------------------------------------

  /** Decides a tool call (apply-tool.ts), then carries out the effects it asks for, one by one. */
  private async runTool(block: ToolUseBlock, routable: RuleContext['routable'], replyFollows = false): Promise<ToolOutcome> {
    const started = performance.now();
    // The model writes compact node ids; the rules and the trace read graph ids.
    const call = toolCallFromModel(this.state, block, this.procedures.loaded);
    for (const name of proceduresToLoad(call)) if (!this.procedures.loaded.has(name)) await this.procedures.procedure(name);
    const decision = applyTool(this.state, call, { ...this.ruleContext(routable), replyFollows }, this.progressed);
    this.absorb(decision);
    let { outcome, effect } = decision;
    while (effect) ({ outcome, effect } = await this.perform(effect, outcome));
    const result = outcome!;
    this.emit({
      type: 'tool_call',
      stepId: topFrame(this.state)?.stepId ?? null,
      payload: { tool: block.name, input: call.input, ok: !result.isError, result: result.content, durationMs: Math.round(performance.now() - started) },
    });
    return result;
  }

  private async perform(effect: Effect, outcome: ToolOutcome | null): Promise<{ outcome: ToolOutcome | null; effect: Effect | null }> {
    let decision;
    switch (effect.kind) {
      case 'advance':
        return { outcome: withNotes(outcome!, await this.runDeterministic(), effect), effect: null };
      case 'connector': {
        // The model asking again for what the runtime looked up itself in this turn gets that result, not a second call.
        const looked = this.eagerDone.has(`${effect.action} ${JSON.stringify(effect.input)}`) && effect.action in this.state.data;
        const result = looked ? { ok: true as const, data: this.state.data[effect.action] } : await this.services.connectors.execute(effect.action, effect.input, { conversationId: this.state.id });
        this.state = withActionInput(this.state, effect.action, effect.input);
        decision = applyActionResult(this.state, this.progressed, effect.action, result, this.procedures.loaded);
        break;
      }
      case 'knowledge':
        decision = applySearchResult(this.state, this.progressed, effect.query, await this.services.knowledge.search(effect.query, effect.limit));
        break;
      case 'gates':
        return this.passGates(effect);
    }
    this.absorb(decision);
    return decision;
  }

  /** Walks the gates on the way to a node out of reach, evaluating them in the sandbox, then the call again (gate-walk.ts). */
  private async passGates(effect: Extract<Effect, { kind: 'gates' }>): Promise<{ outcome: ToolOutcome | null; effect: Effect | null }> {
    const routable = this.procedures.routableNow ?? (await this.procedures.routable());
    const running = passGates(this.state, this.progressed, effect, this.ruleContext(routable));
    let next = running.next();
    while (!next.done) next = running.next(await this.services.sandbox.evaluate(next.value.request));
    const { decision, advanced, obligations } = next.value;
    this.absorb(decision);
    this.obligations.push(...obligations);
    if (advanced) this.lastAdvance = advanced;
    return decision;
  }

  private obligationsPending(): boolean {
    return obligationsPending(this.state, this.obligations, this.procedures.loaded);
  }

  /** A reply written before something it cannot have accounted for: not sent, and the model told why. */
  private holdReply(block: ToolUseBlock, reasons: string[]): ToolOutcome {
    const held = heldReply(block.input, reasons, currentStepId(this.state));
    // Streamed as the model wrote it: the listeners drop it, as after a broken response.
    if (this.services.stream) this.onReplyText('', true);
    this.emit(held.event);
    this.emit({ type: 'tool_call', stepId: currentStepId(this.state), payload: { tool: block.name, input: block.input, ok: false, result: held.outcome.content, durationMs: 0 } });
    return held.outcome;
  }

  /**
   * Calls the read-only actions the current step names whose input is known (eager-actions.ts),
   * each through the same rule as the model's call and traced like one (`eager: true`). What
   * they gave reaches the model in its next call; a failure, or a Python gate their result decided,
   * is something a reply in the same response cannot have accounted for.
   */
  private async runEagerActions(routable: RuleContext['routable'], unseen?: UnseenSoFar): Promise<{ ran: boolean; failed: string[] }> {
    const out = { ran: false, failed: [] as string[] };
    for (;;) {
      const frame = topFrame(this.state);
      const procedure = frame ? this.procedures.loaded.get(frame.procedure) : undefined;
      if (!procedure) return out;
      const call = eagerCalls(this.state, procedure, (action) => this.services.connectors.describe(action)).find(
        (candidate) => !this.eagerSkipped.has(`${candidate.action} ${JSON.stringify(candidate.input)}`),
      );
      if (!call) return out;
      const started = performance.now();
      const tool = actionToolName(call.action);
      const decision = applyTool(this.state, { name: tool, input: call.input }, this.ruleContext(routable), this.progressed);
      if (decision.effect?.kind !== 'connector') {
        // Out of reach, locked or needing agreement: nothing is traced, the model may call it when it can.
        this.eagerSkipped.add(`${call.action} ${JSON.stringify(call.input)}`);
        continue;
      }
      out.ran = true;
      const from = this.trace.length;
      const dataBefore = this.state.data;
      this.absorb(decision);
      const advancedBefore = this.lastAdvance;
      let outcome: ToolOutcome | null = decision.outcome;
      let effect: Effect | null = decision.effect;
      while (effect) ({ outcome, effect } = await this.perform(effect, outcome));
      const result = outcome!;
      this.emit({
        type: 'tool_call',
        stepId: currentStepId(this.state),
        payload: { tool, input: call.input, ok: !result.isError, result: result.content, durationMs: Math.round(performance.now() - started), eager: true },
      });
      const notes = this.lastAdvance !== advancedBefore ? (this.lastAdvance?.notes ?? []) : [];
      const note = [eagerNote(call, { ok: !result.isError, content: result.content }), ...notes].join(' ');
      this.eagerNotes.push(note);
      if (result.isError) out.failed.push(note);
      else this.eagerDone.add(`${call.action} ${JSON.stringify(call.input)}`);
      if (unseen) this.noteUnseen(unseen, from, dataBefore);
    }
  }

  /** The inputs the events since `from` gave that the model has not seen. */
  private noteUnseen(unseen: UnseenSoFar, from: number, dataBefore: ConversationState['data']) {
    for (const input of unseenInputs(this.trace.slice(from), dataBefore, this.state.data)) unseen.inputs.add(input);
  }

  /**
   * What the response's calls did that a reply in it cannot have accounted for. The gates decided
   * count where the conversation stands when the reply goes out: those its calls went past (a move
   * that arrived, a sub-procedure's end that went through) were the ones the calls presupposed.
   */
  private unseenWork(unseen: UnseenSoFar): UnseenWork {
    const frame = topFrame(this.state);
    const procedure = frame ? this.procedures.loaded.get(frame.procedure) : undefined;
    const decisions = procedure ? unseenDecisions(this.trace.slice(unseen.from), frame!.stepId, unseen.inputs, gateModel(procedure).readers) : [];
    return { errors: unseen.errors, decisions, newObligations: this.obligations.slice(unseen.obligationsBefore), pending: this.obligationsPending() };
  }

  /** The step's deterministic results with what the runtime's own lookups gave, for the next request. */
  private withEagerNotes(advanced: AdvanceResult | null): AdvanceResult | null {
    if (this.eagerNotes.length === 0) return advanced;
    const base = advanced ?? NOTHING_TO_ADVANCE;
    return { ...base, notes: [...this.eagerNotes, ...base.notes] };
  }

  private ruleContext(routable: RuleContext['routable']): RuleContext {
    return {
      procedures: this.procedures.loaded,
      routable,
      policy: this.policy,
      describeAction: (action) => this.services.connectors.describe(action),
      awaiting: this.lastAdvance?.awaitingDecision ?? null,
      owed: this.obligations,
    };
  }

  // ----- the end of the turn ------------------------------------------------------------------

  private async finishTurn() {
    // A switch a Python branch requires needs its target loaded before the pure end of turn.
    const handoff = this.obligations.some((obligation) => obligation.kind === 'handoff');
    const switchTo = this.obligations.find((obligation) => obligation.kind === 'switch');
    if (!this.state.outcome && !handoff && switchTo) await this.procedures.procedure(switchTo.target);
    this.absorb(closeTurn(this.state, this.progressed, this.obligations, { procedures: this.procedures.loaded, policy: this.policy }));
  }
}
