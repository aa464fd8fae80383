// Routing: with no active Procedure, one forced `route` call picks the live Procedure whose trigger
// matches the customer's message. The requests and the reading of their answers are pure; the
// calls are the turn loop's. An answer the model fails to give (no route call, an unreadable
// answer, a name that is not a live Procedure) is not "no Procedure": the call is made once more,
// told what was wrong, and if that fails too the turn records `routing_failed` with the reasons.
import type { ContentBlock, MessageParam, TextBlockParam, Tool, ToolUseBlock } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { describeZodError } from '../../shared/zod-error';
import type { ModelRequest } from './model-call';
import type { TriggerMatch } from './trigger-match';
import type { TraceEvent } from './types';

type Routable = readonly { name: string; trigger: string }[];

/** A failed answer is asked for again this many times before the turn goes on without a Procedure. */
export const ROUTING_RETRIES = 1;

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

/** What a routing answer says: a Procedure, none (a valid null), or a failure with its reason. */
export type RouteAnswer =
  | { kind: 'routed'; procedure: string; reason: string }
  | { kind: 'none'; reason: string }
  | { kind: 'failed'; problem: string; call: ToolUseBlock | null };

/** Reads the model's routing response. Only a `route` call with a readable input naming a live Procedure (or null) counts. */
export function readRoute(routable: Routable, content: readonly ContentBlock[]): RouteAnswer {
  const call = content.find((block): block is ToolUseBlock => block.type === 'tool_use' && block.name === 'route') ?? null;
  if (!call) return { kind: 'failed', problem: 'the model did not call route', call: null };
  const parsed = routeInput.safeParse(call.input);
  if (!parsed.success) return { kind: 'failed', problem: `the route answer could not be read (${describeZodError(parsed.error)})`, call };
  const { procedure, reason } = parsed.data;
  if (procedure === null) return { kind: 'none', reason };
  if (!routable.some((candidate) => candidate.name === procedure)) return { kind: 'failed', problem: `"${procedure}" is not a live Procedure`, call };
  return { kind: 'routed', procedure, reason };
}

/**
 * The routing request. A retry carries the failed answer and what was wrong with it, so the model
 * can correct itself; a response with no route call is simply asked again.
 */
export function routeRequest(routable: Routable, customerText: string, failed: { content: readonly ContentBlock[]; answer: Extract<RouteAnswer, { kind: 'failed' }> } | null = null): ModelRequest {
  const messages: MessageParam[] = [{ role: 'user', content: customerText }];
  if (failed?.answer.call) {
    messages.push(
      { role: 'assistant', content: [failed.answer.call] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: failed.answer.call.id,
            is_error: true,
            content: `Not understood: ${failed.answer.problem}. Answer with route again: one of ${routable.map((procedure) => `"${procedure.name}"`).join(', ')}, or null.`,
          },
        ],
      },
    );
  }
  return { system: routeSystem(routable), messages, tools: [routeTool(routable)], toolChoice: { type: 'tool', name: 'route' }, purpose: 'route' };
}

/**
 * The trace event of an answer that counts: `method: 'model'`, the routing call's, with why the
 * trigger match did not settle it (`unclear`, when it was tried).
 */
export function routeEvent(answer: Exclude<RouteAnswer, { kind: 'failed' }>, attempt: number, unclear: string | null = null): TraceEvent {
  return {
    type: 'route',
    payload: { procedure: answer.kind === 'routed' ? answer.procedure : null, reason: answer.reason, valid: true, attempt, method: 'model', ...(unclear ? { unclear } : {}) },
  };
}

/** Routed by a clear trigger match, with no routing call (`attempt: 0`). */
export function matchedRouteEvent(match: Extract<TriggerMatch, { kind: 'clear' }>): TraceEvent {
  return {
    type: 'route',
    payload: {
      procedure: match.procedure,
      reason: `the message matches its trigger (${match.words.join(', ')})`,
      valid: true,
      attempt: 0,
      method: 'match',
      score: match.score,
      runnerUp: match.runnerUp,
    },
  };
}

/** A failed attempt: traced as a `route` that did not count, so a retry is visible. */
export function failedRouteEvent(answer: Extract<RouteAnswer, { kind: 'failed' }>, attempt: number): TraceEvent {
  return { type: 'route', payload: { procedure: null, reason: answer.problem, valid: false, attempt, method: 'model' } };
}

/** Every attempt failed: the turn goes on without a Procedure, and the next customer message is routed again. */
export function routingFailedEvent(problems: readonly string[]): TraceEvent {
  return { type: 'routing_failed', payload: { reason: problems.at(-1) ?? 'no answer', problems: [...problems], attempts: problems.length } };
}
