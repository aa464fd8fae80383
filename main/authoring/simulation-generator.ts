// Generates simulations for a Procedure: the happy path, each branch of each condition, edge cases
// and difficult customers. The targets come from the Procedure's graph, so every branch is asked
// for by id; each proposed definition must pass the simulation schema, every target must be
// covered and names must be new, or the model is told what is missing and asked once more.
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { parse, toGraph } from '../../shared/procedure';
import type { ModelCaller } from '../model/client';
import { simulationDefinitionSchema, type SimulationDefinition } from '../simulations/definition';
import { callForcedTool } from '../simulations/forced-tool';
import { procedureNodeWords, sayNode } from '../simulations/node-words';
import type { Workspace } from '../store/workspace';
import { describeZodError } from '../validation/zod-error';
import { workspaceBrief } from './language-guide';

export const GENERATE_TOOL = 'propose_simulations';

export interface GenerationTarget {
  /** What the model answers in `target`, to map its simulations back; never shown as a name. */
  id: string;
  kind: 'happy_path' | 'branch' | 'edge_cases' | 'difficult_customers' | 'mutant';
  /** The target in the Procedure's words (“Check the claim window” → Otherwise): what names and descriptions say. */
  label: string;
  description: string;
  /** Simulations it needs at least. */
  min: number;
}

export interface GeneratedSimulation {
  target: string;
  name: string;
  definition: SimulationDefinition;
}

/** What to generate for a Procedure text: one target per branch of each condition, plus the rest. */
export function generationTargets(text: string): GenerationTarget[] {
  const graph = toGraph(parse(text).document);
  const words = procedureNodeWords(text);
  const steps = new Map(graph.nodes.filter((node) => node.kind === 'step').map((node) => [node.id, node.label]));
  const branches = graph.nodes
    .filter((node) => node.kind === 'branch')
    .map(
      (node): GenerationTarget => ({
        id: node.id,
        kind: 'branch',
        label: sayNode(words, node.id),
        description: `In step "${steps.get(node.stepId ?? '') ?? node.stepId}", the branch "${node.label}"${node.test === 'python' ? ' (a Python test: set up the world or the customer so it holds)' : ''} is taken.`,
        min: 1,
      }),
    );
  return [
    { id: 'happy-path', kind: 'happy_path', label: 'the happy path', description: 'A cooperative customer whose case goes the usual way, start to finish.', min: 1 },
    ...branches,
    { id: 'edge-cases', kind: 'edge_cases', label: 'edge cases', description: 'Unusual but legitimate situations: missing or wrong information, a connector that finds nothing, limits and boundaries.', min: 2 },
    {
      id: 'difficult-customers',
      kind: 'difficult_customers',
      label: 'difficult customers',
      description: 'Customers who are hard to serve: they change their mind halfway, insist on a human, are angry, vague or off topic.',
      min: 2,
    },
  ];
}

const tool: Tool = {
  name: GENERATE_TOOL,
  description: 'Proposed simulations, each for one target.',
  input_schema: {
    type: 'object',
    properties: {
      simulations: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            target: { type: 'string', description: 'The id of the target it covers (what follows "target:" in its brackets).' },
            name: { type: 'string', description: 'A short, unique name.' },
            definition: { type: 'object', description: 'The simulation definition (see the format).' },
          },
          required: ['target', 'name', 'definition'],
        },
      },
    },
    required: ['simulations'],
  },
};

const answerSchema = z.strictObject({
  simulations: z.array(z.strictObject({ target: z.string().min(1), name: z.string().trim().min(1).max(200), definition: z.unknown() })).min(1),
});

const FORMAT = `A simulation definition is a JSON object:
- customer: { persona, reason (why they contact support), known (what they know), unknown (what they don't), facts (object of known values), behaviour (list of instructions, e.g. "changes their mind about the refund halfway"), opening (optional first message) }
- connectors: { mode: "mock", world (optional name of a mock world), initialWorld (optional object), mocks (optional canned responses by "connector.action": [{ when?, status?, body? }]) }
- criteria: [{ name, assertion }] plain-language checks for a judge
- expectedActions / forbiddenActions: [{ action: "connector.action", args (optional subset of the input) }]
- finalStatus (optional): { status: "ended" | "handed_off" | "escalated", team (for a handoff) }
- attributes (optional): attribute values the conversation must end with
- worldAssertions (optional): [{ name, python }] Python expressions over data["world"] after the run
- maxTurns (1 to 50), tags (list)
Make deterministic checks (actions, final status, attributes) match exactly what the Procedure says must happen on that path.`;

/**
 * The targets as the model reads them: each in the Procedure's words, with its id in brackets for
 * the `target` field only, so names and descriptions (saved as the user's data) say the words.
 */
export function targetList(targets: readonly GenerationTarget[]): string {
  return [
    'Targets (cover each with at least the number of simulations given). Name each simulation and write its description in the Procedure\'s own words (step titles, what a branch tests), never with the target ids, which are only for the `target` field:',
    ...targets.map((target) => `- ${target.label} [target: ${target.id}] (at least ${target.min}): ${target.description}`),
  ].join('\n');
}

/** `targets`: only these (e.g. a surviving mutant to catch, main/simulations/mutation-run.ts); default: every target of the graph. */
export async function generateSimulations(services: { workspace: Workspace; model: ModelCaller }, procedure: string, options: { targets?: GenerationTarget[] } = {}): Promise<GeneratedSimulation[]> {
  const record = services.workspace.procedures.require(procedure);
  const targets = options.targets ?? generationTargets(record.draftText);
  const existing = new Set(services.workspace.simulations.list(procedure).map((simulation) => simulation.name));
  const system = [
    {
      type: 'text' as const,
      text: `You write test simulations for a Procedure that an AI support agent follows. A simulated customer will talk to the agent, and the simulation's checks say what must happen.\n\n${FORMAT}\n\nAnswer with the ${GENERATE_TOOL} tool.`,
    },
    { type: 'text' as const, text: workspaceBrief(services.workspace, procedure) },
  ];
  const worlds = services.workspace.worlds.list().map((world) => `${world.name}${world.description ? ` (${world.description})` : ''}`);
  const messages: MessageParam[] = [
    {
      role: 'user',
      content: [
        `<procedure>\n${record.draftText}</procedure>`,
        `Mock worlds: ${worlds.join('; ') || '(none)'}`,
        targetList(targets),
        existing.size > 0 ? `Names already used (choose others): ${[...existing].join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
  ];
  let problems: string[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    const answer = await callForcedTool(services.model, { role: 'author', system, messages, tool, schema: answerSchema, maxTokens: 16_000 });
    const { generated, issues } = check(answer.simulations, targets, existing);
    problems = issues;
    if (issues.length === 0) return generated;
    messages.push({ role: 'assistant', content: [{ type: 'text', text: JSON.stringify(answer) }] });
    messages.push({ role: 'user', content: `These simulations cannot be used as they are:\n${issues.map((issue) => `- ${issue}`).join('\n')}\n\nCall ${GENERATE_TOOL} again with the whole corrected list.` });
  }
  throw new Error(`The author model's simulations were still not usable after a repair: ${problems.join('; ')}`);
}

function check(proposed: z.output<typeof answerSchema>['simulations'], targets: GenerationTarget[], existing: Set<string>): { generated: GeneratedSimulation[]; issues: string[] } {
  const issues: string[] = [];
  const generated: GeneratedSimulation[] = [];
  const names = new Set<string>();
  const known = new Set(targets.map((target) => target.id));
  for (const [index, entry] of proposed.entries()) {
    const where = `simulation ${index + 1} ("${entry.name}")`;
    if (!known.has(entry.target)) issues.push(`${where} names the target "${entry.target}", which is not one of the targets`);
    if (existing.has(entry.name) || names.has(entry.name)) issues.push(`${where}: the name is already used`);
    names.add(entry.name);
    const definition = simulationDefinitionSchema.safeParse(entry.definition);
    if (!definition.success) issues.push(`${where} is not a valid definition: ${describeZodError(definition.error)}`);
    else generated.push({ target: entry.target, name: entry.name, definition: definition.data });
  }
  for (const target of targets) {
    const count = proposed.filter((entry) => entry.target === target.id).length;
    if (count < target.min) issues.push(`the target ${target.label} [target: ${target.id}] needs at least ${target.min} simulation(s), got ${count}`);
  }
  return { generated, issues };
}

/** Saves generated simulations under their Procedure. */
export function saveGenerated(workspace: Workspace, procedure: string, generated: readonly GeneratedSimulation[]): void {
  workspace.transaction(() => {
    for (const entry of generated) workspace.simulations.save(procedure, entry.name, { ...entry.definition, tags: [...new Set([...entry.definition.tags, 'generated', entry.target.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64)])] });
  });
}
