// The judge: its own prompt and model (role "judge"). It sees the transcript and the trace (tool
// calls and results, conditions, handoffs), so "the agent checked the delivery date" is judged from
// what happened, not from what was said. It rules on each criterion with a verdict, its reasoning
// and, for a failure, whose it is (the agent's, or the simulated customer's); and it checks the
// simulated customer against its own instructions.
import type { TextBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { ModelCaller } from '../model/client';
import type { Criterion, CustomerDefinition } from './definition';
import { callForcedTool, StructuredOutputError } from './forced-tool';
import type { CustomerConformance } from './records';

export const JUDGE_TOOL = 'record_verdicts';

export const judgeAnswerSchema = z.strictObject({
  verdicts: z.array(
    z.strictObject({
      criterion: z.string().trim().min(1),
      verdict: z.enum(['pass', 'fail']),
      reasoning: z.string().trim().min(1, 'give the reasoning for the verdict'),
      failure_due_to: z.enum(['agent', 'customer']).optional(),
    }),
  ),
  customer: z.strictObject({
    followed_instructions: z.boolean(),
    stopped_early: z.boolean(),
    reasoning: z.string().trim().min(1, 'say how the customer kept to its instructions'),
  }),
});

const tool: Tool = {
  name: JUDGE_TOOL,
  description: 'Record a verdict on every criterion, and whether the simulated customer kept to its instructions.',
  input_schema: {
    type: 'object',
    properties: {
      verdicts: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            criterion: { type: 'string', description: 'The criterion id, like C1.' },
            verdict: { type: 'string', enum: ['pass', 'fail'] },
            reasoning: { type: 'string', description: 'Why, citing what the transcript or the trace shows.' },
            failure_due_to: { type: 'string', enum: ['agent', 'customer'], description: 'For a fail: whose behaviour made it fail.' },
          },
          required: ['criterion', 'verdict', 'reasoning'],
        },
      },
      customer: {
        type: 'object',
        properties: {
          followed_instructions: { type: 'boolean' },
          stopped_early: { type: 'boolean', description: 'The customer left before its reason for contacting was dealt with, without its instructions saying so.' },
          reasoning: { type: 'string' },
        },
        required: ['followed_instructions', 'stopped_early', 'reasoning'],
      },
    },
    required: ['verdicts', 'customer'],
    additionalProperties: false,
  },
};

export interface JudgeInput {
  criteria: Criterion[];
  customer: CustomerDefinition;
  transcript: string;
  trace: string;
  /** How the conversation ended, in words. */
  outcome: string;
  /** Final attribute values. */
  attributes: Record<string, unknown>;
}

export interface Verdict {
  passed: boolean;
  reasoning: string;
  party: 'agent' | 'customer' | 'judge';
}

export interface JudgeResult {
  /** By criterion name; a criterion the judge did not rule on gets a failure put down to the judge. */
  verdicts: Map<string, Verdict>;
  customer: CustomerConformance | null;
  /** Why the judge's answer could not be used, when it could not. */
  problem: string | null;
}

const SYSTEM = `You are the judge of a simulated support conversation. A simulated customer talked to an AI support agent that follows the company's Procedures. You get the customer's instructions, the transcript, and the trace of what the agent's runtime actually did (tool calls with their inputs and results, conditions and the branch taken, code runs, handoffs).

How to judge:
- Rule on every criterion, each on its own: pass only when the transcript or the trace shows it holds. Judge actions from the trace, not from what the agent said it did.
- Give your reasoning, citing what you saw.
- For a fail, say whose behaviour made it fail: the agent's, or the simulated customer's (it broke its instructions, withheld what it was told to give, or left too early).
- Then say whether the simulated customer kept to its instructions (persona, what it knows and doesn't, behaviour) and whether it stopped before its reason for contacting was dealt with when nothing told it to.
Answer with the ${JUDGE_TOOL} tool.`;

export function judgePrompt(input: JudgeInput): { system: TextBlockParam[]; user: string } {
  const customer = input.customer;
  const instructions = [
    `Persona: ${customer.persona}`,
    customer.reason ? `Reason for contacting: ${customer.reason}` : '',
    customer.known ? `Knows: ${customer.known}` : '',
    Object.keys(customer.facts).length > 0 ? `Facts it knows: ${JSON.stringify(customer.facts)}` : '',
    customer.unknown ? `Does not know: ${customer.unknown}` : '',
    customer.behaviour.length > 0 ? `Behaviour: ${customer.behaviour.join('; ')}` : '',
    customer.opening ? `Its first message was given: ${customer.opening}` : '',
  ].filter(Boolean);
  const criteria = input.criteria.length > 0 ? input.criteria.map((criterion, index) => `C${index + 1}: ${criterion.assertion}`).join('\n') : '(no criteria: give an empty verdicts list)';
  const user = [
    `<customer_instructions>\n${instructions.join('\n')}\n</customer_instructions>`,
    `<criteria>\n${criteria}\n</criteria>`,
    `<transcript>\n${input.transcript || '(empty)'}\n</transcript>`,
    `<trace>\n${input.trace || '(empty)'}\n</trace>`,
    `<outcome>\n${input.outcome}\nFinal attributes: ${JSON.stringify(input.attributes)}\n</outcome>`,
  ].join('\n\n');
  return { system: [{ type: 'text', text: SYSTEM }], user };
}

export async function judge(model: ModelCaller, input: JudgeInput): Promise<JudgeResult> {
  const prompt = judgePrompt(input);
  let answer: z.output<typeof judgeAnswerSchema>;
  try {
    answer = await callForcedTool(model, { role: 'judge', system: prompt.system, messages: [{ role: 'user', content: prompt.user }], tool, schema: judgeAnswerSchema, maxTokens: 4096 });
  } catch (error) {
    if (!(error instanceof StructuredOutputError)) throw error;
    const verdicts = new Map(input.criteria.map((criterion) => [criterion.name, { passed: false, reasoning: `No verdict: ${error.message}`, party: 'judge' as const }]));
    return { verdicts, customer: null, problem: error.message };
  }
  const verdicts = new Map<string, Verdict>();
  input.criteria.forEach((criterion, index) => {
    const id = `C${index + 1}`;
    const ruling = answer.verdicts.find((verdict) => verdict.criterion.toUpperCase() === id || verdict.criterion === criterion.name);
    if (!ruling) {
      verdicts.set(criterion.name, { passed: false, reasoning: `The judge gave no verdict on ${id}.`, party: 'judge' });
      return;
    }
    const passed = ruling.verdict === 'pass';
    verdicts.set(criterion.name, { passed, reasoning: ruling.reasoning, party: passed ? 'agent' : (ruling.failure_due_to ?? 'agent') });
  });
  const customer: CustomerConformance = {
    followedInstructions: answer.customer.followed_instructions,
    stoppedEarly: answer.customer.stopped_early,
    reasoning: answer.customer.reasoning,
  };
  return { verdicts, customer, problem: null };
}
