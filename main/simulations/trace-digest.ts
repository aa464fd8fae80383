// A conversation's trace as lines a judge (or a person reading a failure) can follow: messages,
// steps, tool calls with their input and result, conditions with the branch and the reason,
// code runs, knowledge searches, handoffs and escalations. Timings are left out, so the same
// conversation always gives the same text.
import type { TraceEvent } from '../runtime/types';

const MAX_VALUE = 600;

function short(value: unknown, max = MAX_VALUE): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return 'null';
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/**
 * One line per event worth reading, or null for events that add nothing (timings, streaming).
 * `say` puts a node id in words (node-words.ts: a branch is its step and its test); without it
 * the ids are said as they are (the judge's digest).
 */
export function describeEvent(event: TraceEvent, say?: (id: string) => string): string | null {
  const p = event.payload;
  switch (event.type) {
    case 'customer_message':
      return `customer: ${short(p.text, 2000)}`;
    case 'agent_message':
      return `agent: ${short(p.text, 2000)}`;
    case 'route':
      if (p.valid === false) return `routing answer not understood: ${short(p.reason, 200)}`;
      return `routed to ${p.procedure ? `"${String(p.procedure)}"` : 'no Procedure'} (${short(p.reason, 200)})`;
    case 'routing_failed':
      return `routing failed (${short(p.reason, 200)}): the agent went on without a Procedure`;
    case 'procedure_start':
      return `Procedure "${String(p.procedure)}" starts (${String(p.kind)})`;
    case 'procedure_end':
      return `Procedure "${String(p.procedure)}" ends${p.summary ? `: ${short(p.summary, 200)}` : ''}`;
    case 'procedure_pause':
      return `Procedure "${String(p.procedure)}" paused`;
    case 'procedure_resume':
      return `Procedure "${String(p.procedure)}" resumes`;
    case 'step_enter':
      return `step ${event.stepId ? (say ? say(event.stepId) : event.stepId) : '?'}${p.revisit ? ' (again)' : ''}`;
    case 'attribute_set':
      return `attribute ${String(p.name)} = ${short(p.value, 200)} (from ${String(p.source)})`;
    case 'tool_call':
      if (p.tool === 'reply') return null;
      return `tool ${String(p.tool)} ${short(p.input, 300)} → ${p.ok ? 'ok' : 'refused'}: ${short(p.result)}`;
    case 'condition':
      if (say) {
        // The branch says its step and its test: "“Check the window” → “days since delivery ≤ 30” is true".
        if (p.ok === false) return `${say(String(p.nodeId))} could not be evaluated: ${short(p.error, 200)}`;
        if (p.kind === 'python') return `${say(String(p.branchId))} is ${p.result ? 'true' : 'false'}`;
        return `${say(String(p.branchId))} (decided by the agent: ${short(p.reason, 300)})`;
      }
      if (p.ok === false) return `condition ${String(p.nodeId)} could not be evaluated: ${short(p.error, 200)}`;
      if (p.kind === 'python') return `condition ${String(p.nodeId)}: \`${String(p.test)}\` is ${p.result ? 'true' : 'false'} (${String(p.branchId)})`;
      return `condition ${String(p.nodeId)} → ${String(p.branchId)} (decided by the agent: ${short(p.reason, 300)})`;
    case 'code_run': {
      const code = say ? say(String(p.nodeId)) : `code ${String(p.nodeId)}`;
      return p.ok ? `${code} ran${p.writes && Object.keys(p.writes as object).length > 0 ? `, setting ${short(p.writes, 300)}` : ''}` : `${code} failed: ${short(p.error, 300)}`;
    }
    case 'knowledge_search':
      return `knowledge search "${String(p.query)}" → ${((p.hits as { title: string }[] | undefined) ?? []).map((hit) => hit.title).join('; ') || 'nothing'}`;
    case 'handoff':
      return `handed off to ${String(p.team)} (${String(p.reason)})${p.summary ? `: ${short(p.summary, 300)}` : ''}`;
    case 'escalation':
      return `escalated to ${String(p.team ?? 'a person')} (${String(p.reason)})${p.summary ? `: ${short(p.summary, 300)}` : ''}`;
    case 'conversation_end':
      return `conversation ended (${String(p.reason)})`;
    case 'enforced':
      return `the runtime enforced a ${String(p.kind)} to ${String(p.target)}`;
    case 'action_refused':
      return `action @${String(p.action)} refused: ${String(p.reason)}`;
    case 'action_needs_confirmation':
      return `action @${String(p.action)} waits for the customer's agreement`;
    case 'tag':
      return `tag ${String(p.tag)}`;
    case 'escalation_check':
      return `escalation check: ${short(p, 200)}`;
    case 'model_call':
      return p.ok === false ? `model call failed: ${short(p.error, 200)}` : null;
    default:
      return null;
  }
}

export function digestTrace(events: readonly TraceEvent[]): string {
  return events.flatMap((event) => describeEvent(event) ?? []).join('\n');
}
