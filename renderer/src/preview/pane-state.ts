// One preview pane's state, folded from the engine's preview events: the trace (which also gives
// the transcript: customer and agent messages are trace events), the reply being streamed, and the
// status (running, the queue, an error). Pure, so it is tested without a browser.
import type { PreviewSession, PreviewStatus, PreviewTarget, PreviewTraceEvent } from '../../../shared/api';
import { waypointsOf, type PathWaypoint } from './path-edges';

export interface PaneState {
  sessionId: string;
  conversationId: number;
  /** What it talks to, and the Procedure and exact text it runs on (null: routed), for the trace's words. */
  target?: PreviewTarget;
  procedure?: string | null;
  procedureText?: string | null;
  trace: PreviewTraceEvent[];
  /** The agent's reply as it streams in; null when none is being written. */
  streaming: string | null;
  status: PreviewStatus;
}

export type PaneEvent =
  | { kind: 'reply'; text: string; withdrawn: boolean }
  | { kind: 'trace'; event: PreviewTraceEvent }
  | { kind: 'status'; status: PreviewStatus };

export function paneFromSession(session: PreviewSession): PaneState {
  return { sessionId: session.sessionId, conversationId: session.conversationId, target: session.target, procedure: session.procedure, procedureText: session.procedureText, trace: session.trace, streaming: null, status: session.status };
}

export function applyPaneEvent(state: PaneState, event: PaneEvent): PaneState {
  switch (event.kind) {
    case 'reply':
      return { ...state, streaming: event.withdrawn ? null : event.text };
    case 'trace': {
      // An event already held (a reopened session, a repeated push) is not added twice.
      if (event.event.index < state.trace.length) return state;
      const done = event.event.type === 'agent_message';
      return { ...state, trace: [...state.trace, event.event], streaming: done ? null : state.streaming };
    }
    case 'status': {
      // A stopped turn was never saved: its events go too.
      const trace = event.status.traceLength < state.trace.length ? state.trace.slice(0, event.status.traceLength) : state.trace;
      return { ...state, trace, status: event.status, streaming: event.status.running ? state.streaming : null };
    }
  }
}

export interface TranscriptLine {
  role: 'customer' | 'agent';
  text: string;
  /** The trace event it comes from. */
  index: number;
}

export function transcriptOf(trace: readonly PreviewTraceEvent[]): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const event of trace) {
    if (event.type === 'customer_message' || event.type === 'agent_message') lines.push({ role: event.type === 'customer_message' ? 'customer' : 'agent', text: String(event.payload.text ?? ''), index: event.index });
  }
  return lines;
}

/** The conversation's path for the graph: the steps it went through, in order, the one it is at, and where it went (for the edges, path-edges.ts). */
export interface PreviewPath {
  visited: string[];
  active: string | null;
  waypoints: PathWaypoint[];
}

export const NO_PATH: PreviewPath = { visited: [], active: null, waypoints: [] };

export function pathOf(trace: readonly PreviewTraceEvent[]): PreviewPath {
  const visited: string[] = [];
  let active: string | null = null;
  for (const event of trace) {
    if (event.type === 'step_enter' && event.stepId) {
      if (!visited.includes(event.stepId)) visited.push(event.stepId);
      active = event.stepId;
    }
    // Only the conversation's own Procedure finishing leaves no active step (a sub-procedure returns to its caller).
    if (event.type === 'procedure_end' && event.payload.complete === true) active = null;
  }
  return { visited, active, waypoints: waypointsOf(trace) };
}
