// Eager read-only actions: as Python runs as soon as its inputs are known, a read-only connector
// action the current step names is called by the runtime itself once its input is known, so the
// model sees the result in its first call instead of asking for it and waiting a round trip.
//
// Which actions, pure: only those the step names where the conversation stands (its top level, or
// a branch already chosen), that the connector declares read-only and that need no agreement, with
// every required input property found among the attributes of the same name, and not already run
// with that input. Side-effecting and `confirm` actions stay with the model, one at a time. The
// call itself goes through the same rule as the model's (reach, locks), in turn.ts.
import type { Block, Step } from '../../shared/procedure';
import { branchId, conditionId, type CompiledProcedure } from './compiled-procedure';
import type { ActionInfo, ConversationState } from './types';

export interface EagerCall {
  action: string;
  input: Record<string, unknown>;
}

/** The read-only actions to call now for the innermost frame's current step, in document order. */
export function eagerCalls(state: ConversationState, procedure: CompiledProcedure, describeAction: (action: string) => ActionInfo | undefined): EagerCall[] {
  const frame = state.stack[state.stack.length - 1];
  if (!frame || frame.procedure !== procedure.name || state.outcome) return [];
  const step = procedure.stepById(frame.stepId);
  if (!step) return [];
  const calls: EagerCall[] = [];
  for (const action of namedWhereItStands(step, procedure, frame.decided)) {
    const info = describeAction(action);
    if (!info?.readOnly || info.confirm) continue;
    const input = inputFromAttributes(info.inputSchema, state);
    if (!input) continue;
    if (state.actionInputs?.[action] === JSON.stringify(input)) continue;
    if (!calls.some((call) => call.action === action)) calls.push({ action, input });
  }
  return calls;
}

/** `connector.action` names in the step's own text and in the branches already chosen; an undecided branch is not the runtime's to take. */
function namedWhereItStands(step: Step, procedure: CompiledProcedure, decided: Readonly<Record<string, string>>): string[] {
  const names: string[] = [];
  const visit = (blocks: Block[]) => {
    for (const block of blocks) {
      if (block.kind === 'paragraph') {
        for (const line of block.lines) for (const ref of line.refs) if (ref.kind === 'action') names.push(`${ref.connector}.${ref.action}`);
        visit(block.children);
      } else if (block.kind === 'condition') {
        const chosen = decided[conditionId(procedure, block)];
        const branch = chosen === undefined ? undefined : block.branches.find((candidate) => branchId(procedure, candidate) === chosen);
        if (branch) visit(branch.body);
      }
    }
  };
  visit(step.body);
  return names;
}

/**
 * The action's input from the attributes named like its properties: null unless every required
 * property is known (an optional one is sent when known). A schema without properties needs no input.
 */
export function inputFromAttributes(schema: Record<string, unknown>, state: ConversationState): Record<string, unknown> | null {
  const properties = isRecord(schema.properties) ? Object.keys(schema.properties) : [];
  const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === 'string') : [];
  if (required.some((name) => !(name in state.attributes))) return null;
  const input: Record<string, unknown> = {};
  for (const name of properties) if (name in state.attributes) input[name] = state.attributes[name]!.value;
  // Nothing to go on: an action with properties but none known is the model's to call.
  if (properties.length > 0 && Object.keys(input).length === 0) return null;
  return input;
}

/** What the model hears about a call the runtime made on its own. */
export function eagerNote(call: EagerCall, outcome: { ok: boolean; content: string }): string {
  const what = `The runtime called @${call.action} with ${JSON.stringify(call.input)} itself (read-only, named by this step)`;
  return outcome.ok ? `${what}: its result is in the state.` : `${what}, and it failed: ${outcome.content}`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
