// Preview sessions: one conversation each, on its own engine, its reply text and trace events
// pushed to the UI as they happen. Messages sent while a turn runs wait in the session's queue
// (shown to the user); stop aborts the running turn's model call and drops the queue. A stopped
// turn is never saved, so the stored conversation stays as it was before that message, and the
// session's transcript and trace are put back the same way.
import { randomUUID } from 'node:crypto';
import type { PreviewSession, PreviewStatus, PreviewTarget, PreviewTraceEvent } from '../../shared/api';
import type { ModelCaller } from '../model/client';
import type { EventHub } from './events';

/** The runtime's trace event (main/runtime/types.ts), as the API receives it. */
interface RuntimeEvent {
  type: string;
  stepId?: string | null;
  payload: Record<string, unknown>;
}

/** What the preview needs of a conversation engine (main/assembly/preview-engine.ts builds it). */
export interface PreviewRuntime {
  engine: {
    start(options: { kind: 'preview'; procedure?: string; attributes?: Record<string, unknown> }): Promise<number>;
    send(conversationId: number, text: string): Promise<{ replies: string[]; status: string; outcome: { kind: string; team?: string | null; reason: string } | null; trace: RuntimeEvent[] }>;
    subscribe(listener: (conversationId: number, event: RuntimeEvent) => void): () => void;
    subscribeReplies(listener: (conversationId: number, text: string, withdrawn?: boolean) => void): () => void;
  };
  attributeProblems(attributes: Record<string, unknown>): string[];
  close(): Promise<void>;
}

interface Ticket {
  text: string;
  cancelled: boolean;
}

export interface SessionSetup {
  target: PreviewTarget;
  procedure: string | null;
  procedureText: string | null;
  warnings: string[];
  /** A reopened conversation: its id, transcript and trace. */
  existing?: { conversationId: number; transcript: PreviewSession['transcript']; trace: PreviewTraceEvent[]; status: string; outcome: PreviewStatus['outcome'] };
}

export class PreviewSessionRun {
  readonly id = randomUUID();
  conversationId = 0;
  private transcript: PreviewSession['transcript'] = [];
  private trace: PreviewTraceEvent[] = [];
  private pending: Ticket[] = [];
  private running = false;
  private abort: AbortController | null = null;
  private error: string | null = null;
  private conversationStatus = 'waiting';
  private outcome: PreviewStatus['outcome'] = null;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly stops: (() => void)[] = [];

  constructor(
    readonly setup: SessionSetup,
    private readonly runtime: PreviewRuntime,
    private readonly hub: EventHub,
  ) {
    if (setup.existing) {
      this.conversationId = setup.existing.conversationId;
      this.transcript = [...setup.existing.transcript];
      this.trace = [...setup.existing.trace];
      this.conversationStatus = setup.existing.status;
      this.outcome = setup.existing.outcome;
    }
    this.stops.push(
      runtime.engine.subscribe((_id, event) => {
        const traced: PreviewTraceEvent = { index: this.trace.length, type: event.type, stepId: event.stepId ?? null, payload: event.payload };
        this.trace.push(traced);
        this.hub.emit('preview.trace', { sessionId: this.id, event: traced });
      }),
      runtime.engine.subscribeReplies((_id, text, withdrawn) => this.hub.emit('preview.reply', { sessionId: this.id, text, withdrawn: withdrawn === true })),
    );
  }

  /** The model caller for this session's engine: each call carries the running turn's abort signal. */
  static abortable(model: ModelCaller, session: () => PreviewSessionRun | null): ModelCaller {
    return { call: (request, options) => model.call(request, { ...options, ...(session()?.abort ? { signal: session()!.abort!.signal } : {}) }) };
  }

  async start(procedure: string | null, attributes: Record<string, unknown>): Promise<void> {
    this.conversationId = await this.runtime.engine.start({ kind: 'preview', ...(procedure ? { procedure } : {}), attributes });
  }

  view(): PreviewSession {
    const { target, procedure, procedureText, warnings } = this.setup;
    return { sessionId: this.id, conversationId: this.conversationId, target, procedure, procedureText, warnings, transcript: [...this.transcript], trace: [...this.trace], status: this.status() };
  }

  status(): PreviewStatus {
    return {
      running: this.running,
      queued: this.pending.map((ticket) => ticket.text),
      conversationStatus: this.conversationStatus,
      outcome: this.outcome,
      error: this.error,
      traceLength: this.trace.length,
    };
  }

  send(text: string): Promise<{ answered: boolean; replies: string[]; status: PreviewStatus }> {
    const ticket: Ticket = { text, cancelled: false };
    this.pending.push(ticket);
    this.announce();
    const turn = this.chain.then(() => this.runTurn(ticket));
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** Stops the running turn (its model call is aborted) and drops the queued messages. */
  stop(): PreviewStatus {
    for (const ticket of this.pending) ticket.cancelled = true;
    this.pending = [];
    this.abort?.abort();
    this.announce();
    return this.status();
  }

  async close(): Promise<void> {
    this.stop();
    await this.chain;
    for (const stop of this.stops) stop();
    await this.runtime.close();
  }

  private async runTurn(ticket: Ticket): Promise<{ answered: boolean; replies: string[]; status: PreviewStatus }> {
    this.pending = this.pending.filter((other) => other !== ticket);
    if (ticket.cancelled) return { answered: false, replies: [], status: this.status() };
    const before = { trace: this.trace.length, transcript: this.transcript.length };
    this.running = true;
    this.error = null;
    const abort = new AbortController();
    this.abort = abort;
    this.transcript.push({ role: 'customer', text: ticket.text });
    this.announce();
    let answer: { answered: boolean; replies: string[] };
    try {
      const result = await this.runtime.engine.send(this.conversationId, ticket.text);
      for (const reply of result.replies) this.transcript.push({ role: 'agent', text: reply });
      this.conversationStatus = result.status;
      this.outcome = result.outcome ? { kind: result.outcome.kind, team: result.outcome.team ?? null, reason: result.outcome.reason } : null;
      const outage = result.trace.find((event) => event.type === 'model_outage');
      if (outage) this.error = `The model failed during this turn (${String(outage.payload.fault)}${outage.payload.detail ? `: ${String(outage.payload.detail)}` : ''}). The conversation and its transcript are kept; send another message to carry on.`;
      answer = { answered: true, replies: result.replies };
    } catch (error) {
      // The engine saved nothing of this turn: the session forgets it too.
      this.trace.length = before.trace;
      this.transcript.length = before.transcript;
      this.error = abort.signal.aborted ? `Stopped: "${short(ticket.text)}" was not answered, and the conversation is as it was before it.` : error instanceof Error ? error.message : String(error);
      answer = { answered: false, replies: [] };
    }
    this.running = false;
    this.abort = null;
    this.announce();
    return { ...answer, status: this.status() };
  }

  private announce() {
    this.hub.emit('preview.status', { sessionId: this.id, status: this.status() });
  }
}

const short = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);
