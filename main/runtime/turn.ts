// One agent turn: a customer message in, the agent's replies and actions out. The model proposes;
// the runtime checks every tool call against the active Procedure and executes it, one at a time.
import type { ContentBlockParam, MessageParam, TextBlockParam, Tool, ToolChoice, ToolResultBlockParam, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import type { AttributeDecl } from '../../shared/procedure';
import { advance, type AdvanceResult } from './advance';
import type { CompiledProcedure } from './compiled-procedure';
import { checkAttributeValue } from './attribute-values';
import { asksForHuman, escalationAfterTurn, repeatsEarlierReply, type EscalationPolicy, type EscalationReason } from './escalation';
import { customerMessagesBlock, outageRecord } from './outage';
import { partialStringField } from './partial-json';
import { renderState, systemPrompt } from './prompt';
import { actionFromToolName, agentTools, inputSchemas, routeTool } from './tools';
import type { ConversationState, Frame, TraceEvent } from './types';
import type { ReplyStreamListener, RuntimeServices } from './services';
import { ModelRequestError, ModelUnavailableError, type ModelCallOptions, type ModelCallResult } from '../model/client';

export interface TurnLimits {
  maxModelCallsPerTurn: number;
  maxToolCallsPerTurn: number;
}

export interface TurnOutput {
  replies: string[];
  newMessages: { role: 'customer' | 'agent'; text: string }[];
  trace: TraceEvent[];
  modelCalls: number;
  toolCalls: number;
}

interface ToolOutcome {
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
}

export class Turn {
  private readonly replies: string[] = [];
  private readonly newMessages: TurnOutput['newMessages'] = [];
  private readonly trace: TraceEvent[] = [];
  private modelCalls = 0;
  private toolCalls = 0;
  private progress = false;
  private readonly procedures = new Map<string, CompiledProcedure>();
  private lastAdvance: AdvanceResult | null = null;
  private obligations: AdvanceResult['obligations'] = [];
  /** An agent call carrying this turn's customer message has succeeded. */
  private reachedModel = false;

  constructor(
    private readonly state: ConversationState,
    private readonly services: RuntimeServices,
    private readonly limits: TurnLimits,
    private readonly policy: EscalationPolicy,
    private readonly listener: (event: TraceEvent) => void,
    private readonly onReplyText: ReplyStreamListener = () => undefined,
  ) {}

  async run(customerText: string): Promise<TurnOutput> {
    const { state } = this;
    state.turn += 1;
    const earlier = this.reopenAfterOutage();
    state.status = 'active';
    state.transcript.push({ role: 'customer', text: customerText, turn: state.turn });
    this.newMessages.push({ role: 'customer', text: customerText });
    this.emit({ type: 'customer_message', payload: { text: customerText } });

    if (asksForHuman(customerText, this.policy)) {
      this.escalate('customer_asked_for_human', 'The customer asked for a person.', true);
      return this.output();
    }
    const forModel = [...earlier, customerText];
    try {
      await this.loadStack();
      if (state.stack.length === 0) await this.route(forModel.join('\n\n'));
      await this.agentLoop(forModel);
    } catch (error) {
      // The seam for model failures: whatever broke, the turn ends in a consistent state that the
      // engine saves, with the customer's message kept and the fault in the trace.
      if (error instanceof ModelUnavailableError || error instanceof ModelRequestError) {
        this.handOffOnFailure(error, { earlier, current: customerText });
        return this.output();
      }
      throw error;
    }
    await this.finishTurn();
    return this.output();
  }

  private output(): TurnOutput {
    return { replies: this.replies, newMessages: this.newMessages, trace: this.trace, modelCalls: this.modelCalls, toolCalls: this.toolCalls };
  }

  private emit(event: TraceEvent) {
    this.trace.push(event);
    this.listener(event);
  }

  // ----- procedures ---------------------------------------------------------------------------

  private async procedure(name: string, version?: string): Promise<CompiledProcedure | null> {
    const cached = this.procedures.get(name);
    if (cached) return cached;
    const loaded = await this.services.catalog.load(name, { draft: this.services.draft, ...(version ? { version } : {}) });
    if (loaded) this.procedures.set(name, loaded);
    return loaded;
  }

  /** The active Procedures and every sub-procedure they may call, so the prompt holds them all. */
  private async loadStack(): Promise<CompiledProcedure[]> {
    const frames = [...this.state.stack, ...this.state.paused.flat()];
    const queue = frames.map((frame) => ({ name: frame.procedure, version: frame.version as string | undefined }));
    const loaded: CompiledProcedure[] = [];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const { name, version } = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const procedure = await this.procedure(name, version);
      if (!procedure) continue;
      loaded.push(procedure);
      for (const call of procedure.calls) queue.push({ name: call, version: undefined });
    }
    return loaded;
  }

  private routableCache: Promise<{ name: string; trigger: string }[]> | null = null;

  /** The Procedures that can start a conversation, read once per turn. */
  private routable(): Promise<{ name: string; trigger: string }[]> {
    this.routableCache ??= this.services.catalog.routable();
    return this.routableCache;
  }

  private top(): Frame | undefined {
    return this.state.stack[this.state.stack.length - 1];
  }

  private async enterProcedure(name: string, kind: Frame['kind']): Promise<CompiledProcedure | null> {
    const procedure = await this.procedure(name);
    if (!procedure) return null;
    const first = procedure.steps[0];
    const frame: Frame = { procedure: procedure.name, version: procedure.version, stepId: first?.id ?? '', decided: {}, ran: [], kind };
    this.state.stack.push(frame);
    this.emit({ type: 'procedure_start', stepId: frame.stepId, payload: { procedure: procedure.name, version: procedure.version, kind } });
    if (first) this.enterStep(frame, first.id);
    this.progress = true;
    return procedure;
  }

  private enterStep(frame: Frame, stepId: string) {
    const { state } = this;
    const revisit = state.visited.some((visit) => visit.procedure === frame.procedure && visit.stepId === stepId);
    if (revisit && state.progress.lastProgressTurn < state.turn && !this.progress) state.progress.loopStrikes += 1;
    if (!revisit) this.progress = true;
    frame.stepId = stepId;
    frame.decided = {};
    frame.ran = [];
    state.visited.push({ procedure: frame.procedure, stepId, turn: state.turn });
    this.emit({ type: 'step_enter', stepId, payload: { procedure: frame.procedure, revisit } });
  }

  private exitStep(frame: Frame) {
    this.emit({ type: 'step_exit', stepId: frame.stepId, payload: { procedure: frame.procedure } });
  }

  private async runDeterministic(): Promise<AdvanceResult | null> {
    const frame = this.top();
    if (!frame) return null;
    const procedure = await this.procedure(frame.procedure, frame.version);
    if (!procedure) return null;
    const before = Object.keys(frame.decided).length;
    const result = await advance({ procedure, frame, state: this.state, sandbox: this.services.sandbox, emit: (event) => this.emit(event) });
    if (Object.keys(frame.decided).length > before) this.progress = true;
    this.obligations.push(...result.obligations);
    this.lastAdvance = result;
    return result;
  }

  // ----- routing ------------------------------------------------------------------------------

  private async route(customerText: string) {
    const routable = await this.routable();
    if (routable.length === 0) return;
    const result = await this.callModel({
      system: [
        {
          type: 'text',
          text: `Pick the Procedure whose trigger matches what the customer wants. Answer null when none clearly does.\n\n${routable.map((p) => `- ${p.name}: ${p.trigger}`).join('\n')}`,
        },
      ],
      messages: [{ role: 'user', content: customerText }],
      tools: [routeTool(routable)],
      toolChoice: { type: 'tool', name: 'route' },
      purpose: 'route',
    });
    const call = result.message.content.find((block): block is ToolUseBlock => block.type === 'tool_use');
    const parsed = inputSchemas.route.safeParse(call?.input);
    const name = parsed.success ? parsed.data.procedure : null;
    const known = name !== null && routable.some((procedure) => procedure.name === name);
    this.emit({
      type: 'route',
      payload: { procedure: known ? name : null, reason: parsed.success ? parsed.data.reason : 'unreadable routing answer', valid: parsed.success && (name === null || known) },
    });
    if (known) await this.enterProcedure(name!, 'main');
  }

  // ----- the agent loop -----------------------------------------------------------------------

  /** `customerMessages`: this turn's message, after any a model outage left unanswered. */
  private async agentLoop(customerMessages: string[]) {
    const { state } = this;
    let firstCall = true;
    let replied = false;
    let extraCallForObligation = false;
    while (true) {
      if (this.modelCalls >= this.limits.maxModelCallsPerTurn) {
        this.escalate('runaway', `The agent needed more than ${this.limits.maxModelCallsPerTurn} model calls for one customer message.`, true);
        return;
      }
      const advanced = await this.runDeterministic();
      const procedures = await this.loadStack();
      const routable = await this.routable();
      const stateText = renderState(state, new Map(procedures.map((p) => [p.name, p])), advanced);
      const text = firstCall ? `${customerMessagesBlock(customerMessages)}\n${stateText}` : stateText;
      const userContent: ContentBlockParam[] = [...(state.pendingToolResults as ToolResultBlockParam[]), { type: 'text', text }];
      const userMessage = { role: 'user' as const, content: userContent };
      const result = await this.callModel({
        system: systemPrompt(procedures, routable),
        messages: [...(state.history as MessageParam[]), withCacheBreakpoint(userMessage)],
        tools: agentTools(this.toolContext(procedures, routable)),
        toolChoice: { type: 'any' },
        purpose: 'agent',
      });
      // Only now are the owed tool results delivered: if the call fails, they stay owed, so the
      // history never holds a tool call without its result.
      state.pendingToolResults = [];
      firstCall = false;
      this.reachedModel = true;
      state.history.push(userMessage, { role: 'assistant', content: result.message.content });

      const results: ToolResultBlockParam[] = [];
      let followUp = false;
      let final = false;
      for (const block of result.message.content) {
        if (block.type !== 'tool_use') continue;
        let outcome: ToolOutcome;
        if (final) outcome = { content: 'Not run: the conversation was already handed over or ended.', isError: true, followUp: false };
        else if (this.toolCalls >= this.limits.maxToolCallsPerTurn) {
          outcome = { content: `Not run: more than ${this.limits.maxToolCallsPerTurn} tool calls in one turn.`, isError: true, followUp: false };
          this.escalate('runaway', `The agent made more than ${this.limits.maxToolCallsPerTurn} tool calls for one customer message.`, true);
          final = true;
        } else {
          this.toolCalls += 1;
          outcome = await this.runTool(block);
        }
        results.push({ type: 'tool_result', tool_use_id: block.id, content: outcome.content, ...(outcome.isError ? { is_error: true } : {}) });
        if (block.name === 'reply' && !outcome.isError) replied = true;
        followUp ||= outcome.followUp === true;
        final ||= outcome.final === true;
      }
      state.pendingToolResults = results;
      if (final || this.state.outcome) return;
      // A handoff the Procedure requires gets one more call, so the model can explain and make it;
      // if it still does not, finishTurn makes it.
      if (replied && !followUp) {
        if (!this.obligationsPending() || extraCallForObligation) return;
        extraCallForObligation = true;
      }
      if (results.length === 0) {
        // The model answered with text only: treat it as the reply so the customer is not left waiting.
        const text = result.message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n').trim();
        if (text) this.sendReply(text);
        return;
      }
    }
  }

  private obligationsPending(): boolean {
    return this.obligations.length > 0 && !this.state.outcome;
  }

  /** How much the model needs to hear about what the runtime just did. */
  private static noteFollowUp(after: AdvanceResult | null): ToolOutcome['followUp'] {
    if (!after) return false;
    if (after.failed) return true;
    // Obligations get their own extra call in the agent loop.
    return after.notes.length > 0 || after.obligations.length > 0 ? 'if-silent' : false;
  }

  /**
   * Tools cover every Procedure the conversation has loaded (the active ones, their sub-procedures
   * and paused topics), so the tool list stays the same from call to call and the cached prompt
   * prefix survives a sub-procedure starting. What may actually run is still checked against the
   * active Procedure when the model calls a tool.
   */
  private toolContext(procedures: CompiledProcedure[], routable: { name: string; trigger: string }[]) {
    const union = <T>(pick: (procedure: CompiledProcedure) => Iterable<T>) => [...new Set(procedures.flatMap((procedure) => [...pick(procedure)]))];
    const main = this.state.stack[0]?.procedure ?? this.state.paused[0]?.[0]?.procedure;
    return {
      stepIds: union((procedure) => procedure.steps.map((step) => step.id)),
      subprocedures: union((procedure) => procedure.calls),
      routable: routable.filter((procedure) => procedure.name !== main),
      teams: union((procedure) => procedure.teams.values()),
      actions: union((procedure) => procedure.actions).flatMap((name) => this.services.connectors.describe(name) ?? []),
    };
  }

  private async callModel(request: {
    system: TextBlockParam[];
    messages: MessageParam[];
    tools: Tool[];
    toolChoice: ToolChoice;
    purpose: 'route' | 'agent';
  }): Promise<ModelCallResult> {
    this.modelCalls += 1;
    const started = performance.now();
    // A reply streamed from a response that then breaks off is withdrawn from the listeners: the
    // retry (or the outage message) replaces it, and the transcript only ever holds whole replies.
    let streamedReply = false;
    const withdrawStreamedReply = () => {
      if (!streamedReply) return false;
      streamedReply = false;
      this.onReplyText('', true);
      return true;
    };
    try {
      const options: ModelCallOptions = {
        ...(this.services.stream
          ? {
              stream: true,
              onToolInput: (tool: string, partialJson: string) => {
                const message = tool === 'reply' ? partialStringField(partialJson, 'message') : null;
                if (!message) return;
                streamedReply = true;
                this.onReplyText(message);
              },
            }
          : {}),
        onRetry: ({ fault, attempt, delayMs }) => {
          const withdrawn = withdrawStreamedReply();
          this.emit({ type: 'model_retry', payload: { purpose: request.purpose, fault: fault.kind, phase: fault.phase, detail: fault.detail, attempt, delayMs, withdrawnReply: withdrawn } });
        },
      };
      const result = await this.services.model.call({ role: 'agent', system: request.system, messages: request.messages, tools: request.tools, toolChoice: request.toolChoice }, options);
      const usage = this.state.usage;
      usage.inputTokens += result.usage.inputTokens;
      usage.outputTokens += result.usage.outputTokens;
      usage.cacheReadTokens += result.usage.cacheReadTokens;
      usage.cacheWriteTokens += result.usage.cacheWriteTokens;
      usage.costUsd += result.costUsd ?? 0;
      usage.modelCalls += 1;
      this.emit({
        type: 'model_call',
        payload: { purpose: request.purpose, model: result.model, usage: result.usage, costUsd: result.costUsd, latencyMs: Math.round(result.latencyMs), stopReason: result.message.stop_reason },
      });
      return result;
    } catch (error) {
      withdrawStreamedReply();
      const fault = error instanceof ModelUnavailableError || error instanceof ModelRequestError ? { fault: error.fault.kind, phase: error.fault.phase } : {};
      this.emit({ type: 'model_call', payload: { purpose: request.purpose, ok: false, error: (error as Error).message, ...fault, latencyMs: Math.round(performance.now() - started) } });
      throw error;
    }
  }

  // ----- tools --------------------------------------------------------------------------------

  private async runTool(call: ToolUseBlock): Promise<ToolOutcome> {
    const started = performance.now();
    const outcome = await this.dispatch(call);
    this.emit({
      type: 'tool_call',
      stepId: this.top()?.stepId ?? null,
      payload: { tool: call.name, input: call.input, ok: !outcome.isError, result: outcome.content, durationMs: Math.round(performance.now() - started) },
    });
    return outcome;
  }

  private parse<K extends keyof typeof inputSchemas>(name: K, input: unknown): { ok: true; value: ReturnType<(typeof inputSchemas)[K]['parse']> } | { ok: false; outcome: ToolOutcome } {
    const parsed = inputSchemas[name].safeParse(input);
    if (parsed.success) return { ok: true, value: parsed.data as ReturnType<(typeof inputSchemas)[K]['parse']> };
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
    return { ok: false, outcome: { content: `The ${name} input is not valid (${problems}). Call it again with valid input.`, isError: true, followUp: true } };
  }

  private async dispatch(call: ToolUseBlock): Promise<ToolOutcome> {
    switch (call.name) {
      case 'reply': {
        const input = this.parse('reply', call.input);
        if (!input.ok) return input.outcome;
        this.sendReply(input.value.message);
        return { content: 'Sent to the customer.', followUp: false };
      }
      case 'set_attributes':
        return this.setAttributes(call.input);
      case 'go_to_step':
        return this.goToStep(call.input);
      case 'decide_condition':
        return this.decide(call.input);
      case 'run_subprocedure':
        return this.runSubprocedure(call.input);
      case 'start_procedure':
        return this.startProcedure(call.input);
      case 'search_knowledge':
        return this.searchKnowledge(call.input);
      case 'handoff':
        return this.handoff(call.input);
      case 'escalate': {
        const input = this.parse('escalate', call.input);
        if (!input.ok) return input.outcome;
        this.escalate(input.value.reason, input.value.summary, false);
        return { content: 'Escalated to a person.', followUp: false, final: true };
      }
      case 'end_procedure':
        return this.endProcedure(call.input);
      default: {
        const action = actionFromToolName(call.name);
        if (action) return this.runAction(action, call.input);
        return { content: `There is no tool called ${call.name}.`, isError: true, followUp: true };
      }
    }
  }

  /** `byRuntime`: the runtime's own notice (an outage), which never counts as the agent repeating itself. */
  private sendReply(message: string, byRuntime = false) {
    const { state } = this;
    if (!byRuntime && repeatsEarlierReply(state, message, state.transcript.length)) state.progress.loopStrikes += 1;
    this.replies.push(message);
    state.transcript.push({ role: 'agent', text: message, turn: state.turn });
    this.newMessages.push({ role: 'agent', text: message });
    this.emit({ type: 'agent_message', stepId: this.top()?.stepId ?? null, payload: { text: message } });
  }

  private async declaredAttributes() {
    const declared = new Map<string, AttributeDecl>();
    for (const frame of [...this.state.stack].reverse()) {
      const procedure = await this.procedure(frame.procedure, frame.version);
      for (const attribute of procedure?.attributes ?? []) if (!declared.has(attribute.name)) declared.set(attribute.name, attribute);
    }
    return declared;
  }

  private async setAttributes(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('set_attributes', raw);
    if (!input.ok) return input.outcome;
    const declared = await this.declaredAttributes();
    const set: string[] = [];
    const problems: string[] = [];
    for (const [name, value] of Object.entries(input.value.values)) {
      const decl = declared.get(name);
      if (!decl) {
        problems.push(`${name} is not an attribute of the active Procedure (known: ${[...declared.keys()].join(', ') || 'none'})`);
        continue;
      }
      const checked = checkAttributeValue(decl, value);
      if (!checked.ok) {
        problems.push(checked.message);
        continue;
      }
      const previous = this.state.attributes[name];
      this.state.attributes[name] = { value: checked.value, source: 'customer', turn: this.state.turn };
      if (!previous || JSON.stringify(previous.value) !== JSON.stringify(checked.value)) this.progress = true;
      set.push(name);
      this.emit({ type: 'attribute_set', stepId: this.top()?.stepId ?? null, payload: { name, value: checked.value, source: 'customer' } });
    }
    if (problems.length > 0) {
      return { content: `${set.length > 0 ? `Set ${set.join(', ')}. ` : ''}Not set: ${problems.join('; ')}.`, isError: true, followUp: true };
    }
    // New values may unblock code steps; the model hears about anything the runtime then decides.
    const after = await this.runDeterministic();
    const notes = after?.notes ?? [];
    return { content: `Set ${set.join(', ')}.${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`, followUp: Turn.noteFollowUp(after) };
  }

  private async goToStep(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('go_to_step', raw);
    if (!input.ok) return input.outcome;
    const frame = this.top();
    const procedure = frame ? await this.procedure(frame.procedure, frame.version) : null;
    if (!frame || !procedure) return { content: 'No Procedure is active.', isError: true, followUp: true };
    if (!procedure.stepById(input.value.step_id)) {
      return { content: `"${input.value.step_id}" is not a step of ${procedure.name}. Steps: ${procedure.steps.map((s) => s.id).join(', ')}.`, isError: true, followUp: true };
    }
    this.exitStep(frame);
    this.enterStep(frame, input.value.step_id);
    const after = await this.runDeterministic();
    const notes = after?.notes ?? [];
    const step = procedure.stepById(input.value.step_id)!;
    return { content: `Now at step "${step.title}".${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`, followUp: Turn.noteFollowUp(after) };
  }

  private async decide(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('decide_condition', raw);
    if (!input.ok) return input.outcome;
    const frame = this.top();
    const awaiting = this.lastAdvance?.awaitingDecision;
    if (!frame || !awaiting || awaiting.conditionId !== input.value.condition_id) {
      return {
        content: awaiting
          ? `Only ${awaiting.conditionId} is waiting for a decision in this step.`
          : 'No plain-language condition is waiting for a decision here; Python conditions are decided by the runtime.',
        isError: true,
        followUp: true,
      };
    }
    const branch = awaiting.branches.find((candidate) => candidate.id === input.value.branch_id);
    if (!branch) return { content: `Choose one of: ${awaiting.branches.map((b) => b.id).join(', ')}.`, isError: true, followUp: true };
    frame.decided[awaiting.conditionId] = branch.id;
    this.progress = true;
    this.emit({ type: 'condition', stepId: frame.stepId, payload: { nodeId: awaiting.conditionId, branchId: branch.id, kind: 'plain', test: branch.test, reason: input.value.reason } });
    const after = await this.runDeterministic();
    const notes = after?.notes ?? [];
    return { content: `Recorded: ${branch.id}.${notes.length > 0 ? ` ${notes.join(' ')}` : ''}`, followUp: Turn.noteFollowUp(after) };
  }

  private async runSubprocedure(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('run_subprocedure', raw);
    if (!input.ok) return input.outcome;
    const frame = this.top();
    const caller = frame ? await this.procedure(frame.procedure, frame.version) : null;
    if (!caller || !caller.calls.has(input.value.name)) {
      return { content: `${input.value.name} is not a sub-procedure the active Procedure calls.`, isError: true, followUp: true };
    }
    const sub = await this.enterProcedure(input.value.name, 'sub');
    if (!sub) return { content: `The Procedure ${input.value.name} is not available.`, isError: true, followUp: true };
    return { content: `Started ${sub.name} at its first step; the conversation returns to "${frame!.stepId}" when it ends.`, followUp: 'if-silent' };
  }

  private async startProcedure(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('start_procedure', raw);
    if (!input.ok) return input.outcome;
    const routable = await this.routable();
    if (!routable.some((procedure) => procedure.name === input.value.name)) {
      return { content: `${input.value.name} is not a Procedure that can be started.`, isError: true, followUp: true };
    }
    const switched = await this.switchOrPause(input.value.name, input.value.reason ?? null);
    const started = await this.enterProcedure(input.value.name, switched ? 'switched' : 'main');
    return { content: switched ? `Switched to ${started!.name}; ${switched} will not resume.` : `Started ${started!.name}.`, followUp: 'if-silent' };
  }

  /**
   * Leaves the current Procedure for `name`. Where the Procedure itself says `@switch [[name]]` it
   * is left for good (returns its name); any other change of topic pauses it, to resume later.
   */
  private async switchOrPause(name: string, reason: string | null): Promise<string | null> {
    const stack = this.state.stack;
    const top = stack[stack.length - 1];
    if (!top) return null;
    const current = await this.procedure(top.procedure, top.version);
    if (current?.switches.has(name)) {
      for (const frame of [...stack].reverse()) {
        this.exitStep(frame);
        this.emit({ type: 'procedure_end', stepId: frame.stepId, payload: { procedure: frame.procedure, summary: `switched to ${name}` } });
      }
      this.state.stack = [];
      return top.procedure;
    }
    this.state.paused.push(stack);
    this.state.stack = [];
    this.emit({ type: 'procedure_pause', stepId: top.stepId, payload: { procedure: top.procedure, reason } });
    return null;
  }

  private async searchKnowledge(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('search_knowledge', raw);
    if (!input.ok) return input.outcome;
    const hits = await this.services.knowledge.search(input.value.query, 5);
    this.emit({ type: 'knowledge_search', stepId: this.top()?.stepId ?? null, payload: { query: input.value.query, hits: hits.map((hit) => ({ id: hit.id, title: hit.title })) } });
    if (hits.length === 0) return { content: 'No article matches. Say you are not sure rather than guess.', followUp: 'if-silent' };
    return { content: JSON.stringify(hits.map((hit) => ({ id: hit.id, title: hit.title, excerpt: hit.snippet, url: hit.url }))), followUp: 'if-silent' };
  }

  private async handoff(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('handoff', raw);
    if (!input.ok) return input.outcome;
    const frame = this.top();
    const procedure = frame ? await this.procedure(frame.procedure, frame.version) : null;
    if (!procedure || !procedure.teams.has(input.value.team.toLowerCase())) {
      return { content: `The active Procedure does not hand off to "${input.value.team}". Use escalate to reach a person otherwise.`, isError: true, followUp: true };
    }
    this.finish('handed_off', 'procedure', input.value.team, input.value.summary, input.value.note ?? null);
    return { content: `Handed off to ${input.value.team}.`, followUp: false, final: true };
  }

  private async endProcedure(raw: unknown): Promise<ToolOutcome> {
    const input = this.parse('end_procedure', raw);
    if (!input.ok) return input.outcome;
    const { state } = this;
    const frame = state.stack.pop();
    if (!frame) return { content: 'No Procedure is active.', isError: true, followUp: true };
    this.exitStep(frame);
    this.emit({ type: 'procedure_end', stepId: frame.stepId, payload: { procedure: frame.procedure, summary: input.value.summary ?? null } });
    this.progress = true;
    const caller = this.top();
    if (caller) {
      return { content: `${frame.procedure} is complete; back in ${caller.procedure} at ${caller.stepId}. Carry on from there.`, followUp: 'if-silent' };
    }
    const paused = state.paused.pop();
    if (paused) {
      state.stack = paused;
      const resumed = paused[paused.length - 1]!;
      this.emit({ type: 'procedure_resume', stepId: resumed.stepId, payload: { procedure: resumed.procedure } });
      return { content: `${frame.procedure} is complete; resuming ${resumed.procedure} at ${resumed.stepId}.`, followUp: 'if-silent' };
    }
    this.finish('ended', 'procedure complete', null, input.value.summary ?? null, null);
    return { content: 'The conversation is complete.', followUp: false, final: true };
  }

  private async runAction(action: string, raw: unknown): Promise<ToolOutcome> {
    const { state } = this;
    const frame = this.top();
    const procedure = frame ? await this.procedure(frame.procedure, frame.version) : null;
    if (!frame || !procedure || !procedure.actions.has(action)) {
      this.emit({ type: 'action_refused', stepId: frame?.stepId ?? null, payload: { action, reason: 'not named by the active Procedure' } });
      return { content: `@${action} is not named by the active Procedure, so it cannot run.`, isError: true, followUp: true };
    }
    const info = this.services.connectors.describe(action);
    if (!info) return { content: `The connector action @${action} is not configured in this workspace.`, isError: true, followUp: true };
    let input = raw;
    if (info.confirm) {
      const agreement = checkAgreement(state, action, raw);
      if (!agreement.ok) {
        state.pendingConfirmation = { action, input: agreement.input, turn: state.turn };
        this.emit({ type: 'action_needs_confirmation', stepId: frame.stepId, payload: { action, input: agreement.input } });
        return { content: agreement.message, isError: true, followUp: false };
      }
      input = agreement.input;
      state.pendingConfirmation = null;
    }
    const result = await this.services.connectors.execute(action, input, { conversationId: state.id });
    if (result.record !== undefined) this.emit({ type: 'connector_call', stepId: frame.stepId, payload: { action, record: result.record } });
    if (!result.ok) {
      state.progress.connectorFailures += 1;
      return { content: `@${action} failed: ${result.error}`, isError: true, followUp: true };
    }
    state.progress.connectorFailures = 0;
    state.data[action] = result.data;
    frame.ran.push(action);
    this.progress = true;
    const after = await this.runDeterministic();
    const notes = after?.notes ?? [];
    return { content: `${JSON.stringify(result.data)}${notes.length > 0 ? `\n${notes.join(' ')}` : ''}`, followUp: 'if-silent' };
  }

  // ----- endings ------------------------------------------------------------------------------

  private finish(kind: 'ended' | 'handed_off' | 'escalated', reason: string, team: string | null, summary: string | null, note: string | null) {
    this.state.outcome = { kind, reason, team, summary };
    this.state.status = kind;
    this.emit({ type: kind === 'ended' ? 'conversation_end' : kind === 'handed_off' ? 'handoff' : 'escalation', stepId: this.top()?.stepId ?? null, payload: { reason, team, summary, note } });
  }

  private escalate(reason: EscalationReason, detail: string, tellCustomer: boolean) {
    if (this.state.outcome) return;
    this.finish('escalated', reason, this.policy.team, detail, null);
    if (tellCustomer) this.sendReply(this.policy.customerMessage);
  }

  /**
   * The model failed for good (after every retry): hand off with the reason and record the outage
   * (outage.ts), so a later message can resume here. The transcript keeps everything.
   */
  private handOffOnFailure(error: ModelUnavailableError | ModelRequestError, owed: { earlier: string[]; current: string }) {
    const { state } = this;
    const outage = outageRecord(state, error.fault, this.policy, { ...owed, reachedModel: this.reachedModel });
    state.outage = outage;
    // The model's failure is not the agent's lack of progress: this turn does not count toward no_progress.
    state.progress.lastProgressTurn = state.turn;
    this.emit({
      type: 'model_outage',
      stepId: outage.stepId,
      payload: { fault: error.fault.kind, phase: error.fault.phase, status: error.status ?? null, detail: error.fault.detail, procedure: outage.procedure, resumable: outage.resumable },
    });
    this.finish('handed_off', `model unavailable: ${error.message}`, this.policy.team, 'The AI agent could not reach its model; the customer is waiting for a person.', null);
    this.sendReply(this.policy.customerMessage, true);
  }

  /**
   * A conversation handed off by a model outage re-opens at the step it stopped on (the engine has
   * checked that the policy allows it). Returns the messages the model never received.
   */
  private reopenAfterOutage(): string[] {
    const { state } = this;
    const outage = state.outage;
    if (!outage) return [];
    state.outage = null;
    if (state.status === 'handed_off') {
      state.outcome = null;
      this.emit({
        type: 'resumed_after_outage',
        stepId: outage.stepId,
        payload: { sinceTurn: outage.turn, fault: outage.fault, procedure: outage.procedure, unanswered: outage.unanswered.length },
      });
    }
    return outage.unanswered;
  }

  private async finishTurn() {
    const { state } = this;
    if (!state.outcome) {
      // What the Procedure requires after a Python decision happens even if the model forgot it.
      const handoff = this.obligations.find((obligation) => obligation.kind === 'handoff');
      const switchTo = this.obligations.find((obligation) => obligation.kind === 'switch');
      if (handoff) {
        this.emit({ type: 'enforced', stepId: this.top()?.stepId ?? null, payload: { nodeId: handoff.nodeId, kind: handoff.kind, target: handoff.target } });
        this.finish('handed_off', 'required by the Procedure', handoff.target, 'The Procedure requires this handoff.', null);
      } else if (switchTo && !state.stack.some((frame) => frame.procedure === switchTo.target)) {
        this.emit({ type: 'enforced', stepId: this.top()?.stepId ?? null, payload: { nodeId: switchTo.nodeId, kind: switchTo.kind, target: switchTo.target } });
        await this.switchOrPause(switchTo.target, 'required by the Procedure');
        await this.enterProcedure(switchTo.target, 'switched');
      }
    }
    if (this.progress) state.progress.lastProgressTurn = state.turn;
    if (!state.outcome) {
      const escalation = escalationAfterTurn(state, this.policy);
      if (escalation) {
        this.emit({ type: 'escalation_check', payload: escalation });
        this.escalate(escalation.reason, escalation.detail, true);
      }
    }
    if (!state.outcome) state.status = 'waiting';
  }
}

/** Marks the end of the newest message, so the next call can reuse everything up to here. */
function withCacheBreakpoint(message: { role: 'user'; content: ContentBlockParam[] }): MessageParam {
  const content = message.content;
  const last = content[content.length - 1]!;
  return { role: 'user', content: [...content.slice(0, -1), { ...last, cache_control: { type: 'ephemeral' } } as ContentBlockParam] };
}

function checkAgreement(state: ConversationState, action: string, raw: unknown): { ok: true; input: unknown } | { ok: false; input: unknown; message: string } {
  const { customer_agreement: agreement, ...input } = (raw ?? {}) as Record<string, unknown>;
  const pending = state.pendingConfirmation;
  const lastCustomer = [...state.transcript].reverse().find((line) => line.role === 'customer');
  const sameRequest = pending && pending.action === action && JSON.stringify(pending.input) === JSON.stringify(input);
  const askedBefore = sameRequest && pending.turn < state.turn;
  const quoted = typeof agreement === 'string' && agreement.trim().length > 0 && lastCustomer !== undefined && normalizeQuote(lastCustomer.text).includes(normalizeQuote(agreement));
  if (askedBefore && quoted) return { ok: true, input };
  return {
    ok: false,
    input,
    message: `@${action} changes something for the customer, so it needs their explicit agreement first: tell them exactly what will happen and ask them to confirm. After they agree, call it again with the same input and customer_agreement quoting their words.`,
  };
}

const normalizeQuote = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').replace(/[“”"'’.!]/g, '').trim();
