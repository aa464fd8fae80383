// The prompt: a stable prefix (instructions, the whole Procedures, tool definitions) marked for
// caching, then only the moving state. History is append-only, so each turn's prompt starts with
// the previous turn's prompt.
import type { TextBlockParam } from '@anthropic-ai/sdk/resources/messages';
import type { Block } from '../../shared/procedure';
import { testText } from '../../shared/procedure/print';
import { branchId, codeId, conditionId, type CompiledProcedure } from './compiled-procedure';
import type { AdvanceResult } from './advance';
import type { ConversationState } from './types';

const INSTRUCTIONS = `You are a customer support agent. You follow the company's Procedures, written by its support team the way they would train a teammate.

How to work:
- Talk to the customer only through the reply tool. Be brief, warm and clear. Never invent facts, order details, policies or amounts.
- Follow the active Procedure's steps in spirit and in order, but adapt: if the customer gives information early, record it and skip ahead; if they correct something, go back; if they change topic, start the matching Procedure (the current one is paused and resumed later).
- Record what the customer tells you with set_attributes, using the declared attribute names and types.
- Call connector actions (tools named connector__action) only when the Procedure calls for them, one at a time. Actions that change something need the customer's explicit agreement first.
- Python code steps and Python conditions are run by the runtime; their results appear in the state. Never guess their outcome. You decide plain-language conditions with decide_condition and say why.
- When the customer lacks information, search the knowledge hub and answer from what you find.
- Hand off or escalate when the Procedure says so, when the customer asks for a person, or when you cannot make progress.
- Read-only lookups the current step names are made by the runtime as soon as their input is known (an attribute of the same name): their results appear in the state, so do not call them again.
- Each customer message gets one reply. Send the calls you are sure of and your reply in one response: the calls run first, one at a time, and the reply goes out after them. If one fails, or the runtime decides something you had not seen (a Python condition on a new result, a required handoff), the reply is not sent and you are called again with the results.`;

/** The stable system prompt: instructions, then the Procedures with the ids of their nodes. */
export function systemPrompt(procedures: CompiledProcedure[], routable: { name: string; trigger: string }[]): TextBlockParam[] {
  const catalog = routable.length > 0 ? routable.map((procedure) => `- ${procedure.name}: ${procedure.trigger}`).join('\n') : '(none)';
  const documents = procedures.map(renderProcedure).join('\n\n');
  return [
    { type: 'text', text: INSTRUCTIONS },
    {
      type: 'text',
      text: `Procedures that can start a conversation (name: trigger):\n${catalog}\n\n${documents || 'No Procedure is active: answer from the knowledge hub, or start the Procedure that matches.'}`,
      cache_control: { type: 'ephemeral' },
    },
  ];
}

// A compiled Procedure never changes, so its rendering is computed once.
const rendered = new WeakMap<CompiledProcedure, string>();

function renderProcedure(procedure: CompiledProcedure): string {
  let text = rendered.get(procedure);
  if (text === undefined) {
    text = renderProcedureText(procedure);
    rendered.set(procedure, text);
  }
  return text;
}

function renderProcedureText(procedure: CompiledProcedure): string {
  const ids: string[] = [];
  for (const step of procedure.steps) {
    ids.push(`- ${step.id}: step "${step.title}"`);
    outlineIds(step.body, procedure, ids);
  }
  return `<procedure name="${procedure.name}" version="${procedure.version}">\n${procedure.text.trim()}\n</procedure>\nNode ids of "${procedure.name}":\n${ids.join('\n')}`;
}

function outlineIds(blocks: Block[], procedure: CompiledProcedure, out: string[]) {
  for (const block of blocks) {
    if (block.kind === 'paragraph') outlineIds(block.children, procedure, out);
    else if (block.kind === 'code' && block.language === 'python') out.push(`  - ${codeId(procedure, block)}: code step (run by the runtime)`);
    else if (block.kind === 'condition') {
      const python = block.branches.every((branch) => branch.test?.kind !== 'plain');
      out.push(`  - ${conditionId(procedure, block)}: condition (${python ? 'Python: decided by the runtime' : 'plain language: you decide'})`);
      for (const branch of block.branches) {
        const test = branch.test ? testText(branch.test) : 'Otherwise';
        out.push(`    - ${branchId(procedure, branch)}: ${test}`);
        outlineIds(branch.body, procedure, out);
      }
    }
  }
}

const MAX_DATA_CHARS = 4000;

/** The moving part: where the conversation stands now. */
export function renderState(state: ConversationState, procedures: Map<string, CompiledProcedure>, advance: AdvanceResult | null): string {
  const lines: string[] = [`<state turn="${state.turn}">`];
  const frame = state.stack[state.stack.length - 1];
  if (frame) {
    const procedure = procedures.get(frame.procedure);
    const step = procedure?.stepById(frame.stepId);
    lines.push(`Active: ${state.stack.map((f) => f.procedure).join(' › ')}; current step "${step?.title ?? frame.stepId}" (${frame.stepId}).`);
    const decided = Object.entries(frame.decided);
    if (decided.length > 0) lines.push(`Done in this step: ${decided.map(([node, outcome]) => `${node} → ${outcome}`).join('; ')}.`);
    if (procedure) {
      const missing = procedure.attributes.filter((attribute) => !(attribute.name in state.attributes)).map((attribute) => attribute.name);
      if (missing.length > 0) lines.push(`Not yet known: ${missing.join(', ')}.`);
    }
  } else {
    lines.push('Active: no Procedure.');
  }
  if (state.paused.length > 0) lines.push(`Paused topics (resume when the current one ends): ${state.paused.map((stack) => stack[stack.length - 1]?.procedure).join(', ')}.`);
  const attributes = Object.entries(state.attributes);
  if (attributes.length > 0) lines.push(`Attributes: ${attributes.map(([name, entry]) => `${name} = ${JSON.stringify(entry.value)} (from ${entry.source})`).join('; ')}.`);
  for (const [action, data] of Object.entries(state.data)) {
    const json = JSON.stringify(data);
    lines.push(`Result of @${action}: ${json.length > MAX_DATA_CHARS ? `${json.slice(0, MAX_DATA_CHARS)}… (truncated)` : json}`);
  }
  if (state.pendingConfirmation) lines.push(`Waiting for the customer's agreement before running @${state.pendingConfirmation.action} with ${JSON.stringify(state.pendingConfirmation.input)}.`);
  if (advance) {
    for (const note of advance.notes) lines.push(note);
    if (advance.awaitingDecision) {
      lines.push(
        `Decide ${advance.awaitingDecision.conditionId} when you can: ${advance.awaitingDecision.branches.map((branch) => `${branch.id} = ${branch.test}`).join('; ')}.`,
      );
    }
    if (advance.waitingFor) lines.push(`${advance.waitingFor.nodeId} runs once these are known: ${advance.waitingFor.missing.join(', ')}.`);
    for (const obligation of advance.obligations) lines.push(`Required by the Procedure: ${obligation.kind} to ${obligation.target}, after telling the customer what happens.`);
  }
  lines.push('</state>');
  return lines.join('\n');
}
