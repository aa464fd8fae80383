// The prompt: a stable prefix (instructions, the whole Procedures, tool definitions) marked for
// caching, then only the moving state. History is append-only, so each turn's prompt starts with
// the previous turn's prompt. The state is sent as what changed since the model last saw it
// (`stateUpdate`): the whole of it only when the model has seen none (the first call, or after the
// history was trimmed). Node ids are the compact ids of prompt-ids.ts.
import type { TextBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { AttributeDecl, Block } from '../../shared/procedure';
import { branchId, codeId, type CompiledProcedure } from './compiled-procedure';
import { idTable, type IdTable, type ModelIds } from './prompt-ids';
import type { AdvanceResult } from './advance';
import type { ConversationState } from './types';

const INSTRUCTIONS = `You are a customer support agent following the company's Procedures, written by its support team as they would train a teammate.

How to work:
- Talk to the customer only with reply: brief, warm, clear. Never invent facts, order details, policies or amounts.
- Follow the active Procedure's steps in spirit and in order, but adapt: record what the customer gives early and skip ahead; go back on a correction; on a change of topic start the matching Procedure (the current one pauses, to resume later).
- Record what the customer tells you with set_attributes (declared names and types).
- Call connector actions (connector__action tools) only when the Procedure calls for them, one at a time. Those marked "Needs agreement" change something: ask first, then call with customer_agreement quoting the customer's words.
- The runtime runs Python code and Python conditions; their results appear in the state. Never guess them. Decide plain-language conditions with decide_condition, saying why.
- When the customer lacks information, search the knowledge hub and answer from it.
- Hand off or escalate when the Procedure says so, the customer asks for a person, or you cannot make progress.
- Read-only lookups the current step names are made by the runtime as soon as their input is known (an attribute of the same name): their results appear in the state, so do not call them again.
- Each customer message gets one reply. Send the calls you are sure of and your reply in one response: the calls run first, one at a time, and the reply goes out after them. If one fails, or the runtime decides something you had not seen (a Python condition on a new result, a required handoff), the reply is not sent and you are called again with the results.
- Node ids are marked #id in the Procedures: a step is its Procedure's tag and number (doc2); inside it, .k1 is a code step, .c1.b2 a condition's branch (the condition's id is the branch's without .b2). Conditions in backticks are Python, decided by the runtime.
- The first state block is complete; each state-changes block after it lists only what changed since, beyond what your calls did as asked (an empty one: nothing did), so the latest value of each line holds. A call's result without text: it did as asked.`;

/** The stable system prompt: instructions, then the Procedures with the compact ids of their nodes. */
export function systemPrompt(procedures: CompiledProcedure[], routable: { name: string; trigger: string }[], ids: ModelIds): TextBlockParam[] {
  const catalog = routable.length > 0 ? routable.map((procedure) => `- ${procedure.name}: ${procedure.trigger}`).join('\n') : '(none)';
  const documents = procedures.map((procedure) => renderProcedure(procedure, ids.tables.get(procedure.name))).join('\n\n');
  return [
    { type: 'text', text: INSTRUCTIONS },
    {
      type: 'text',
      text: `Procedures that can start a conversation (name: trigger):\n${catalog}\n\n${documents || 'No Procedure is active: answer from the knowledge hub, or start the Procedure that matches.'}`,
      cache_control: { type: 'ephemeral' },
    },
  ];
}

// A compiled Procedure never changes, so its rendering under a table is computed once.
const rendered = new WeakMap<CompiledProcedure, Map<IdTable | undefined, string>>();

function renderProcedure(procedure: CompiledProcedure, table: IdTable | undefined): string {
  let byTable = rendered.get(procedure);
  if (!byTable) rendered.set(procedure, (byTable = new Map()));
  let text = byTable.get(table);
  if (text === undefined) {
    text = renderProcedureText(procedure, table ?? idTable(procedure, 'p'));
    byTable.set(table, text);
  }
  return text;
}

/**
 * The Procedure as its author wrote it, with each node's compact id marked where it starts (`#doc2`
 * on a step's heading, `#doc2.c1.b1` on a branch, `#doc2.k1` on a code block), and the front matter
 * in a few words: the name is on the tag, a routable Procedure's trigger is in the catalog above.
 */
function renderProcedureText(procedure: CompiledProcedure, table: IdTable): string {
  const text = procedure.text;
  const marks: { at: number; id: string }[] = [];
  const endOfLine = (offset: number) => {
    const end = text.indexOf('\n', offset);
    return end < 0 ? text.length : end;
  };
  const mark = (offset: number, graph: string) => marks.push({ at: endOfLine(offset), id: table.short.get(graph) ?? graph });
  for (const step of procedure.steps) {
    mark(step.span.start.offset, step.id);
    markBlocks(step.body, procedure, mark);
  }
  let body = text;
  for (const { at, id } of marks.sort((a, b) => b.at - a.at)) body = `${body.slice(0, at)} #${id}${body.slice(at)}`;
  const header = procedure.document.frontMatter?.header;
  // The marks all fall after the front matter, so it ends at the same offset.
  if (header) body = body.slice(header.span.end.offset);
  const about = [
    header?.description ? header.description : null,
    procedure.subProcedure ? `Sub-procedure${procedure.trigger ? `: ${procedure.trigger.trim().replace(/\.$/, '')}` : ''}.` : null,
    procedure.attributes.length > 0 ? `Attributes: ${procedure.attributes.map(describeAttribute).join('; ')}.` : null,
  ].filter((line): line is string => line !== null);
  return `<procedure name="${procedure.name}">\n${[...about, body.trim()].join('\n')}\n</procedure>`;
}

function describeAttribute(attribute: AttributeDecl): string {
  const type = attribute.type === 'enum' && attribute.values ? attribute.values.join('|') : attribute.type === 'list' && attribute.items ? `list of ${attribute.items}` : attribute.type;
  return `${attribute.name} (${type}${attribute.description ? `: ${attribute.description}` : ''})`;
}

function markBlocks(blocks: Block[], procedure: CompiledProcedure, mark: (offset: number, graph: string) => void) {
  for (const block of blocks) {
    if (block.kind === 'paragraph') markBlocks(block.children, procedure, mark);
    else if (block.kind === 'code' && block.language === 'python') mark(block.span.start.offset, codeId(procedure, block));
    else if (block.kind === 'condition') {
      for (const branch of block.branches) {
        mark(branch.headerSpan.start.offset, branchId(procedure, branch));
        markBlocks(branch.body, procedure, mark);
      }
    }
  }
}

const MAX_DATA_CHARS = 4000;

/** One line of the state, keyed so a change to it can be told alone. */
export interface StateLine {
  key: string;
  text: string;
  /**
   * Text that, in a tool result of the same message, already tells this line: a connector
   * result's JSON, or a code step's `name = value` in the runtime's note that it ran.
   */
  data?: string;
}

/**
 * What the model is told when a line goes away. Event lines (a note, an obligation) have none:
 * each is told once, and its going away says nothing.
 */
function clearText(key: string): string | null {
  const colon = key.indexOf(':');
  const kind = colon < 0 ? key : key.slice(0, colon);
  const name = key.slice(colon + 1);
  switch (kind) {
    case 'active':
      return 'Active: no Procedure.';
    case 'done':
      return 'Done in this step: nothing yet.';
    case 'missing':
      return 'Not yet known: nothing.';
    case 'paused':
      return 'Paused topics: none.';
    case 'attribute':
      return `${name}: no longer set.`;
    case 'data':
      return `Result of @${name}: no longer held.`;
    case 'confirmation':
      return "No longer waiting for the customer's agreement.";
    case 'decide':
      return 'No condition waits for your decision now.';
    case 'waiting':
      return 'Nothing waits for missing values now.';
    default:
      return null;
  }
}

/** Where the conversation stands now, line by line, with graph ids. */
export function stateLines(state: ConversationState, procedures: Map<string, CompiledProcedure>, advance: AdvanceResult | null): StateLine[] {
  const lines: StateLine[] = [];
  const line = (key: string, text: string) => lines.push({ key, text });
  const frame = state.stack[state.stack.length - 1];
  if (frame) {
    const procedure = procedures.get(frame.procedure);
    const step = procedure?.stepById(frame.stepId);
    line('active', `Active: ${state.stack.map((f) => f.procedure).join(' › ')}; current step "${step?.title ?? frame.stepId}" (${frame.stepId}).`);
    const decided = Object.entries(frame.decided);
    if (decided.length > 0) line('done', `Done in this step: ${decided.map(([node, outcome]) => `${node} → ${outcome}`).join('; ')}.`);
    if (procedure) {
      const missing = procedure.attributes.filter((attribute) => !(attribute.name in state.attributes)).map((attribute) => attribute.name);
      if (missing.length > 0) line('missing', `Not yet known: ${missing.join(', ')}.`);
    }
  } else {
    line('active', 'Active: no Procedure.');
  }
  if (state.paused.length > 0) {
    line('paused', `Paused topics (resume when the current one ends): ${state.paused.map((stack) => stack[stack.length - 1]?.procedure).join(', ')}.`);
  }
  for (const [name, entry] of Object.entries(state.attributes)) {
    lines.push({ key: `attribute:${name}`, text: attributeLine(name, entry.value, entry.source), ...(entry.source === 'code' ? { data: `${name} = ${JSON.stringify(entry.value)}` } : {}) });
  }
  for (const [action, data] of Object.entries(state.data)) {
    const json = JSON.stringify(data) ?? 'null';
    const truncated = json.length > MAX_DATA_CHARS;
    lines.push({ key: `data:${action}`, text: `Result of @${action}: ${truncated ? `${json.slice(0, MAX_DATA_CHARS)}… (truncated)` : json}`, ...(truncated ? {} : { data: json }) });
  }
  if (state.pendingConfirmation) {
    line('confirmation', `Waiting for the customer's agreement before running @${state.pendingConfirmation.action} with ${JSON.stringify(state.pendingConfirmation.input)}.`);
  }
  if (advance) {
    for (const note of advance.notes) line(`note:${note}`, note);
    if (advance.awaitingDecision) {
      const { conditionId: id, branches } = advance.awaitingDecision;
      line('decide', `Decide ${id} when you can: ${branches.map((branch) => `${branch.id} = ${branch.test}`).join('; ')}.`);
    }
    if (advance.waitingFor) line('waiting', `${advance.waitingFor.nodeId} runs once these are known: ${advance.waitingFor.missing.join(', ')}.`);
    for (const obligation of advance.obligations) {
      const text = `Required by the Procedure: ${obligation.kind} to ${obligation.target}, after telling the customer what happens.`;
      line(`obligation:${text}`, text);
    }
  }
  return lines;
}

/** An attribute's state line. */
export function attributeLine(name: string, value: unknown, source: string): string {
  return `${name} = ${JSON.stringify(value)} (from ${source}).`;
}

/**
 * What the model's own calls, answered in the same message without an error, already told it: the
 * lines they make true as the model asked (a value it set, the step it moved to), and the lines
 * whose going away they explain (the decision it took), and the decisions it took, as the step's
 * progress lists them (`condition → branch`, graph ids).
 */
export interface ToldByCalls {
  lines: ReadonlySet<string>;
  cleared: ReadonlySet<string>;
  decided: ReadonlySet<string>;
}

const NOTHING_TOLD: ToldByCalls = { lines: new Set(), cleared: new Set(), decided: new Set() };

/**
 * Changes the model can tell from others in the same message, so they are not spelled out: the
 * missing attributes when the only change is that attributes now told as set left the list; the
 * step's progress going away when the step itself changed, or growing only by what the tool
 * results' notes (`alongside`) and the model's own decisions already say; and the wait for
 * missing values ending when a note says the node it held back was evaluated or ran.
 */
function impliedChanges(lines: StateLine[], told: ToldState, alongside: readonly string[], decided: ReadonlySet<string>): Set<string> {
  const implied = new Set<string>();
  const now = new Map(lines.map((line) => [line.key, line.text]));
  const newlySet = lines.filter((line) => line.key.startsWith('attribute:') && told[line.key] === undefined).map((line) => line.key.slice('attribute:'.length));
  const missingBefore = missingNames(told.missing);
  const missingNow = missingNames(now.get('missing'));
  if (missingBefore && missingNow !== null) {
    const left = missingBefore.filter((name) => !missingNow.includes(name));
    if (missingNow.every((name) => missingBefore.includes(name)) && left.every((name) => newlySet.includes(name))) implied.add('missing');
  }
  if (missingBefore && missingNow === null && missingBefore.every((name) => newlySet.includes(name))) implied.add('missing');
  if (told.active !== now.get('active') && !now.has('done')) implied.add('done');
  const doneBefore = new Set(doneEntries(told.done) ?? []);
  const doneNow = doneEntries(now.get('done'));
  if (doneNow && doneNow.every((entry) => doneBefore.has(entry) || decided.has(entry) || inNotes(entry, alongside))) implied.add('done');
  const waitedFor = told.waiting?.slice(0, told.waiting.indexOf(' runs once these are known'));
  if (waitedFor && !now.has('waiting') && alongside.some((text) => text.includes(`The runtime evaluated ${waitedFor} `) || text.includes(`The runtime ran ${waitedFor}:`))) {
    implied.add('waiting');
  }
  return implied;
}

function doneEntries(text: string | undefined): string[] | null {
  const match = text === undefined ? null : /^Done in this step: (.*)\.$/.exec(text);
  return match ? match[1]!.split('; ') : null;
}

/** A `node → outcome` entry of the step's progress, as the runtime's notes (advance.ts) tell it. */
function inNotes(entry: string, alongside: readonly string[]): boolean {
  const [node, outcome] = entry.split(' → ') as [string, string | undefined];
  const told =
    outcome === 'ran' ? `The runtime ran ${node}:` : outcome === 'none' ? `The runtime evaluated ${node}: no branch matched` : `The runtime evaluated ${node} (python): it chose ${outcome}.`;
  return alongside.some((text) => text.includes(told));
}

function missingNames(text: string | undefined): string[] | null {
  const match = text === undefined ? null : /^Not yet known: (.*)\.$/.exec(text);
  return match ? match[1]!.split(', ') : null;
}

/** What the model has been told of the state: line key → text. */
export type ToldState = Readonly<Record<string, string>>;

/**
 * The state for the next message: all of it when the model has been told nothing yet (`told`
 * null), else only the lines that are new or changed, and what the model is told for each state
 * line that went away. A connector result that a tool result in the same message (`alongside`)
 * already holds is not repeated, nor what the model's own calls in it did as asked (`byCalls`).
 * Empty text when nothing changed within the same turn.
 */
export function stateUpdate(
  turn: number,
  lines: StateLine[],
  told: ToldState | null,
  toldTurn: number | null,
  alongside: readonly string[] = [],
  byCalls: ToldByCalls = NOTHING_TOLD,
): { text: string; told: ToldState } {
  const now: Record<string, string> = {};
  for (const line of lines) now[line.key] = line.text;
  if (told === null) return { text: [`<state turn="${turn}">`, ...lines.map((line) => line.text), '</state>'].join('\n'), told: now };
  const inResult = (line: StateLine) => line.data !== undefined && alongside.some((text) => text.includes(line.data!));
  const implied = impliedChanges(lines, told, alongside, byCalls.decided);
  const changed = lines.filter((line) => told[line.key] !== line.text && !inResult(line) && !implied.has(line.key) && !byCalls.lines.has(line.text)).map((line) => line.text);
  // Lines that went away, in the order they were told.
  for (const key of Object.keys(told)) {
    if (key in now || implied.has(key) || byCalls.cleared.has(key)) continue;
    const cleared = clearText(key);
    if (cleared) changed.push(cleared);
  }
  if (changed.length === 0) return { text: toldTurn === turn ? '' : `<state-changes turn="${turn}"/>`, told: now };
  return { text: [`<state-changes turn="${turn}">`, ...changed, '</state-changes>'].join('\n'), told: now };
}
