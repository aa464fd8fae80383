// Model settings: key, endpoint, a model per role, limits and prices. Validated wherever they enter
// (workspace settings, environment, the settings screen).
import { z } from 'zod';

import { MODEL_ROLES, type ModelRole } from '../../shared/model-roles';

export { MODEL_ROLES, type ModelRole };

/** Defaults from the SDK's current model list; every one is configurable. */
export const DEFAULT_MODELS: Record<ModelRole, string> = {
  agent: 'claude-sonnet-5-5',
  customer: 'claude-haiku-5-5',
  judge: 'claude-opus-5-5',
  author: 'claude-sonnet-5-5',
};

export const PriceSchema = z.object({
  /** US dollars per million tokens. */
  inputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
  cacheReadPerMTok: z.number().nonnegative(),
  cacheWritePerMTok: z.number().nonnegative(),
});
export type Price = z.infer<typeof PriceSchema>;

/** Starting prices for the default models: edit them in the workspace settings to match your contract. */
export const DEFAULT_PRICES: Record<string, Price> = {
  'claude-sonnet-5-5': { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 },
  'claude-haiku-5-5': { inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
  'claude-opus-5-5': { inputPerMTok: 5, outputPerMTok: 25, cacheReadPerMTok: 0.5, cacheWritePerMTok: 6.25 },
};

export const ModelSettingsSchema = z.object({
  apiKey: z.string().min(1).optional(),
  baseURL: z.url({ protocol: /^https?$/ }).optional(),
  models: z
    .object({ agent: z.string().min(1), customer: z.string().min(1), judge: z.string().min(1), author: z.string().min(1) })
    .default(DEFAULT_MODELS),
  maxTokens: z.number().int().positive().max(64_000).default(1024),
  timeoutMs: z.number().int().positive().default(60_000),
  /** Retries the SDK makes on 429, 5xx and connection errors before the call counts as failed. */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /**
   * Retries of a call whose response broke after it began (connection cut, stall, malformed or
   * error event), which the SDK does not retry; waits responseRetryDelayMs, doubling each time.
   */
  responseRetries: z.number().int().min(0).max(5).default(2),
  responseRetryDelayMs: z.number().int().min(0).max(60_000).default(500),
  /** The longest silence once a response has begun before it counts as stalled. */
  idleTimeoutMs: z.number().int().positive().default(30_000),
  prices: z.record(z.string(), PriceSchema).default(DEFAULT_PRICES),
});
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;

/** Settings from the environment, for the CLI and headless runs. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv, base: Partial<ModelSettings> = {}): ModelSettings {
  return ModelSettingsSchema.parse({
    ...base,
    ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
    ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
  });
}
