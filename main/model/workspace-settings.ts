// Model settings as a workspace keeps them: everything in the workspace's settings table except
// the API key, which lives in the secret store; the environment may override key and endpoint.
import { z } from 'zod';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { ModelSettingsSchema, type ModelSettings } from './settings';

export const MODEL_SETTINGS_KEY = 'model';
/** Name of the API key in the secret store. */
export const MODEL_API_KEY_SECRET = 'model.api_key';

const StoredModelSettingsSchema = ModelSettingsSchema.omit({ apiKey: true });
export type StoredModelSettings = z.infer<typeof StoredModelSettingsSchema>;

export async function loadModelSettings(workspace: Workspace, secrets: SecretStore, env: NodeJS.ProcessEnv = {}): Promise<ModelSettings> {
  const stored = workspace.settings.get(MODEL_SETTINGS_KEY, StoredModelSettingsSchema, {});
  const apiKey = env.ANTHROPIC_API_KEY || (await secrets.get(MODEL_API_KEY_SECRET)) || undefined;
  return ModelSettingsSchema.parse({ ...stored, ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}), ...(apiKey ? { apiKey } : {}) });
}

/** Saves settings; the key, if given, goes to the secret store and never to the workspace file. */
export async function saveModelSettings(workspace: Workspace, secrets: SecretStore, settings: z.input<typeof ModelSettingsSchema>): Promise<void> {
  const { apiKey, ...rest } = ModelSettingsSchema.parse(settings);
  workspace.settings.set(MODEL_SETTINGS_KEY, StoredModelSettingsSchema, rest);
  if (apiKey) await secrets.set(MODEL_API_KEY_SECRET, apiKey);
}
