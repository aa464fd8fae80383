// A runtime trace event in words, for a person: a kind (for its icon and colour), a one-line title
// and labelled details. Pure, so the preview and the simulations screen render events the same way.
import type { PreviewTraceEvent } from '../../../shared/api';

export type EventKind = 'message' | 'step' | 'procedure' | 'tool' | 'connector' | 'condition' | 'code' | 'attribute' | 'knowledge' | 'handoff' | 'model' | 'refusal' | 'error' | 'other';

export interface DescribedEvent {
  kind: EventKind;
  title: string;
  details: [label: string, value: string][];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
const money = (value: unknown) => (typeof value === 'number' ? `$${value.toFixed(4)}` : 'no price');

export function describeEvent(event: Pick<PreviewTraceEvent, 'type' | 'stepId' | 'payload'>): DescribedEvent {
  const p = event.payload;
  const details = (...pairs: [string, unknown][]): [string, string][] => pairs.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([label, value]) => [label, text(value)]);
  switch (event.type) {
    case 'customer_message':
      return { kind: 'message', title: `Customer: ${text(p.text)}`, details: [] };
    case 'agent_message':
      return { kind: 'message', title: `Agent: ${text(p.text)}`, details: [] };
    case 'reply_held':
      return { kind: 'refusal', title: 'A reply was held back', details: details(['why', p.reason]) };
    case 'route':
      return p.valid === false
        ? { kind: 'error', title: 'The routing answer was not understood', details: details(['why', p.reason]) }
        : { kind: 'procedure', title: p.procedure ? `Routed to ${text(p.procedure)}` : 'No Procedure fits this message', details: details(['how', p.method], ['why', p.reason]) };
    case 'routing_failed':
      return { kind: 'error', title: 'Routing failed: no Procedure for this message', details: details(['why', p.reason]) };
    case 'procedure_start':
      return { kind: 'procedure', title: `Started ${text(p.procedure)}${p.kind === 'sub' ? ' (sub-procedure)' : ''}`, details: details(['version', p.version]) };
    case 'procedure_end':
      return { kind: 'procedure', title: p.complete ? `${text(p.procedure)} finished` : `${text(p.procedure)} ended, back to the caller`, details: details(['summary', p.summary]) };
    case 'procedure_pause':
      return { kind: 'procedure', title: `Paused ${text(p.procedure)} for another topic`, details: details(['switching to', p.to]) };
    case 'procedure_resume':
      return { kind: 'procedure', title: `Resumed ${text(p.procedure)}`, details: [] };
    case 'step_enter':
      return { kind: 'step', title: `Step ${text(event.stepId)}${p.revisit ? ' (again)' : ''}`, details: details(['in', p.procedure]) };
    case 'step_exit':
      return { kind: 'step', title: `Left step ${text(event.stepId)}`, details: [] };
    case 'attribute_set':
      return { kind: 'attribute', title: `${text(p.name)} = ${JSON.stringify(p.value)}`, details: details(['from', SOURCES[text(p.source)] ?? p.source]) };
    case 'condition': {
      // A Python test is traced for each branch it tries; `result` false: not that branch.
      const branch = p.ok === false ? `could not be evaluated: ${text(p.error)}` : p.result === false ? `test for ${text(p.branchId)} was false` : p.branchId ? `took ${text(p.branchId)}` : 'no branch';
      return p.kind === 'python'
        ? { kind: 'condition', title: `Python condition ${branch}`, details: details(['test', p.test], ['inputs', p.inputs], ['result', p.result], ['node', p.nodeId]) }
        : { kind: 'condition', title: `Condition ${branch}`, details: details(['test', p.test], ["model's reason", p.reason], ['node', p.nodeId]) };
    }
    case 'code_run':
      return p.ok === false
        ? { kind: 'error', title: `Code step failed: ${text(p.error)}`, details: details(['node', p.nodeId]) }
        : { kind: 'code', title: 'Code step ran', details: details(['wrote', p.writes], ['printed', p.printed], ['took', p.durationMs !== undefined ? `${text(p.durationMs)} ms` : undefined], ['node', p.nodeId]) };
    case 'tool_call':
      return { kind: p.ok === false ? 'refusal' : 'tool', title: `${p.eager ? 'Looked up' : 'Called'} ${text(p.tool).replace('__', '.')}${p.ok === false ? ' (refused)' : ''}`, details: details(['input', p.input], ['result', p.result], ['took', `${text(p.durationMs)} ms`]) };
    case 'connector_call':
      return { kind: 'connector', title: `Connector ${text(p.action)}`, details: details(['record (as stored, redacted)', p.record]) };
    case 'knowledge_search': {
      const hits = Array.isArray(p.hits) ? (p.hits as { title?: string }[]).map((hit) => hit.title).join('; ') : '';
      return { kind: 'knowledge', title: `Knowledge: "${text(p.query)}"`, details: details(['articles', hits || 'nothing found']) };
    }
    case 'handoff':
    case 'escalation':
      return { kind: 'handoff', title: `${event.type === 'handoff' ? 'Handed off' : 'Escalated'}${p.team ? ` to ${text(p.team)}` : ''}`, details: details(['reason', p.reason], ['summary', p.summary], ['note', p.note]) };
    case 'conversation_end':
      return { kind: 'procedure', title: 'Conversation ended', details: details(['reason', p.reason]) };
    case 'model_call': {
      if (p.ok === false) return { kind: 'error', title: `Model call failed: ${text(p.error)}`, details: details(['purpose', p.purpose]) };
      const usage = (p.usage ?? {}) as { inputTokens?: number; outputTokens?: number };
      return { kind: 'model', title: `Model call (${text(p.purpose)}): ${usage.inputTokens ?? 0} in, ${usage.outputTokens ?? 0} out, ${money(p.costUsd)}`, details: details(['model', p.model], ['took', `${text(p.latencyMs)} ms`]) };
    }
    case 'model_retry':
      return { kind: 'error', title: `The model's response broke off (${text(p.fault)}): retried`, details: details(['wait', `${text(p.delayMs)} ms`]) };
    case 'model_outage':
      return { kind: 'error', title: `The model failed (${text(p.fault)})`, details: details(['detail', p.detail], ['resumable', p.resumable ? 'yes: the next message carries on' : 'no']) };
    case 'resumed_after_outage':
      return { kind: 'procedure', title: 'Resumed after the model outage', details: details(['in', p.procedure]) };
    case 'action_refused':
    case 'move_refused':
      return { kind: 'refusal', title: `${event.type === 'action_refused' ? 'Action' : 'Move'} refused`, details: details(['why', p.reason ?? p.invariant], ['missing', p.missing], ['target', p.target]) };
    case 'action_needs_confirmation':
      return { kind: 'refusal', title: 'Waiting for the customer to agree', details: details(['action', p.action]) };
    default:
      return { kind: 'other', title: event.type.replace(/_/g, ' '), details: Object.entries(p).map(([label, value]) => [label, text(value)]) };
  }
}

const SOURCES: Record<string, string> = { customer: 'what the customer said', connector: 'a connector result', code: 'a code step', context: 'the starting attributes' };

/** Model usage over a trace: tokens and cost, in total. */
export function usageTotals(events: readonly Pick<PreviewTraceEvent, 'type' | 'payload'>[]): { calls: number; inputTokens: number; outputTokens: number; costUsd: number } {
  const totals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const event of events) {
    if (event.type !== 'model_call' || event.payload.ok === false) continue;
    const usage = (event.payload.usage ?? {}) as { inputTokens?: number; outputTokens?: number };
    totals.calls += 1;
    totals.inputTokens += usage.inputTokens ?? 0;
    totals.outputTokens += usage.outputTokens ?? 0;
    totals.costUsd += typeof event.payload.costUsd === 'number' ? event.payload.costUsd : 0;
  }
  return totals;
}
