// The tools the agent model is given, and the schemas its inputs are checked against. Tool names
// use `__` for the dot of a connector action, since tool names cannot hold dots.
import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { ActionInfo } from './types';

export const BUILTIN_TOOLS = {
  reply: 'reply',
  setAttributes: 'set_attributes',
  goToStep: 'go_to_step',
  decide: 'decide_condition',
  runSubprocedure: 'run_subprocedure',
  startProcedure: 'start_procedure',
  searchKnowledge: 'search_knowledge',
  handoff: 'handoff',
  escalate: 'escalate',
  end: 'end_procedure',
} as const;

export const inputSchemas = {
  reply: z.strictObject({ message: z.string().trim().min(1, 'message must not be empty') }),
  set_attributes: z.strictObject({ values: z.record(z.string(), z.unknown()) }),
  go_to_step: z.strictObject({ step_id: z.string().min(1), reason: z.string().optional() }),
  decide_condition: z.strictObject({ condition_id: z.string().min(1), branch_id: z.string().min(1), reason: z.string().min(1, 'give the reason for the choice') }),
  run_subprocedure: z.strictObject({ name: z.string().min(1) }),
  start_procedure: z.strictObject({ name: z.string().min(1), reason: z.string().optional() }),
  search_knowledge: z.strictObject({ query: z.string().trim().min(2) }),
  handoff: z.strictObject({ team: z.string().min(1), summary: z.string().min(1), note: z.string().optional() }),
  escalate: z.strictObject({ reason: z.enum(['customer_asked_for_human', 'stuck', 'other']), summary: z.string().min(1) }),
  end_procedure: z.strictObject({ summary: z.string().optional() }),
  route: z.strictObject({ procedure: z.string().nullable(), reason: z.string() }),
};

export const actionToolName = (action: string) => action.replace('.', '__');
export const actionFromToolName = (name: string) => (name.includes('__') ? name.replace('__', '.') : null);

const object = (properties: Record<string, unknown>, required: string[]): Tool['input_schema'] => ({ type: 'object', properties, required, additionalProperties: false });

export interface ToolContext {
  stepIds: string[];
  subprocedures: string[];
  routable: { name: string; trigger: string }[];
  teams: string[];
  actions: ActionInfo[];
}

/** Tools for the agent when a Procedure is active (or none is, for knowledge answers). */
export function agentTools(context: ToolContext): Tool[] {
  const tools: Tool[] = [
    {
      name: 'reply',
      description: 'Send a message to the customer. Every customer message gets at least one reply.',
      input_schema: object({ message: { type: 'string' } }, ['message']),
    },
    {
      name: 'set_attributes',
      description: 'Record attribute values the customer gave you, using the declared attribute names and types.',
      input_schema: object({ values: { type: 'object', description: 'attribute name → value' } }, ['values']),
    },
    {
      name: 'search_knowledge',
      description: 'Search the knowledge hub when the customer lacks information or asks a question the Procedure does not answer. Cite what you use.',
      input_schema: object({ query: { type: 'string' } }, ['query']),
    },
    {
      name: 'escalate',
      description: 'Bring in a human when the customer asks for a person, or when you are stuck and cannot make progress.',
      input_schema: object({ reason: { type: 'string', enum: ['customer_asked_for_human', 'stuck', 'other'] }, summary: { type: 'string' } }, ['reason', 'summary']),
    },
  ];
  if (context.routable.length > 0) {
    tools.push({
      name: 'start_procedure',
      description:
        'Start the Procedure that matches what the customer now wants. If another Procedure is active it is paused, and resumed when this one ends.',
      input_schema: object({ name: { type: 'string', enum: context.routable.map((procedure) => procedure.name) }, reason: { type: 'string' } }, ['name']),
    });
  }
  if (context.stepIds.length > 0) {
    tools.push(
      {
        name: 'go_to_step',
        description: 'Move to a step of the active Procedure: the next one, or back or ahead as the conversation needs.',
        input_schema: object({ step_id: { type: 'string', enum: context.stepIds }, reason: { type: 'string' } }, ['step_id']),
      },
      {
        name: 'decide_condition',
        description: 'Choose the branch of a plain-language condition, with your reason. Python conditions are decided by the runtime, never by you.',
        input_schema: object({ condition_id: { type: 'string' }, branch_id: { type: 'string' }, reason: { type: 'string' } }, ['condition_id', 'branch_id', 'reason']),
      },
      {
        name: 'end_procedure',
        description: 'The active Procedure is complete (where it says @end).',
        input_schema: object({ summary: { type: 'string' } }, []),
      },
    );
  }
  if (context.subprocedures.length > 0) {
    tools.push({
      name: 'run_subprocedure',
      description: 'Run a sub-procedure the active Procedure calls with [[…]]; the conversation comes back to this step when it ends.',
      input_schema: object({ name: { type: 'string', enum: context.subprocedures } }, ['name']),
    });
  }
  if (context.teams.length > 0) {
    tools.push({
      name: 'handoff',
      description: 'Hand the conversation to a human team the Procedure names (@handoff), with a summary for them.',
      input_schema: object({ team: { type: 'string', enum: context.teams }, summary: { type: 'string' }, note: { type: 'string' } }, ['team', 'summary']),
    });
  }
  for (const action of context.actions) {
    const schema = action.inputSchema as { properties?: Record<string, unknown>; required?: string[] };
    tools.push({
      name: actionToolName(action.name),
      description: `${action.description}${action.confirm ? ' This changes something for the customer: ask for their explicit agreement first, then call it with customer_agreement quoting their words.' : ''}`,
      input_schema: action.confirm
        ? {
            type: 'object',
            properties: { ...(schema.properties ?? {}), customer_agreement: { type: 'string', description: "The customer's own words agreeing, quoted from their latest message." } },
            required: [...(schema.required ?? [])],
          }
        : (action.inputSchema as Tool['input_schema']),
    });
  }
  return tools;
}

/** The single tool of the routing call: which live Procedure the customer's message is about. */
export function routeTool(routable: { name: string; trigger: string }[]): Tool {
  return {
    name: 'route',
    description: 'Pick the Procedure whose trigger matches what the customer wants, or null when none does.',
    input_schema: object(
      { procedure: { type: ['string', 'null'], enum: [...routable.map((procedure) => procedure.name), null] }, reason: { type: 'string' } },
      ['procedure', 'reason'],
    ),
  };
}
