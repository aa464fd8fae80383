// A runtime trace event in words, for a person: a kind (for its icon and colour), a one-line title
// in the Procedure's own words (step titles, branch labels, Procedure and team names, from the
// labels passed in) and labelled details. An id the labels do not know (an old trace, a deleted
// step) shows as the id, marked as such. Pure, so the preview and the simulations screen render
// events the same way; payloads are read defensively (a wrong type reads as missing, never throws).
import type { PreviewTraceEvent } from '../../../shared/api';
import { Namer, text, type EventPlace } from './names';
import { NO_LABELS } from './trace-labels';
import { formatUsd } from '../ui/cost';

export type { EventPlace } from './names';

export type EventKind = 'message' | 'step' | 'procedure' | 'tool' | 'connector' | 'condition' | 'code' | 'attribute' | 'knowledge' | 'handoff' | 'model' | 'refusal' | 'error' | 'other';

export interface DescribedEvent {
  kind: EventKind;
  /** One line, long names shortened. */
  title: string;
  /** The same line with every name whole (the row's tooltip, the details' heading). */
  fullTitle: string;
  details: [label: string, value: string][];
}


/** Names in a title are cut here; the full title keeps them whole. */
export const LABEL_LIMIT = 48;

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const money = (value: unknown) => (typeof value === 'number' ? formatUsd(value) : 'price unknown');

type Details = [string, string][];
const detailsOf = (...pairs: [string, unknown][]): Details => pairs.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([label, value]) => [label, text(value)]);

/** Why a conversation was handed off, escalated or ended, in words ('procedure' is the handoff tool's: the Procedure said so). */
export function reasonWords(reason: string): string {
  return REASONS[reason] ?? reason.replace(/_/g, ' ');
}

const REASONS: Record<string, string> = {
  procedure: 'as the Procedure says',
  customer_asked_for_human: 'the customer asked for a person',
  stuck: 'the agent was stuck',
  loop: 'the agent was going round in circles',
  no_progress: 'no progress',
  connector_failures: 'connector calls kept failing',
};

const SOURCES: Record<string, string> = { customer: 'what the customer said', connector: 'a connector result', code: 'a code step', context: 'the starting attributes' };

function describe(event: Pick<PreviewTraceEvent, 'type' | 'stepId' | 'payload'>, names: Namer): Omit<DescribedEvent, 'fullTitle'> {
  const p: Record<string, unknown> = event.payload && typeof event.payload === 'object' ? event.payload : {};
  const details = detailsOf;
  switch (event.type) {
    case 'customer_message':
      return { kind: 'message', title: `Customer: ${text(p.text)}`, details: [] };
    case 'agent_message':
      return { kind: 'message', title: `Agent: ${text(p.text)}`, details: [] };
    case 'reply_held': {
      const reasons = Array.isArray(p.reasons) ? p.reasons.map(text).join('; ') : p.reason;
      return { kind: 'refusal', title: `A reply was held back${typeof reasons === 'string' && reasons ? `: ${reasons}` : ''}`, details: details(['why', reasons], ['the reply', p.text]) };
    }
    case 'route':
      return p.valid === false
        ? { kind: 'error', title: 'The routing answer was not understood', details: details(['why', p.reason]) }
        : { kind: 'procedure', title: str(p.procedure) ? `Routed to ${names.procedure(p.procedure)}` : 'No Procedure fits this message', details: details(['how', p.method === 'match' ? 'its trigger matched' : p.method === 'model' ? 'the model chose' : p.method], ['why', p.reason]) };
    case 'routing_failed':
      return { kind: 'error', title: 'Routing failed: no Procedure for this message', details: details(['why', p.reason]) };
    case 'procedure_start':
      return { kind: 'procedure', title: `Started ${names.procedure(p.procedure)}${p.kind === 'sub' ? ' (sub-procedure)' : ''}`, details: details(['version', p.version]) };
    case 'procedure_end':
      return { kind: 'procedure', title: p.complete === true ? `${names.procedure(p.procedure)} finished` : `${names.procedure(p.procedure)} ended, back to the caller`, details: details(['summary', p.summary]) };
    case 'procedure_pause':
      return { kind: 'procedure', title: `Paused ${names.procedure(p.procedure)} for another topic`, details: details(['why', p.reason], ['switching to', p.to]) };
    case 'procedure_resume':
      return { kind: 'procedure', title: `Resumed ${names.procedure(p.procedure)}`, details: [] };
    case 'step_enter':
      return { kind: 'step', title: `Entered ${names.name(event.stepId, 'step')}${p.revisit === true ? ' (again)' : ''}`, details: details(['in', p.procedure]) };
    case 'step_exit':
      return { kind: 'step', title: `Left ${names.name(event.stepId, 'step')}`, details: [] };
    case 'attribute_set':
      return { kind: 'attribute', title: `${text(p.name) || 'an attribute'} = ${JSON.stringify(p.value) ?? 'nothing'}`, details: details(['from', SOURCES[text(p.source)] ?? p.source], ['by', p.nodeId ? `the code step in ${names.name(event.stepId, 'step')}` : undefined]) };
    case 'condition':
      return condition(event, p, names);
    case 'code_run': {
      const where = `in ${names.name(event.stepId, 'step')}`;
      return p.ok === false
        ? { kind: 'error', title: `Code step ${where} failed: ${text(p.error)}`, details: details(['code', names.node(p.nodeId)?.label], ['error', p.error]) }
        : { kind: 'code', title: `Code step ${where} ran`, details: details(['code', names.node(p.nodeId)?.label], ['wrote', p.writes], ['printed', p.printed], ['took', typeof p.durationMs === 'number' ? `${p.durationMs} ms` : undefined]) };
    }
    case 'tool_call':
      return toolCall(p, names);
    case 'connector_call':
      return { kind: 'connector', title: `Connector ${text(p.action)}`, details: details(['record (as stored, redacted)', p.record]) };
    case 'knowledge_search': {
      const hits = Array.isArray(p.hits) ? p.hits.map((hit) => (hit && typeof hit === 'object' ? text((hit as { title?: unknown }).title) : '')).filter(Boolean).join('; ') : '';
      return { kind: 'knowledge', title: `Knowledge: ${names.quote(p.query)}`, details: details(['articles', hits || 'nothing found']) };
    }
    case 'handoff':
    case 'escalation':
      return { kind: 'handoff', title: `${event.type === 'handoff' ? 'Handed off' : 'Escalated'}${str(p.team) ? ` to ${names.plain(p.team)}` : ''}`, details: details(['reason', typeof p.reason === 'string' ? reasonWords(p.reason) : p.reason], ['summary', p.summary], ['note', p.note]) };
    case 'enforced': {
      const target = p.kind === 'handoff' ? `a handoff to ${names.plain(p.target)}` : p.kind === 'switch' ? `a switch to ${names.procedure(p.target)}` : p.kind === 'end' ? `the end of ${names.procedure(p.target)}` : text(p.kind);
      return { kind: 'handoff', title: `The Procedure required ${target}`, details: details(['where', p.nodeId ? names.name(event.stepId, 'step') : undefined], ['instead of', p.instead]) };
    }
    case 'escalation_check':
      return { kind: 'refusal', title: `Escalation rule: ${text(p.detail) || text(p.reason)}`, details: details(['rule', p.reason]) };
    case 'tag':
      return { kind: 'other', title: `Tagged ${names.quote(p.tag)}`, details: [] };
    case 'conversation_end':
      return { kind: 'procedure', title: 'Conversation ended', details: details(['reason', p.reason]) };
    case 'model_call': {
      if (p.ok === false) return { kind: 'error', title: `Model call failed: ${text(p.error)}`, details: details(['purpose', p.purpose]) };
      const usage = (p.usage && typeof p.usage === 'object' ? p.usage : {}) as { inputTokens?: unknown; outputTokens?: unknown };
      const tokens = (value: unknown) => (typeof value === 'number' ? value : 0);
      return { kind: 'model', title: `Model call (${text(p.purpose)}): ${tokens(usage.inputTokens)} in, ${tokens(usage.outputTokens)} out, ${money(p.costUsd)}`, details: details(['model', p.model], ['took', typeof p.latencyMs === 'number' ? `${p.latencyMs} ms` : undefined]) };
    }
    case 'model_retry':
      return { kind: 'error', title: `The model's response broke off (${text(p.fault)}): retried`, details: details(['wait', typeof p.delayMs === 'number' ? `${p.delayMs} ms` : undefined]) };
    case 'model_outage':
      return { kind: 'error', title: `The model failed (${text(p.fault)})`, details: details(['detail', p.detail], ['resumable', p.resumable ? 'yes: the next message carries on' : 'no']) };
    case 'resumed_after_outage':
      return { kind: 'procedure', title: 'Resumed after the model outage', details: details(['in', p.procedure]) };
    case 'action_refused':
    case 'move_refused': {
      const target = str(p.target) && names.node(p.target) ? names.name(p.target, 'step') : p.target;
      const why = str(p.reason) ? names.inText(p.reason) : null;
      return { kind: 'refusal', title: `${event.type === 'action_refused' ? `Action${str(p.action) ? ` ${text(p.action)}` : ''}` : 'Move'} refused${why ? `: ${why}` : ''}`, details: details(['why', why ?? p.invariant], ['missing', p.missing], ['target', target]) };
    }
    case 'action_needs_confirmation':
      return { kind: 'refusal', title: 'Waiting for the customer to agree', details: details(['action', p.action]) };
    default:
      return { kind: 'other', title: String(event.type ?? 'event').replace(/_/g, ' '), details: Object.entries(p).map(([label, value]) => [label, text(value)]) };
  }
}

/**
 * A condition's event: which branch it took, in the branch's own words. A Python test is traced
 * for each branch it tries (`result` false: not that branch); when the next branch is "Otherwise",
 * the false test is where it was chosen, so the title says so.
 */
function condition(event: Pick<PreviewTraceEvent, 'stepId'>, p: Record<string, unknown>, names: Namer): Omit<DescribedEvent, 'fullTitle'> {
  const where = names.node(p.nodeId) ? names.name(p.nodeId, 'condition') : names.name(event.stepId, 'step');
  const branch = names.node(p.branchId);
  const next = branch?.next ? names.node(branch.next) : undefined;
  const test = branch?.code ?? (typeof p.test === 'string' ? p.test : undefined);
  const common = detailsOf(['test', test], ['in words', branch && branch.code ? branch.label : undefined]);
  if (p.kind === 'python') {
    const inputs = detailsOf(['inputs', p.inputs], ['result', p.result]);
    if (p.ok === false) return { kind: 'error', title: `${where}: the test could not run: ${text(p.error)}`, details: [...common, ...detailsOf(['error', p.error]), ...inputs] };
    const tested = names.name(p.branchId, 'branch');
    if (p.result === false) {
      const title = !branch
        ? `${where}: ${tested} was false`
        : next?.label === 'Otherwise'
          ? `${where} took ${names.quote('Otherwise')}: ${tested} was false`
          : branch.next === null
            ? `${where} took no branch: ${tested} was false`
            : `${where}: ${tested} was false`;
      return { kind: 'condition', title, details: [...common, ...inputs] };
    }
    return { kind: 'condition', title: `${where} took ${tested}`, details: [...common, ...inputs] };
  }
  const title = p.branchId === 'none' ? `${where} took no branch` : `${where} took ${names.name(p.branchId, 'branch')}`;
  return { kind: 'condition', title, details: [...common, ...detailsOf(['decided by', 'the model'], ["model's reason", p.reason])] };
}

/** The agent's built-in tools in words; a connector action by its name. */
function toolCall(p: Record<string, unknown>, names: Namer): Omit<DescribedEvent, 'fullTitle'> {
  const input = (p.input && typeof p.input === 'object' ? p.input : {}) as Record<string, unknown>;
  const refused = p.ok === false;
  const tool = text(p.tool);
  const asked = (words: string) => (refused ? `${words} (refused)` : words);
  // The agent's request, which the runtime carries out or refuses (the outcome has its own event,
  // e.g. "Handed off to Orders team"): said as asked, so the two rows do not read the same.
  const say = (): string => {
    switch (tool) {
      case 'reply':
        return refused ? 'Reply not sent' : 'Replied to the customer';
      case 'set_attributes':
        return asked(`Recorded ${input.values && typeof input.values === 'object' ? Object.keys(input.values).join(', ') || 'nothing' : 'attributes'}`);
      case 'search_knowledge':
        return asked(`Searched the knowledge hub for ${names.quote(input.query)}`);
      case 'escalate':
        return asked('Asked for a person');
      case 'start_procedure':
        return asked(`Asked to start ${names.procedure(input.name)}`);
      case 'go_to_step':
        return asked(`Asked to move to ${names.name(input.step_id, 'step')}`);
      case 'decide_condition':
        return asked(input.branch_id === 'none' ? `Chose no branch of ${names.name(input.condition_id, 'condition')}` : `Chose ${names.name(input.branch_id, 'branch')}`);
      case 'end_procedure':
        return asked('Asked to end the Procedure');
      case 'run_subprocedure':
        return asked(`Asked to run ${names.procedure(input.name)}`);
      case 'handoff':
        return asked(`Asked to hand off to ${names.plain(input.team) || 'a team'}`);
      default:
        return `${p.eager === true ? 'Looked up' : 'Called'} ${tool.replace('__', '.')}${refused ? ' (refused)' : ''}`;
    }
  };
  return { kind: refused ? 'refusal' : 'tool', title: say(), details: detailsOf(['input', p.input], ['result', typeof p.result === 'string' ? names.inText(p.result) : p.result], ['took', typeof p.durationMs === 'number' ? `${p.durationMs} ms` : undefined]) };
}

export function describeEvent(event: Pick<PreviewTraceEvent, 'type' | 'stepId' | 'payload'>, place: EventPlace = { labels: NO_LABELS, procedure: null }): DescribedEvent {
  const short = describe(event, new Namer(place, LABEL_LIMIT));
  const whole = describe(event, new Namer(place, Number.POSITIVE_INFINITY));
  return { ...short, fullTitle: whole.title, details: whole.details };
}

/** Model usage over a trace: tokens and cost, in total. */
export function usageTotals(events: readonly Pick<PreviewTraceEvent, 'type' | 'payload'>[]): { calls: number; inputTokens: number; outputTokens: number; costUsd: number; unpriced: number } {
  const totals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpriced: 0 };
  for (const event of events) {
    if (event.type !== 'model_call' || event.payload.ok === false) continue;
    const usage = (event.payload.usage ?? {}) as { inputTokens?: number; outputTokens?: number };
    totals.calls += 1;
    totals.inputTokens += usage.inputTokens ?? 0;
    totals.outputTokens += usage.outputTokens ?? 0;
    if (typeof event.payload.costUsd === 'number') totals.costUsd += event.payload.costUsd;
    else totals.unpriced += 1;
  }
  return totals;
}
