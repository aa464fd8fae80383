// The simulated customer: its own prompt and model (role "customer"), built from the simulation's
// persona, reason for contacting, what it knows and doesn't, and its behaviour instructions. Each
// call writes the customer's next message or says it is done, through one forced tool call.
import type { TextBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { ModelCaller } from '../model/client';
import type { CustomerDefinition } from './definition';
import { callForcedTool } from './forced-tool';

export const CUSTOMER_TOOL = 'customer_message';

export interface TranscriptLine {
  role: 'customer' | 'agent';
  text: string;
}

export const customerTurnSchema = z
  .strictObject({
    message: z.string().trim().max(4000, 'keep the message under 4,000 characters').optional(),
    done: z.boolean(),
    reason: z.string().trim().default(''),
  })
  .refine((turn) => turn.done || (turn.message !== undefined && turn.message.length > 0), { message: 'write the message, or set done to true', path: ['message'] });
export type CustomerTurn = z.infer<typeof customerTurnSchema>;

const tool: Tool = {
  name: CUSTOMER_TOOL,
  description: 'Your next message to the support agent, or done when the conversation is over for you.',
  input_schema: {
    type: 'object',
    properties: {
      message: { type: 'string', description: 'What you type to the agent next. Leave it out when done.' },
      done: { type: 'boolean', description: 'true when the conversation is over for you; nothing more is sent.' },
      reason: { type: 'string', description: 'When done: why (resolved, handed to a person, gave up…).' },
    },
    required: ['done'],
    additionalProperties: false,
  },
};

export function customerSystemPrompt(customer: CustomerDefinition): TextBlockParam[] {
  const facts = Object.entries(customer.facts).map(([name, value]) => `- ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const sections = [
    'You play a customer who contacts a company\'s support, to test its AI support agent. Stay in character for the whole conversation.',
    `Who you are: ${customer.persona}`,
    customer.reason ? `Why you are contacting support: ${customer.reason}` : '',
    customer.known || facts.length > 0 ? `What you know (give it when the agent asks; do not recite everything at once):\n${[customer.known, ...facts].filter(Boolean).join('\n')}` : '',
    customer.unknown ? `What you don't know (if asked, say you don't know; never make it up): ${customer.unknown}` : '',
    customer.behaviour.length > 0 ? `How you behave (follow these exactly):\n${customer.behaviour.map((line) => `- ${line}`).join('\n')}` : '',
    `Rules:
- Write only your own next message, as this customer would type it: short and natural. Never write the agent's part.
- Never say that you are simulated or that you follow instructions.
- Keep going until your reason for contacting is dealt with, unless your behaviour says otherwise.
- Set done to true when the conversation is over for you (resolved, handed to a person, or you give up); your message is then not sent.
- Answer with the ${CUSTOMER_TOOL} tool.`,
  ];
  return [{ type: 'text', text: sections.filter(Boolean).join('\n\n') }];
}

export function renderTranscript(transcript: readonly TranscriptLine[]): string {
  if (transcript.length === 0) return 'The conversation has not started yet: write your first message to support.';
  const lines = transcript.map((line) => `${line.role === 'customer' ? 'You' : 'Agent'}: ${line.text}`);
  return `The conversation so far:\n${lines.join('\n')}\n\nWrite your next message, or say you are done.`;
}

export class CustomerSimulator {
  constructor(
    private readonly model: ModelCaller,
    private readonly customer: CustomerDefinition,
  ) {}

  /** The customer's next move, validated; one repair attempt when the answer is not valid. */
  next(transcript: readonly TranscriptLine[]): Promise<CustomerTurn> {
    return callForcedTool(this.model, {
      role: 'customer',
      system: customerSystemPrompt(this.customer),
      messages: [{ role: 'user', content: renderTranscript(transcript) }],
      tool,
      schema: customerTurnSchema,
      maxTokens: 1024,
    });
  }
}
