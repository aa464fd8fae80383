// One agent turn, as the loop that carries out effects: a customer message in, the agent's replies
// and actions out. Every decision is a pure function (turn-rules.ts, apply-tool.ts, advance.ts,
// frames.ts) that returns the next state, trace events and the effect it needs; this loop performs
// the effects (model calls, connector calls, sandbox runs, knowledge searches, Procedure loads),
// feeds their results back, and passes each event to the listener as it is added.
import type { ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { ModelRequestError, ModelUnavailableError, type ModelCallResult } from '../model/client';
import { advance, hasDeterministicPart, type AdvanceResult } from './advance';
import { afterAgentCall, agentRequest, textOf, toolResult } from './agent-call';
import { applyActionResult, applySearchResult, applyTool, proceduresToLoad, withNotes } from './apply-tool';
import { begin, escalate, sendReply, topFrame, type Change } from './change';
import type { Effect, RuleContext, ToolOutcome } from './decision';
import type { EscalationPolicy, EscalationReason } from './escalation';
import { enterProcedure } from './frames';
import { passGates } from './gate-walk';
import { callModel, withCallUsage, type ModelRequest } from './model-call';
import { handOffOnFailure } from './outage';
import { ProcedureLoader } from './procedure-loader';
import { failedRouteEvent, readRoute, routeEvent, routeRequest, routingFailedEvent, ROUTING_RETRIES } from './routing';
import type { ReplyStreamListener, RuntimeServices } from './services';
import { closeTurn, modelCallCap, nextAfterResponse, obligationsPending, openTurn, toolCallGate, type Obligation, type TurnLimits } from './turn-rules';
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
      this.emit(routeEvent(answer, attempt));
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
      const advanced = await this.runDeterministic();
      const procedures = await this.procedures.conversation(this.state);
      const routable = this.procedures.routableNow ?? (await this.procedures.routable());
      const { request, userMessage } = agentRequest({
        state: this.state,
        procedures,
        routable,
        advanced,
        customerMessages: firstCall ? customerMessages : null,
        describeAction: (action) => this.services.connectors.describe(action),
      });
      const result = await this.callModel(request);
      // Only now are the owed tool results delivered: if the call fails, they stay owed.
      this.state = afterAgentCall(this.state, userMessage, result.message.content);
      firstCall = false;
      this.reachedModel = true;

      const results: ToolResultBlockParam[] = [];
      let followUp = false;
      let final = false;
      for (const block of result.message.content) {
        if (block.type !== 'tool_use') continue;
        const gate = toolCallGate(this.toolCalls, final, this.limits);
        let outcome: ToolOutcome;
        if (gate.run) {
          this.toolCalls += 1;
          outcome = await this.runTool(block, routable);
        } else {
          outcome = gate.outcome;
          if (gate.runaway) this.escalate('runaway', gate.runaway);
          final ||= gate.runaway !== null;
        }
        results.push(toolResult(block.id, outcome));
        if (block.name === 'reply' && !outcome.isError) replied = true;
        followUp ||= outcome.followUp === true;
        final ||= outcome.final === true;
      }
      this.state = { ...this.state, pendingToolResults: results };
      const next = nextAfterResponse({
        toolCalls: results.length,
        replied,
        followUp,
        over: final || this.state.outcome !== null,
        obligationsPending: obligationsPending(this.state, this.obligations, this.procedures.loaded),
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
  private async runTool(block: ToolUseBlock, routable: RuleContext['routable']): Promise<ToolOutcome> {
    const started = performance.now();
    const call = { name: block.name, input: block.input };
    for (const name of proceduresToLoad(call)) if (!this.procedures.loaded.has(name)) await this.procedures.procedure(name);
    const decision = applyTool(this.state, call, this.ruleContext(routable), this.progressed);
    this.absorb(decision);
    let { outcome, effect } = decision;
    while (effect) ({ outcome, effect } = await this.perform(effect, outcome));
    const result = outcome!;
    this.emit({
      type: 'tool_call',
      stepId: topFrame(this.state)?.stepId ?? null,
      payload: { tool: block.name, input: block.input, ok: !result.isError, result: result.content, durationMs: Math.round(performance.now() - started) },
    });
    return result;
  }

  private async perform(effect: Effect, outcome: ToolOutcome | null): Promise<{ outcome: ToolOutcome | null; effect: Effect | null }> {
    let decision;
    switch (effect.kind) {
      case 'advance':
        return { outcome: withNotes(outcome!, await this.runDeterministic(), effect), effect: null };
      case 'connector': {
        const result = await this.services.connectors.execute(effect.action, effect.input, { conversationId: this.state.id });
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
