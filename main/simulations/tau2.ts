// Import of τ²-bench tasks (a domain's tasks.json) as simulations of one Procedure:
//   user_scenario            → the customer (persona, reason for calling, what it knows and doesn't,
//                              its task instructions as behaviour)
//   nl_assertions            → criteria for the judge
//   communicate_info         → criteria: the agent must tell the customer this
//   actions                  → expected actions, with their arguments as a subset to match (the
//                              action names are bare, so they match that action on any connector)
// τ²-bench's database check (initial_state, reward_basis DB) has no counterpart here; write it as
// world assertions when the domain's data is in a mock world.
import { z } from 'zod';
import type { JsonValue } from '../sandbox/json';
import { describeZodError } from '../validation/zod-error';
import type { SimulationDefinitionInput } from './definition';

const text = z.string().nullish();

const instructionsSchema = z.union([
  z.string(),
  z.looseObject({ task_instructions: text, domain: text, reason_for_call: text, known_info: text, unknown_info: text }),
]);

export const tau2TaskSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  description: z.looseObject({ purpose: text, relevant_policies: text, notes: text }).nullish(),
  user_scenario: z.looseObject({ persona: text, instructions: instructionsSchema }),
  initial_state: z.unknown().optional(),
  evaluation_criteria: z
    .looseObject({
      actions: z
        .array(z.looseObject({ action_id: z.string().nullish(), name: z.string().min(1), arguments: z.record(z.string(), z.unknown()).nullish(), info: text }))
        .nullish(),
      communicate_info: z.array(z.union([z.string(), z.number()]).transform(String)).nullish(),
      nl_assertions: z.array(z.string()).nullish(),
      reward_basis: z.array(z.string()).nullish(),
    })
    .nullish(),
});
export type Tau2Task = z.infer<typeof tau2TaskSchema>;

export class Tau2ImportError extends Error {}

/** Parses a tasks.json: a list of tasks (or `{ "tasks": [...] }`). */
export function parseTau2Tasks(json: string, file = 'tasks.json'): Tau2Task[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Tau2ImportError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(raw) ? raw : typeof raw === 'object' && raw !== null && Array.isArray((raw as { tasks?: unknown }).tasks) ? (raw as { tasks: unknown[] }).tasks : null;
  if (!list) throw new Tau2ImportError(`${file} is not a τ²-bench task file: expected a list of tasks.`);
  const parsed = z.array(tau2TaskSchema).safeParse(list);
  if (!parsed.success) throw new Tau2ImportError(`${file} has a task τ²-bench would not accept: ${describeZodError(parsed.error)}`);
  const ids = new Set<string>();
  for (const task of parsed.data) {
    if (ids.has(task.id)) throw new Tau2ImportError(`${file} has two tasks with id ${task.id}.`);
    ids.add(task.id);
  }
  return parsed.data;
}

const clean = (value: string | null | undefined) => {
  const trimmed = (value ?? '').trim();
  return /^[.\s]*$/.test(trimmed) ? '' : trimmed;
};
const shorten = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** The simulation name and definition for one task. */
export function tau2Simulation(task: Tau2Task): { name: string; definition: SimulationDefinitionInput } {
  const instructions = typeof task.user_scenario.instructions === 'string' ? { reason_for_call: task.user_scenario.instructions } : task.user_scenario.instructions;
  const domain = clean('domain' in instructions ? instructions.domain : null);
  const behaviour = clean('task_instructions' in instructions ? instructions.task_instructions : null);
  const criteria = task.evaluation_criteria;
  const assertions = (criteria?.nl_assertions ?? []).map((assertion, index) => ({ name: `assertion ${index + 1}: ${shorten(assertion, 150)}`, assertion }));
  const communicate = (criteria?.communicate_info ?? []).map((info) => ({
    name: `communicates "${shorten(info, 140)}"`,
    assertion: `The agent tells the customer "${info}": it appears in what the agent says.`,
  }));
  const description = [
    `Imported from τ²-bench task ${task.id}${domain ? ` (${domain})` : ''}.`,
    clean(task.description?.purpose),
    clean(task.description?.notes),
    (criteria?.reward_basis ?? []).includes('DB') ? 'τ²-bench also checks its database after the task; add world assertions for that.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return {
    name: `τ²-bench ${domain ? `${domain} ` : ''}task ${task.id}`,
    definition: {
      description,
      customer: {
        persona: clean(task.user_scenario.persona) || 'A customer of the company (τ²-bench user scenario).',
        reason: clean(instructions.reason_for_call),
        known: clean(instructions.known_info),
        unknown: clean(instructions.unknown_info),
        behaviour: behaviour ? [behaviour] : [],
      },
      criteria: [...assertions, ...communicate],
      expectedActions: (criteria?.actions ?? []).map((action) => ({
        action: action.name,
        ...(action.arguments && Object.keys(action.arguments).length > 0 ? { args: action.arguments as Record<string, JsonValue> } : {}),
      })),
      // τ²-bench conversations run long; the default of 10 customer messages is often too few.
      maxTurns: 30,
      tags: ['tau2', ...(domain && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(domain) ? [domain] : [])],
    },
  };
}
