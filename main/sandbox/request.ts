// Validation of what callers hand the sandbox (the boundary with the conversation runtime and editor).
import { z } from 'zod';
import { jsonObjectSchema } from './json';
import type { EvaluationRequest } from './types';

export const MAX_TIMEOUT_MS = 60_000;

export const attributeDeclSchema = z.object({
  name: z.string().min(1),
  type: z.enum(['string', 'number', 'boolean', 'date', 'enum', 'list', 'object']),
  values: z.array(z.string()).optional(),
});

const isoTimestamp = z.iso.datetime({ offset: true, local: true, message: 'clock.now must be an ISO timestamp like 2024-05-10T09:30:00Z' });

export const evaluationRequestSchema = z.object({
  mode: z.enum(['condition', 'code']),
  code: z.string(),
  attributes: jsonObjectSchema,
  data: jsonObjectSchema,
  declared: z.array(attributeDeclSchema),
  clock: z.object({ now: isoTimestamp }),
  origin: z.object({ line: z.int().min(1), column: z.int().min(1) }).optional(),
  timeoutMs: z.int().min(1).max(MAX_TIMEOUT_MS).optional(),
});

export const checkRequestSchema = z.object({
  code: z.string(),
  mode: z.enum(['condition', 'code']),
});

export type ValidatedRequest = z.output<typeof evaluationRequestSchema>;

/** Thrown for a request the engine should never have built: a programming error, not user code. */
export class InvalidSandboxRequestError extends TypeError {
  override name = 'InvalidSandboxRequestError';
}

export function parseEvaluationRequest(request: EvaluationRequest): ValidatedRequest {
  const parsed = evaluationRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new InvalidSandboxRequestError(`Invalid evaluation request: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function parseCheckRequest(code: unknown, mode: unknown): z.output<typeof checkRequestSchema> {
  const parsed = checkRequestSchema.safeParse({ code, mode });
  if (!parsed.success) {
    throw new InvalidSandboxRequestError(`Invalid check request: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
