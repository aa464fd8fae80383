// Routing: with no active Procedure, one forced `route` call picks the live Procedure whose trigger
// matches the customer's message. The request and the reading of its answer are pure; the call is
// the turn loop's.
import type { TextBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { TraceEvent } from './types';

type Routable = readonly { name: string; trigger: string }[];

const routeInput = z.strictObject({ procedure: z.string().nullable(), reason: z.string() });

/** The single tool of the routing call: which live Procedure the customer's message is about. */
export function routeTool(routable: Routable): Tool {
  return {
    name: 'route',
    description: 'Pick the Procedure whose trigger matches what the customer wants, or null when none does.',
    input_schema: {
      type: 'object',
      properties: { procedure: { type: ['string', 'null'], enum: [...routable.map((procedure) => procedure.name), null] }, reason: { type: 'string' } },
      required: ['procedure', 'reason'],
      additionalProperties: false,
    },
  };
}

export function routeSystem(routable: Routable): TextBlockParam[] {
  return [
    {
      type: 'text',
      text: `Pick the Procedure whose trigger matches what the customer wants. Answer null when none clearly does.\n\n${routable.map((p) => `- ${p.name}: ${p.trigger}`).join('\n')}`,
    },
  ];
}

/** Reads the model's routing answer: a known Procedure's name, or null; the event records why. */
export function readRoute(routable: Routable, toolInput: unknown): { procedure: string | null; event: TraceEvent } {
  const parsed = routeInput.safeParse(toolInput);
  const name = parsed.success ? parsed.data.procedure : null;
  const known = name !== null && routable.some((procedure) => procedure.name === name);
  return {
    procedure: known ? name : null,
    event: {
      type: 'route',
      payload: { procedure: known ? name : null, reason: parsed.success ? parsed.data.reason : 'unreadable routing answer', valid: parsed.success && (name === null || known) },
    },
  };
}
