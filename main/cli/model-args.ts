// The model client of a command that needs one (simulate, draft…): the workspace's model settings,
// the key from its secret store or the environment, and one line (exit 1, not a usage error: the
// arguments were right) that says how to configure one when there is none.
import { ModelClient } from '../model/client';
import type { ModelSettings } from '../model/settings';
import { loadModelSettings } from '../model/workspace-settings';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { CommandFailure, UsageError, type CliIo } from './io';

export const NO_MODEL =
  'No model is configured: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for an Anthropic-compatible server), or save an API key in the app\'s Settings.';

export async function requireModel(workspace: Workspace, secrets: SecretStore, io: CliIo): Promise<{ settings: ModelSettings; client: ModelClient }> {
  const settings = await loadModelSettings(workspace, secrets, io.env ?? process.env);
  if (!settings.apiKey && !settings.baseURL) {
    throw new CommandFailure(NO_MODEL);
  }
  return { settings, client: new ModelClient(settings) };
}

/** A whole number ≥ `min` from an option, or a usage error naming it. */
export function wholeNumber(value: string | undefined, option: string, fallback: number, min = 1, max = 1000): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) throw new UsageError(`${option} takes a whole number from ${min} to ${max} (got "${value}").`);
  return Number(value);
}
