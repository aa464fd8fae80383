// The settings calls: model provider, base URL and models per role, kept in the workspace's settings
// (main/model/workspace-settings.ts, shared with the command line), and the API key, kept in the
// secret store (never in the workspace, never sent back to the UI); and "test connection".
import type { CallArgs, CallOutput } from '../../shared/api';
import { ModelClient, type ModelCaller } from '../model/client';
import { ModelSettingsSchema, type ModelSettings } from '../model/settings';
import { loadModelSettings, MODEL_API_KEY_SECRET, saveModelSettings } from '../model/workspace-settings';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';

export interface SettingsDeps {
  secrets: SecretStore;
  /** Shown in the settings screen: where the key is kept. */
  secretStoreLabel: string;
  /** Makes the model client for "test connection"; tests pass one aimed at the fake Messages API. */
  modelClient?: (settings: ModelSettings) => ModelCaller;
}

const TEST_TIMEOUT_MS = 20_000;

export function settingsHandlers(workspace: Workspace, deps: SettingsDeps) {
  // The app's settings are what the workspace stores: the environment does not override them here.
  const load = () => loadModelSettings(workspace, deps.secrets, {});
  const view = async (): Promise<CallOutput<'settings.get'>> => {
    const settings = await load();
    return { provider: 'anthropic', baseURL: settings.baseURL ?? null, models: settings.models, hasApiKey: settings.apiKey !== undefined, secretStore: deps.secretStoreLabel };
  };
  return {
    'settings.get': view,

    'settings.save': async ({ baseURL, models, apiKey }: CallArgs<'settings.save'>) => {
      const { apiKey: _stored, baseURL: _oldBaseURL, ...rest } = await load();
      await saveModelSettings(workspace, deps.secrets, { ...rest, models, ...(baseURL ? { baseURL } : {}), ...(apiKey ? { apiKey } : {}) });
      if (apiKey === null) await deps.secrets.delete(MODEL_API_KEY_SECRET);
      return view();
    },

    'settings.testConnection': async (): Promise<CallOutput<'settings.testConnection'>> => {
      const settings = ModelSettingsSchema.parse({ ...(await load()), maxRetries: 0, responseRetries: 0, timeoutMs: TEST_TIMEOUT_MS, idleTimeoutMs: TEST_TIMEOUT_MS });
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
        return { ok: false, model: settings.models.agent, latencyMs: Math.round(performance.now() - started), message: settings.apiKey ? message : `${message} (No API key is saved.)` };
      }
    },
  };
}
