// The stored shape of what a simulation run leaves behind besides its checks: the run's details,
// each model response (for exact replay) and, for live runs, each connector result. Validated with
// zod whenever it is written or read back.
import { z } from 'zod';
import { MODEL_ROLES } from '../model-roles';
import { partySchema } from './definition';

const usageSchema = z.strictObject({
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  cacheReadTokens: z.number().nonnegative(),
  cacheWriteTokens: z.number().nonnegative(),
});

export const roleUsageSchema = usageSchema.extend({ calls: z.number().int().nonnegative(), costUsd: z.number().nonnegative(), unpriced: z.number().int().nonnegative() });
export type RoleUsage = z.infer<typeof roleUsageSchema>;

export const usageByRoleSchema = z.partialRecord(z.enum(MODEL_ROLES), roleUsageSchema);
export type UsageByRole = z.infer<typeof usageByRoleSchema>;

export const customerConformanceSchema = z.strictObject({
  followedInstructions: z.boolean(),
  stoppedEarly: z.boolean(),
  reasoning: z.string(),
});
export type CustomerConformance = z.infer<typeof customerConformanceSchema>;

export const END_REASONS = ['customer_done', 'outcome', 'max_turns', 'error', 'cancelled'] as const;

export const runDetailsSchema = z.strictObject({
  conversationId: z.number().int().positive().nullable(),
  /** The frozen clock the conversation ran with. */
  clock: z.string(),
  /** Ran on drafts (true) or live versions. */
  draft: z.boolean(),
  /** Content hash of every Procedure the run could load, by name (their texts are in run_snapshots). */
  procedures: z.record(z.string(), z.string()),
  /** Mock mode: the starting world (its JSON is in run_snapshots); null for live runs. */
  world: z.strictObject({ name: z.string().nullable(), hash: z.string() }).nullable(),
  /**
   * Mock mode: the world the run left behind (its JSON is in run_snapshots, under this hash). Null
   * when there is none (live connectors, or the run ended before its connectors started); absent in
   * runs stored before final worlds were kept.
   */
  finalWorld: z.strictObject({ hash: z.string() }).nullable().optional(),
  turns: z.number().int().nonnegative(),
  endedBy: z.enum(END_REASONS),
  /** The party the run's failure is put down to; null when it passed. */
  attribution: partySchema.nullable(),
  /** The judge's view of whether the simulated customer kept to its instructions. */
  customer: customerConformanceSchema.nullable(),
  usage: usageByRoleSchema,
  costUsd: z.number().nonnegative(),
  error: z.string().nullable(),
  durationMs: z.number().nonnegative(),
});
export type RunDetails = z.infer<typeof runDetailsSchema>;

/** A model response as the ModelCaller returned it. */
export const recordedResultSchema = z.strictObject({
  model: z.string(),
  message: z.looseObject({
    content: z.array(z.looseObject({ type: z.string() })),
    stop_reason: z.string().nullable().optional(),
  }),
  usage: usageSchema,
  costUsd: z.number().nullable(),
  latencyMs: z.number(),
});

export const recordedModelCallSchema = z.strictObject({
  seq: z.number().int().positive(),
  role: z.enum(MODEL_ROLES),
  /** sha256 of the request (system, messages, tools, tool choice): a replay must send the same. */
  requestHash: z.string(),
  result: recordedResultSchema,
});
export type RecordedModelCall = z.infer<typeof recordedModelCallSchema>;

export const recordedConnectorCallSchema = z.strictObject({
  seq: z.number().int().positive(),
  action: z.string(),
  inputHash: z.string(),
  result: z.union([
    z.looseObject({ ok: z.literal(true), data: z.unknown() }),
    z.looseObject({ ok: z.literal(false), error: z.string() }),
  ]),
});
export type RecordedConnectorCall = z.infer<typeof recordedConnectorCallSchema>;
