// Compact node ids for the prompt. The graph ids (`step:check-the-claim-window/cond1/b1`) are long
// and repeated in every Procedure outline, note and tool result; the model sees short ones
// instead (`doc2.c1.b1`): a tag per Procedure (its name's initials), the step's position, then the
// node's path inside the step. Everything inside the runtime, the trace and the editor keeps the
// graph ids: text going to the model is translated at the boundary (`toModelIds`), and ids coming
// back in tool calls are mapped to graph ids (`toGraphIds`).
//
// Tags are kept in the conversation state and only ever added to, so an id the model saw (and
// wrote in its own history) keeps its meaning for the whole conversation.
import type { CompiledProcedure } from './compiled-procedure';

export type ProcedureTags = Readonly<Record<string, string>>;

/** The tags of `procedures`, keeping those already given and adding a new one for each newcomer. */
export function assignTags(previous: ProcedureTags, procedures: readonly { name: string }[]): ProcedureTags {
  const tags: Record<string, string> = { ...previous };
  const taken = new Set(Object.values(tags));
  for (const { name } of procedures) {
    if (tags[name]) continue;
    const base = initials(name);
    let tag = base;
    // Two Procedures with the same initials: the later one gets a letter more (rr, rrb, rrc…).
    for (let extra = 1; taken.has(tag); extra++) tag = base + String.fromCharCode(97 + (extra % 26)).repeat(Math.ceil(extra / 26));
    tags[name] = tag;
    taken.add(tag);
  }
  return tags;
}

/** Letters only, so the step number that follows is never read as part of the tag. */
function initials(name: string): string {
  const letters = name
    .toLowerCase()
    .normalize('NFKD')
    .split(/[^\p{L}\p{N}]+/u)
    .map((word) => word.replace(/[^a-z]/g, '')[0] ?? '')
    .join('')
    .slice(0, 3);
  return letters || 'p';
}

export interface IdTable {
  /** Graph id → compact id. */
  short: ReadonlyMap<string, string>;
  /** Compact id → graph id. */
  long: ReadonlyMap<string, string>;
}

// A compiled Procedure never changes: its table under a tag is computed once.
const tables = new WeakMap<CompiledProcedure, Map<string, IdTable>>();

/** The compact ids of one Procedure's steps and nodes under `tag`. */
export function idTable(procedure: CompiledProcedure, tag: string): IdTable {
  let byTag = tables.get(procedure);
  if (!byTag) tables.set(procedure, (byTag = new Map()));
  let table = byTag.get(tag);
  if (table) return table;
  const short = new Map<string, string>();
  procedure.steps.forEach((step, index) => short.set(step.id, `${tag}${index + 1}`));
  for (const node of procedure.nodes) {
    const step = short.get(node.stepId);
    if (!step || !node.id.startsWith(`${node.stepId}/`)) continue;
    const path = node.id.slice(node.stepId.length + 1).split('/').map(abbreviate);
    short.set(node.id, [step, ...path].join('.'));
  }
  table = { short, long: new Map([...short].map(([graph, compact]) => [compact, graph])) };
  byTag.set(tag, table);
  return table;
}

const abbreviate = (segment: string) => segment.replace(/^cond(\d+)$/, 'c$1').replace(/^code(\d+)$/, 'k$1');

/** The Procedures the model is shown, each with its table. */
export interface ModelIds {
  tables: ReadonlyMap<string, IdTable>;
}

export function modelIds(procedures: readonly CompiledProcedure[], tags: ProcedureTags): ModelIds {
  const result = new Map<string, IdTable>();
  for (const procedure of procedures) {
    const tag = tags[procedure.name];
    if (tag) result.set(procedure.name, idTable(procedure, tag));
  }
  return { tables: result };
}

// One pattern per set of ids, longest first so `step:a/cond1/b1` wins over `step:a/cond1`.
const patterns = new WeakMap<ModelIds, RegExp | null>();

/** Text for the model, with every graph id of the Procedures it is shown replaced by its compact id. */
export function toModelIds(text: string, ids: ModelIds): string {
  let pattern = patterns.get(ids);
  if (pattern === undefined) {
    const all = [...ids.tables.values()].flatMap((table) => [...table.short.keys()]).sort((a, b) => b.length - a.length);
    // Not followed by more of an id, so `step:resolve` is not taken out of `step:resolve-2`.
    pattern = all.length > 0 ? new RegExp(`(?:${all.map(escape).join('|')})(?![\\p{L}\\p{N}~/-])`, 'gu') : null;
    patterns.set(ids, pattern);
  }
  if (!pattern || !text.includes('step:')) return text;
  return text.replace(pattern, (graph) => shortOf(graph, ids) ?? graph);
}

function shortOf(graph: string, ids: ModelIds): string | undefined {
  for (const table of ids.tables.values()) {
    const compact = table.short.get(graph);
    if (compact) return compact;
  }
  return undefined;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The id fields of the built-in tools, which take node ids. */
const ID_FIELDS: Readonly<Record<string, readonly string[]>> = { go_to_step: ['step_id'], decide_condition: ['condition_id', 'branch_id'] };

/**
 * A tool call's input with the compact ids of the active Procedure mapped back to graph ids.
 * Only the active Procedure's ids are mapped: a compact id of another Procedure, or one that names
 * nothing, is left as the model wrote it, so the tool's rule refuses it and lists the ids it takes
 * (translated back to compact ids on the way to the model). Graph ids are taken as they are.
 */
export function toGraphIds(tool: string, input: unknown, ids: ModelIds, activeProcedure: string | undefined): unknown {
  const fields = ID_FIELDS[tool];
  if (!fields || !activeProcedure || typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const table = ids.tables.get(activeProcedure);
  if (!table) return input;
  const record = input as Record<string, unknown>;
  let mapped: Record<string, unknown> | null = null;
  for (const field of fields) {
    const value = record[field];
    const graph = typeof value === 'string' ? table.long.get(value.trim()) : undefined;
    if (graph) (mapped ??= { ...record })[field] = graph;
  }
  return mapped ?? input;
}
