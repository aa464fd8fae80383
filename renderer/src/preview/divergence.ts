// Where two preview conversations part: the first place their traces differ in what the agent did
// (a step entered, an action called, a branch taken, an outcome). Model calls, timings and wording
// are left out: two runs that took the same path read the same. Pure.
import type { PreviewTraceEvent } from '../../../shared/api';

export interface Divergence {
  /** Index in each trace of the first differing event (null: that trace ended first). */
  left: number | null;
  right: number | null;
  /** In words: what each side did there. */
  what: string;
}

type Move = { index: number; key: string; words: string };

function moves(trace: readonly PreviewTraceEvent[]): Move[] {
  const out: Move[] = [];
  for (const event of trace) {
    const p = event.payload;
    const add = (key: string, words: string) => out.push({ index: event.index, key, words });
    switch (event.type) {
      case 'step_enter':
        add(`step:${event.stepId}`, `step ${event.stepId}`);
        break;
      case 'procedure_start':
        add(`procedure:${String(p.procedure)}`, `started ${String(p.procedure)}`);
        break;
      case 'tool_call':
        if (p.tool !== 'reply') add(`action:${String(p.tool)}:${String(p.ok)}`, `${p.ok === false ? 'refused ' : ''}${String(p.tool).replace('__', '.')}`);
        break;
      case 'condition':
        // A Python test is traced for each branch it tries: `result` false means that branch was not taken.
        add(`branch:${String(p.nodeId)}:${String(p.branchId ?? 'none')}:${String(p.result ?? p.ok ?? 'chosen')}`, p.result === false ? `${String(p.branchId)} was false` : p.branchId ? `took ${String(p.branchId)}` : `${String(p.nodeId)}: no branch`);
        break;
      case 'handoff':
      case 'escalation':
      case 'conversation_end':
        add(`outcome:${event.type}:${String(p.team ?? '')}`, `${event.type.replace('_', ' ')}${p.team ? ` to ${String(p.team)}` : ''}`);
        break;
      default:
        break;
    }
  }
  return out;
}

/** The first divergence, or null while both took the same path (as far as the shorter went, when `finished`, also in length). */
export function firstDivergence(left: readonly PreviewTraceEvent[], right: readonly PreviewTraceEvent[], finished = true): Divergence | null {
  const a = moves(left);
  const b = moves(right);
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    if (a[i]!.key !== b[i]!.key) return { left: a[i]!.index, right: b[i]!.index, what: `${a[i]!.words} / ${b[i]!.words}` };
  }
  if (!finished || a.length === b.length) return null;
  const longer = a.length > b.length ? a[shared]! : b[shared]!;
  return a.length > b.length ? { left: longer.index, right: null, what: `${longer.words} / nothing` } : { left: null, right: longer.index, what: `nothing / ${longer.words}` };
}
