// The settings calls: model provider, base URL, models per role and the API key (kept in the
// secret store, never in the settings file, never sent back to the UI), and "test connection".
import type { CallArgs, CallOutput } from '../../shared/api';
import { ModelClient, type ModelCaller } from '../model/client';
import { ModelSettingsSchema, type ModelSettings } from '../model/settings';
import type { SecretStore } from '../secrets/secret-store';
import { API_KEY_SECRET, type ModelSettingsFile } from '../settings/model-settings-file';

export interface SettingsDeps {
  file: ModelSettingsFile;
  secrets: SecretStore;
  /** Shown in the settings screen: where the key is kept. */
  secretStoreLabel: string;
  /** Makes the model client for "test connection"; tests pass one aimed at the fake Messages API. */
  modelClient?: (settings: ModelSettings) => ModelCaller;
}

const TEST_TIMEOUT_MS = 20_000;

export function settingsHandlers(deps: SettingsDeps) {
  const view = async (): Promise<CallOutput<'settings.get'>> => {
    const stored = deps.file.read();
    return { ...stored, hasApiKey: (await deps.secrets.get(API_KEY_SECRET)) !== null, secretStore: deps.secretStoreLabel };
  };
  return {
    'settings.get': view,

    'settings.save': async ({ provider, baseURL, models, apiKey }: CallArgs<'settings.save'>) => {
      deps.file.write({ provider, baseURL: baseURL ? baseURL : null, models });
      if (apiKey === null) await deps.secrets.delete(API_KEY_SECRET);
      else if (apiKey !== undefined) await deps.secrets.set(API_KEY_SECRET, apiKey);
      return view();
    },

    'settings.testConnection': async (): Promise<CallOutput<'settings.testConnection'>> => {
      const stored = deps.file.read();
      const apiKey = await deps.secrets.get(API_KEY_SECRET);
      const settings = ModelSettingsSchema.parse({
        ...(apiKey ? { apiKey } : {}),
        ...(stored.baseURL ? { baseURL: stored.baseURL } : {}),
        models: stored.models,
        maxRetries: 0,
        timeoutMs: TEST_TIMEOUT_MS,
      });
      const client = (deps.modelClient ?? ((s: ModelSettings) => new ModelClient(s)))(settings);
      const started = performance.now();
      try {
        const result = await client.call({
          role: 'agent',
          system: [{ type: 'text', text: 'This is a connection test from Stepwise. Reply with one word.' }],
          messages: [{ role: 'user', content: 'Hello' }],
          maxTokens: 1,
        });
        return { ok: true, model: result.model, latencyMs: Math.round(result.latencyMs), message: `Connected: ${result.model} answered in ${Math.round(result.latencyMs)} ms.` };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { ok: false, model: settings.models.agent, latencyMs: Math.round(performance.now() - started), message: apiKey ? message : `${message} (No API key is saved.)` };
      }
    },
  };
}
