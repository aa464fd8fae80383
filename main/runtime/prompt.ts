// The prompt: a stable prefix (instructions, the whole Procedures, tool definitions) marked for
// caching, then only the moving state. History is append-only, so each turn's prompt starts with
// the previous turn's prompt. The state is sent as what changed since the model last saw it
// (`stateUpdate`): the whole of it only when the model has seen none (the first call, or after the
// history was trimmed). Node ids are the compact ids of prompt-ids.ts.
import type { TextBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { Block } from '../../shared/procedure';
import { testText } from '../../shared/procedure/print';
import { branchId, codeId, conditionId, type CompiledProcedure } from './compiled-procedure';
import { idTable, type IdTable, type ModelIds } from './prompt-ids';
import type { AdvanceResult } from './advance';
import type { ConversationState } from './types';

const INSTRUCTIONS = `You are a customer support agent. You follow the company's Procedures, written by its support team the way they would train a teammate.

How to work:
- Talk to the customer only through the reply tool. Be brief, warm and clear. Never invent facts, order details, policies or amounts.
- Follow the active Procedure's steps in spirit and in order, but adapt: if the customer gives information early, record it and skip ahead; if they correct something, go back; if they change topic, start the matching Procedure (the current one is paused and resumed later).
- Record what the customer tells you with set_attributes, using the declared attribute names and types.
- Call connector actions (tools named connector__action) only when the Procedure calls for them, one at a time. Actions that change something (marked "needs agreement") need the customer's explicit agreement first: ask, then call them with customer_agreement quoting the customer's words.
- Python code steps and Python conditions are run by the runtime; their results appear in the state. Never guess their outcome. You decide plain-language conditions with decide_condition and say why.
- When the customer lacks information, search the knowledge hub and answer from what you find.
- Hand off or escalate when the Procedure says so, when the customer asks for a person, or when you cannot make progress.
- Read-only lookups the current step names are made by the runtime as soon as their input is known (an attribute of the same name): their results appear in the state, so do not call them again.
- Each customer message gets one reply. Send the calls you are sure of and your reply in one response: the calls run first, one at a time, and the reply goes out after them. If one fails, or the runtime decides something you had not seen (a Python condition on a new result, a required handoff), the reply is not sent and you are called again with the results.
- Node ids: a step is its Procedure's tag and number (doc2); a node inside it adds .c1 (condition), .b1 (branch), .k1 (code step).
- The first state block is complete; each state-changes block after it lists only what changed since (an empty one: nothing did), so the latest value of each line holds.`;

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
 * The Procedure's text, then one line per step with the ids of what the runtime tracks in it. A
 * node's id is written relative to its step (`.c1.b2` in step `doc3` is `doc3.c1.b2`); branch
 * tests are the Procedure's own words, so only plain-language ones (which the model decides) are
 * repeated, shortened.
 */
function renderProcedureText(procedure: CompiledProcedure, table: IdTable): string {
  const lines: string[] = [];
  for (const step of procedure.steps) {
    const stepId = table.short.get(step.id) ?? step.id;
    const nodes: string[] = [];
    outlineIds(step.body, procedure, (graph) => (table.short.get(graph) ?? graph).slice(stepId.length), nodes);
    lines.push(`${stepId} "${step.title}"${nodes.length > 0 ? `: ${nodes.join(', ')}` : ''}`);
  }
  return `<procedure name="${procedure.name}" version="${procedure.version}">\n${procedure.text.trim()}\n</procedure>\nIds in "${procedure.name}":\n${lines.join('\n')}`;
}

const MAX_TEST_CHARS = 60;

function outlineIds(blocks: Block[], procedure: CompiledProcedure, relative: (graph: string) => string, out: string[]) {
  for (const block of blocks) {
    if (block.kind === 'paragraph') outlineIds(block.children, procedure, relative, out);
    else if (block.kind === 'code' && block.language === 'python') out.push(`${relative(codeId(procedure, block))} code (runtime)`);
    else if (block.kind === 'condition') {
      const python = block.branches.every((branch) => branch.test?.kind !== 'plain');
      const branches = block.branches.map((branch) => {
        const id = relative(branchId(procedure, branch));
        if (!branch.test) return `${id} otherwise`;
        if (branch.test.kind !== 'plain') return `${id} Python`;
        const test = testText(branch.test);
        return `${id} "${test.length > MAX_TEST_CHARS ? `${test.slice(0, MAX_TEST_CHARS - 1)}…` : test}"`;
      });
      out.push(`${relative(conditionId(procedure, block))} ${python ? 'Python condition (runtime)' : 'condition (you decide)'} [${branches.join(' | ')}]`);
      for (const branch of block.branches) outlineIds(branch.body, procedure, relative, out);
    }
  }
}

const MAX_DATA_CHARS = 4000;

/** One line of the state, keyed so a change to it can be told alone. */
export interface StateLine {
  key: string;
  text: string;
  /** A connector result's JSON: not repeated when a tool result in the same message already holds it. */
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
      return `Attribute ${name}: no longer set.`;
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
  for (const [name, entry] of Object.entries(state.attributes)) line(`attribute:${name}`, `Attribute ${name} = ${JSON.stringify(entry.value)} (from ${entry.source}).`);
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

/** What the model has been told of the state: line key → text. */
export type ToldState = Readonly<Record<string, string>>;

/**
 * The state for the next message: all of it when the model has been told nothing yet (`told`
 * null), else only the lines that are new or changed, and what the model is told for each state
 * line that went away. A connector result that a tool result in the same message (`alongside`)
 * already holds is not repeated. Empty text when nothing changed within the same turn.
 */
export function stateUpdate(
  turn: number,
  lines: StateLine[],
  told: ToldState | null,
  toldTurn: number | null,
  alongside: readonly string[] = [],
): { text: string; told: ToldState } {
  const now: Record<string, string> = {};
  for (const line of lines) now[line.key] = line.text;
  if (told === null) return { text: [`<state turn="${turn}">`, ...lines.map((line) => line.text), '</state>'].join('\n'), told: now };
  const inResult = (line: StateLine) => line.data !== undefined && alongside.some((text) => text.includes(line.data!));
  const changed = lines.filter((line) => told[line.key] !== line.text && !inResult(line)).map((line) => line.text);
  // Lines that went away, in the order they were told.
  for (const key of Object.keys(told)) {
    if (key in now) continue;
    const cleared = clearText(key);
    if (cleared) changed.push(cleared);
  }
  if (changed.length === 0) return { text: toldTurn === turn ? '' : `<state-changes turn="${turn}"/>`, told: now };
  return { text: [`<state-changes turn="${turn}">`, ...changed, '</state-changes>'].join('\n'), told: now };
}
