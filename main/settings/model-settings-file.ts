// The model settings the app keeps on disk: provider, base URL and a model per role. The API key
// is not here: it lives in the secret store under API_KEY_SECRET.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { MODEL_PROVIDERS, MODEL_ROLES } from '../../shared/api/settings';
import { writeFileAtomic } from '../files/atomic-write';
import { DEFAULT_MODELS } from '../model/settings';
import { describeZodError } from '../validation/zod-error';

export const API_KEY_SECRET = 'model.apiKey';

export const StoredModelSettingsSchema = z.strictObject({
  provider: z.enum(MODEL_PROVIDERS).default('anthropic'),
  baseURL: z.url({ protocol: /^https?$/ }).nullable().default(null),
  models: z
    .strictObject(Object.fromEntries(MODEL_ROLES.map((role) => [role, z.string().min(1)])) as Record<(typeof MODEL_ROLES)[number], z.ZodString>)
    .default(DEFAULT_MODELS),
});
export type StoredModelSettings = z.infer<typeof StoredModelSettingsSchema>;

export class ModelSettingsFile {
  constructor(readonly path: string) {}

  read(): StoredModelSettings {
    if (!existsSync(this.path)) return StoredModelSettingsSchema.parse({});
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new Error(`The settings file ${this.path} is not JSON (${(error as Error).message}); fix or remove it.`);
    }
    const parsed = StoredModelSettingsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`The settings file ${this.path} is not valid: ${describeZodError(parsed.error)}; fix or remove it.`);
    return parsed.data;
  }

  write(settings: StoredModelSettings): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileAtomic(this.path, `${JSON.stringify(StoredModelSettingsSchema.parse(settings), null, 2)}\n`);
  }
}
