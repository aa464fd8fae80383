// The server's configuration: command-line flags over an optional JSON config file, checked with
// zod before anything starts. Secrets never live here: the webhook's signing secret and the
// connectors' secrets come from the environment or the secrets file.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { PriceSchema } from '../model/settings';
import { describeZodError } from '../validation/zod-error';
import { MAX_MESSAGE_CHARS } from './api-schemas';

export const serverConfigSchema = z.strictObject({
  bundles: z.array(z.string().min(1)).default([]),
  trust: z.array(z.string().min(1)).default([]),
  port: z.number().int().min(0).max(65535).default(8780),
  host: z.string().min(1).default('127.0.0.1'),
  /** A SQLite file (created if absent), or a postgres:// URL. */
  database: z.string().min(1).default('stepwise-server.sqlite'),
  /** SQLite only: 'full' (default) loses no saved turn to a power cut; 'relaxed' survives a crash of the process and saves an fsync per commit. */
  sqliteDurability: z.enum(['full', 'relaxed']).default('full'),
  secretsFile: z.string().min(1).optional(),
  /** Origins allowed by CORS; none (the default) means no CORS headers at all. */
  corsOrigins: z.array(z.url()).default([]),
  limits: z
    .strictObject({
      bodyBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
      messageChars: z.number().int().min(1).max(MAX_MESSAGE_CHARS).default(10_000),
    })
    .prefault({}),
  rateLimit: z.strictObject({ burst: z.number().int().min(1).default(30), perSecond: z.number().positive().default(10) }).prefault({}),
  /** Keys given as the SHA-256 (hex) of their token, beside those made with `stepwise serve-keys create`. */
  apiKeys: z.array(z.strictObject({ name: z.string().min(1), scope: z.enum(['conversations', 'admin']), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/) })).default([]),
  /** What the bundles' connectors may do beyond reading the secrets the server was given. */
  approve: z.strictObject({ commands: z.array(z.string()).default([]), internalHosts: z.array(z.string()).default([]) }).prefault({}),
  webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      /** The environment variable holding the HMAC secret. */
      secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default('STEPWISE_WEBHOOK_SECRET'),
      maxAttempts: z.number().int().min(1).max(100).default(12),
      firstRetryMs: z.number().int().min(10).max(3_600_000).default(1000),
      timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    })
    .optional(),
  model: z
    .strictObject({
      agent: z.string().min(1).optional(),
      maxTokens: z.number().int().positive().max(64_000).optional(),
      /** US dollars per million tokens, by model name, over the built-in prices (the cost metric's). */
      prices: z.record(z.string().min(1), PriceSchema.strict()).default({}),
    })
    .prefault({}),
  escalation: z.record(z.string(), z.unknown()).optional(),
  shutdownDeadlineMs: z.number().int().min(0).max(600_000).default(15_000),
  /**
   * How long an idle keep-alive connection stays open. Longer than a load balancer's own idle
   * timeout (60 s is common), so the balancer never sends on a connection the server is closing.
   */
  keepAliveTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(65_000),
  metricsPublic: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

export class ConfigError extends Error {}

/** The config file's settings (paths in it relative to the file), under the flags given. */
export function resolveConfig(flags: ServerConfigInput, configFile?: string): ServerConfig {
  let fromFile: Record<string, unknown> = {};
  if (configFile) {
    try {
      fromFile = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`The config file ${configFile} could not be read as JSON: ${(error as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new ConfigError(`The config file ${configFile} must hold one JSON object.`);
    const base = dirname(resolve(configFile));
    const relative = (value: unknown) => (typeof value === 'string' && !/^[a-z]+:\/\//i.test(value) ? resolve(base, value) : value);
    for (const key of ['database', 'secretsFile'] as const) if (key in fromFile) fromFile[key] = relative(fromFile[key]);
    for (const key of ['bundles', 'trust'] as const) if (Array.isArray(fromFile[key])) fromFile[key] = (fromFile[key] as unknown[]).map(relative);
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    // Bundles and trusted keys add up; everything else given as a flag wins.
    merged[key] = (key === 'bundles' || key === 'trust') && Array.isArray(merged[key]) ? [...(merged[key] as unknown[]), ...(value as unknown[])] : value;
  }
  const parsed = serverConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`The server configuration is not valid: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
