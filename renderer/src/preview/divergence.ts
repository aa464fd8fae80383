// Where two preview conversations part: the first place their traces differ in what the agent did
// (a step entered, an action called, a branch taken, an outcome), said in the Procedures' own words:
// "Parts at “Decide”: the draft took “status from crm.lookup is ‘shipped’”, the live version took
// “Otherwise”." Model calls, timings and wording are left out: two runs that took the same path
// read the same. Pure.
import type { PreviewTarget, PreviewTraceEvent } from '../../../shared/api';
import { describeEvent } from '../trace/describe-event';
import { Namer } from '../trace/names';
import { NO_LABELS, proceduresOf, type TraceLabels } from '../trace/trace-labels';

export interface Divergence {
  /** Index in each trace of the first differing event (null: that trace ended first). */
  left: number | null;
  right: number | null;
  /** In words: where they part and what each side did there (long names shortened). */
  what: string;
  /** The same sentence with every name whole. */
  full: string;
}

/** One pane as the sentence names it ("the draft") with the labels of the text it ran on. */
export interface DivergenceSide {
  name: string;
  labels: TraceLabels;
}

/** Names in the banner are cut here; `full` keeps them whole. */
const LIMIT = 40;

type Move = { index: number; key: string; event: PreviewTraceEvent; procedure: string | null; step: string | null };

function moves(trace: readonly PreviewTraceEvent[]): Move[] {
  const procedures = proceduresOf(trace);
  const out: Move[] = [];
  let step: string | null = null;
  trace.forEach((event, position) => {
    const p = event.payload;
    const add = (key: string) => out.push({ index: event.index, key, event, procedure: procedures[position] ?? null, step });
    switch (event.type) {
      case 'step_enter':
        add(`step:${event.stepId}`);
        step = event.stepId;
        break;
      case 'procedure_start':
        add(`procedure:${String(p.procedure)}`);
        break;
      case 'tool_call':
        if (p.tool !== 'reply') add(`action:${String(p.tool)}:${String(p.ok)}`);
        break;
      case 'condition':
        // A Python test is traced for each branch it tries: `result` false means that branch was not taken.
        add(`branch:${String(p.nodeId)}:${String(p.branchId ?? 'none')}:${String(p.result ?? p.ok ?? 'chosen')}`);
        break;
      case 'handoff':
      case 'escalation':
      case 'conversation_end':
        add(`outcome:${event.type}:${String(p.team ?? '')}`);
        break;
      default:
        break;
    }
  });
  return out;
}

/** What one side did at its move, after "the draft …". */
function did(move: Move | undefined, names: Namer): string {
  if (!move) return 'went no further';
  const { event } = move;
  const p = event.payload;
  switch (event.type) {
    case 'step_enter':
      return `went to ${names.name(event.stepId, 'step')}`;
    case 'procedure_start':
      return `started ${names.procedure(p.procedure)}`;
    case 'tool_call': {
      // As the trace says it ("Called crm.lookup", "Ended the Procedure (refused)"), in the sentence's case.
      const described = describeEvent(event, names.place);
      const title = Number.isFinite(names.limit) ? described.title : described.fullTitle;
      return title.charAt(0).toLowerCase() + title.slice(1);
    }
    case 'condition': {
      if (p.ok === false) return 'could not run the test';
      if (p.branchId === 'none' || !p.branchId) return 'took no branch';
      if (p.result !== false) return `took ${names.name(p.branchId, 'branch')}`;
      const branch = names.node(p.branchId);
      const next = branch?.next ? names.node(branch.next) : undefined;
      if (next?.label === 'Otherwise') return `took ${names.quote('Otherwise')}`;
      if (branch && branch.next === null) return 'took no branch';
      return `found ${names.name(p.branchId, 'branch')} false`;
    }
    case 'handoff':
      return `handed off${p.team ? ` to ${names.plain(p.team)}` : ''}`;
    case 'escalation':
      return `escalated${p.team ? ` to ${names.plain(p.team)}` : ''}`;
    default:
      return 'ended the conversation';
  }
}

/** "Parts at “Decide”", or "Parts after “Look it up”" when they go to different steps from there. */
function at(move: Move, names: Namer): string {
  const step = move.event.type === 'step_enter' ? move.step : (move.event.stepId ?? move.step);
  if (!step) return 'They part';
  return `Parts ${move.event.type === 'step_enter' ? 'after' : 'at'} ${names.name(step, 'step')}`;
}

function sentence(a: Move | undefined, b: Move | undefined, sides: { left: DivergenceSide; right: DivergenceSide }, limit: number): string {
  const namer = (move: Move | undefined, side: DivergenceSide) => new Namer({ labels: side.labels, procedure: move?.procedure ?? null }, limit);
  const first = a ?? b!;
  const where = at(first, namer(first, a ? sides.left : sides.right));
  // Two panes on the same kind of text are told apart by their place.
  const [left, right] = sides.left.name === sides.right.name ? ['the left pane', 'the right pane'] : [sides.left.name, sides.right.name];
  return `${where}: ${left} ${did(a, namer(a, sides.left))}, ${right} ${did(b, namer(b, sides.right))}.`;
}

/** A pane in the compare banner's sentence, by what it talks to. */
export function sideName(target: PreviewTarget | undefined): string {
  switch (target?.kind) {
    case 'text':
      return "the editor's text";
    case 'draft':
      return 'the draft';
    case 'version':
      return target.version === 'live' ? 'the live version' : `version ${target.version}`;
    case 'workspace':
      return 'the workspace';
    default:
      return 'this pane';
  }
}

const UNNAMED = { left: { name: 'the left pane', labels: NO_LABELS }, right: { name: 'the right pane', labels: NO_LABELS } };

/** The first divergence, or null while both took the same path (as far as the shorter went, when `finished`, also in length). */
export function firstDivergence(left: readonly PreviewTraceEvent[], right: readonly PreviewTraceEvent[], finished = true, sides: { left: DivergenceSide; right: DivergenceSide } = UNNAMED): Divergence | null {
  const a = moves(left);
  const b = moves(right);
  const shared = Math.min(a.length, b.length);
  const found = (x: Move | undefined, y: Move | undefined): Divergence => ({ left: x?.index ?? null, right: y?.index ?? null, what: sentence(x, y, sides, LIMIT), full: sentence(x, y, sides, Number.POSITIVE_INFINITY) });
  for (let i = 0; i < shared; i++) {
    if (a[i]!.key !== b[i]!.key) return found(a[i], b[i]);
  }
  if (!finished || a.length === b.length) return null;
  return found(a[shared], b[shared]);
}
