// Messages between the pool and an interpreter process (IPC with advanced serialization). The process runs untrusted code, so
// everything it sends is validated here before the engine believes it.
import { z } from 'zod';
import { jsonObjectSchema } from './json';

export type JobOp = 'check' | 'evaluate';

/** The snippet of an evaluation, by itself: the child keeps its compiled form across restores. */
export interface JobSnippet {
  mode: 'condition' | 'code';
  code: string;
}

export interface JobMessage {
  type: 'job';
  id: number;
  op: JobOp;
  /** JSON text handed to the Python runner as is. */
  payload: string;
  /** For an evaluation: the mode and code that are also in the payload. */
  snippet?: JobSnippet;
}

export interface BootMessage {
  type: 'boot';
  /** A memory snapshot of a freshly set-up interpreter to start from, or null for a full start. */
  snapshot: Uint8Array | null;
  /** Ask a fully starting interpreter to send a snapshot of itself before it takes any job. */
  makeSnapshot: boolean;
}

export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), bytes: z.instanceof(Uint8Array) }),
  z.object({
    type: z.literal('ready'),
    bootMs: z.number().nonnegative(),
    heapBytes: z.number().nonnegative(),
    python: z.string(),
    fromSnapshot: z.boolean(),
  }),
  z.object({ type: z.literal('boot-error'), message: z.string() }),
  z.object({
    type: z.literal('reply'),
    id: z.int(),
    body: z.string(),
    heapBytes: z.number().nonnegative(),
    memoryLimitHit: z.boolean(),
    /** The interpreter is being put back to its clean state; a 'restored' message follows. */
    restoring: z.boolean(),
  }),
  z.object({ type: z.literal('restored'), id: z.int() }),
  z.object({ type: z.literal('fatal'), id: z.int(), message: z.string(), memoryLimitHit: z.boolean().optional() }),
]);

export type ChildMessage = z.infer<typeof childMessageSchema>;

const position = z.int().min(1).nullable();

export const checkBodySchema = z.object({
  issues: z.array(z.object({ line: z.int().min(1), column: z.int().min(1), message: z.string() })),
});

const printedFields = {
  printed: z.string(),
  printedTruncated: z.boolean(),
};

export const evaluateBodySchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    value: z.boolean().nullable(),
    attributes: jsonObjectSchema,
    returned: jsonObjectSchema.nullable(),
    writeLines: z.record(z.string(), z.int().min(1)),
    returnLine: position,
    ...printedFields,
  }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      kind: z.enum(['policy', 'syntax', 'runtime', 'type', 'memory']),
      message: z.string(),
      line: position,
      column: position,
    }),
    ...printedFields,
  }),
]);

export type CheckBody = z.infer<typeof checkBodySchema>;
export type EvaluateBody = z.infer<typeof evaluateBodySchema>;

/** Parses a reply body from the Python runner; throws with a clear message if it is malformed. */
export function parseBody<T>(schema: z.ZodType<T>, body: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new Error('the Python interpreter sent a reply that is not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`the Python interpreter sent a malformed reply: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
