// The tools the agent model is given, as one table: each built-in tool's name, the schema its input
// is checked against, its description and JSON schema for the model, and its rule (rules-*.ts).
// Tool names use `__` for the dot of a connector action, since tool names cannot hold dots.
// The schemas are sent on every call, so they say only what the model needs: no keys that say
// nothing (`required: []`, `additionalProperties`), and the rules of the game are in the system
// prompt once rather than in each tool (the rules check every input anyway).
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { Change } from './change';
import type { CompiledProcedure } from './compiled-procedure';
import type { RuleContext, RuleResult } from './decision';
import { escalateRule, handoffRule, replyRule, searchKnowledgeRule, setAttributesRule } from './rules-conversation';
import { decideConditionRule, endProcedureRule, goToStepRule, runSubprocedureRule, startProcedureRule } from './rules-movement';
import { toModelIds, type ModelIds } from './prompt-ids';
import type { ActionInfo } from './types';

export interface ToolContext {
  stepIds: string[];
  subprocedures: string[];
  routable: { name: string; trigger: string }[];
  teams: string[];
  actions: ActionInfo[];
}

export interface BuiltinTool<Input = unknown> {
  name: string;
  /** Checks the model's input; a failure goes back to the model as an error to fix. */
  input: z.ZodType<Input>;
  description: string;
  /** The JSON schema the model sees, or null when the tool is not offered in this context. */
  parameters(context: ToolContext): Tool['input_schema'] | null;
  rule(change: Change, input: Input, context: RuleContext): RuleResult;
  /** Procedures the rule needs loaded, beyond those of the conversation. */
  loads?(input: Input): string[];
}

const object = (properties: Record<string, unknown>, required: string[]): Tool['input_schema'] => ({ type: 'object', properties, ...(required.length > 0 ? { required } : {}) });
const text = { type: 'string' } as const;
const tool = <Input>(definition: BuiltinTool<Input>): BuiltinTool => definition as unknown as BuiltinTool;
const whenSteps = (context: ToolContext, schema: Tool['input_schema']) => (context.stepIds.length > 0 ? schema : null);

/** In the order the model sees them: the order is part of the cached prompt prefix. */
export const BUILTIN_TOOL_TABLE: readonly BuiltinTool[] = [
  tool({
    name: 'reply',
    input: z.strictObject({ message: z.string().trim().min(1, 'message must not be empty') }),
    description: 'Message the customer.',
    parameters: () => object({ message: text }, ['message']),
    rule: replyRule,
  }),
  tool({
    name: 'set_attributes',
    input: z.strictObject({ values: z.record(z.string(), z.unknown()) }),
    description: 'Record attribute values (declared names and types).',
    parameters: () => object({ values: { type: 'object' } }, ['values']),
    rule: setAttributesRule,
  }),
  tool({
    name: 'search_knowledge',
    input: z.strictObject({ query: z.string().trim().min(2) }),
    description: 'Search the knowledge hub; cite what you use.',
    parameters: () => object({ query: text }, ['query']),
    rule: searchKnowledgeRule,
  }),
  tool({
    name: 'escalate',
    input: z.strictObject({ reason: z.enum(['customer_asked_for_human', 'stuck', 'other']), summary: z.string().min(1) }),
    description: 'Bring in a human (the customer asks for one, or you are stuck).',
    parameters: () => object({ reason: { type: 'string', enum: ['customer_asked_for_human', 'stuck', 'other'] }, summary: text }, ['reason', 'summary']),
    rule: escalateRule,
  }),
  tool({
    name: 'start_procedure',
    input: z.strictObject({ name: z.string().min(1), reason: z.string().optional() }),
    description: 'Start the Procedure for a new topic; the active one pauses.',
    parameters: (context) =>
      context.routable.length > 0 ? object({ name: { type: 'string', enum: context.routable.map((procedure) => procedure.name) }, reason: text }, ['name']) : null,
    rule: startProcedureRule,
    loads: (input) => [input.name],
  }),
  tool({
    name: 'go_to_step',
    input: z.strictObject({ step_id: z.string().min(1), reason: z.string().optional() }),
    description: 'Move to a step of the active Procedure.',
    parameters: (context) => whenSteps(context, object({ step_id: { type: 'string', enum: context.stepIds }, reason: text }, ['step_id'])),
    rule: goToStepRule,
  }),
  tool({
    name: 'decide_condition',
    input: z.strictObject({ condition_id: z.string().min(1), branch_id: z.string().min(1), reason: z.string().min(1, 'give the reason for the choice') }),
    description: 'Choose a branch (or none) of the plain-language condition waiting for you, saying why.',
    parameters: (context) => whenSteps(context, object({ condition_id: text, branch_id: text, reason: text }, ['condition_id', 'branch_id', 'reason'])),
    rule: decideConditionRule,
  }),
  tool({
    name: 'end_procedure',
    input: z.strictObject({ summary: z.string().optional() }),
    description: 'The active Procedure is done (its @end).',
    parameters: (context) => whenSteps(context, object({ summary: text }, [])),
    rule: endProcedureRule,
  }),
  tool({
    name: 'run_subprocedure',
    input: z.strictObject({ name: z.string().min(1) }),
    description: 'Run a [[sub-procedure]] the step calls; it returns here.',
    parameters: (context) => (context.subprocedures.length > 0 ? object({ name: { type: 'string', enum: context.subprocedures } }, ['name']) : null),
    rule: runSubprocedureRule,
    loads: (input) => [input.name],
  }),
  tool({
    name: 'handoff',
    input: z.strictObject({ team: z.string().min(1), summary: z.string().min(1), note: z.string().optional() }),
    description: 'Hand over to a team the Procedure names (@handoff), with a summary.',
    parameters: (context) =>
      context.teams.length > 0 ? object({ team: { type: 'string', enum: context.teams }, summary: text, note: text }, ['team', 'summary']) : null,
    rule: handoffRule,
  }),
];

const byName = new Map(BUILTIN_TOOL_TABLE.map((entry) => [entry.name, entry]));

export const builtinTool = (name: string): BuiltinTool | undefined => byName.get(name);

export const actionToolName = (action: string) => action.replace('.', '__');
export const actionFromToolName = (name: string) => (name.includes('__') ? name.replace('__', '.') : null);

/**
 * Tools cover every Procedure the conversation has loaded (the active ones, their sub-procedures
 * and paused topics), so the tool list stays the same from call to call and the cached prompt
 * prefix survives a sub-procedure starting. What may actually run is still checked against the
 * active Procedure when the model calls a tool (the rules).
 */
export function toolContext(
  procedures: readonly CompiledProcedure[],
  routable: readonly { name: string; trigger: string }[],
  mainProcedure: string | undefined,
  describeAction: (action: string) => ActionInfo | undefined,
  ids?: ModelIds,
): ToolContext {
  const union = <T>(pick: (procedure: CompiledProcedure) => Iterable<T>) => [...new Set(procedures.flatMap((procedure) => [...pick(procedure)]))];
  return {
    // The compact ids the prompt shows (prompt-ids.ts), or the graph ids without them.
    stepIds: union((procedure) => procedure.steps.map((step) => (ids ? toModelIds(step.id, ids) : step.id))),
    subprocedures: union((procedure) => procedure.calls),
    routable: routable.filter((procedure) => procedure.name !== mainProcedure),
    teams: union((procedure) => procedure.teams.values()),
    actions: union((procedure) => procedure.actions).flatMap((name) => describeAction(name) ?? []),
  };
}

/** Tools for the agent when a Procedure is active (or none is, for knowledge answers). */
export function agentTools(context: ToolContext): Tool[] {
  const tools: Tool[] = [];
  for (const entry of BUILTIN_TOOL_TABLE) {
    const parameters = entry.parameters(context);
    if (parameters) tools.push({ name: entry.name, description: entry.description, input_schema: parameters });
  }
  for (const action of context.actions) tools.push(actionTool(action));
  return tools;
}

/** A connector action: its own schema, and for a write action the customer's agreement (the system prompt says how to get it). */
function actionTool(action: ActionInfo): Tool {
  const schema = action.inputSchema as { properties?: Record<string, unknown>; required?: string[] };
  return {
    name: actionToolName(action.name),
    description: `${action.description}${action.confirm ? ' Needs agreement.' : ''}`,
    input_schema: action.confirm
      ? {
          type: 'object',
          properties: { ...(schema.properties ?? {}), customer_agreement: { type: 'string', description: "The customer's words agreeing" } },
          ...(schema.required && schema.required.length > 0 ? { required: [...schema.required] } : {}),
        }
      : compactSchema(action.inputSchema as Tool['input_schema']),
  };
}

/** An input schema that says nothing beyond "an object" is sent as just that (additional properties are allowed by default). */
function compactSchema(schema: Tool['input_schema']): Tool['input_schema'] {
  const { properties, additionalProperties, ...rest } = schema as Tool['input_schema'] & { additionalProperties?: unknown };
  const empty = !properties || Object.keys(properties).length === 0;
  return {
    ...rest,
    type: 'object',
    ...(empty ? {} : { properties }),
    ...(additionalProperties === undefined || (additionalProperties === true && empty) ? {} : { additionalProperties }),
  };
}
