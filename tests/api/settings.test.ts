// Model settings: the key goes to the secret store and never back to the UI or into the settings
// file; "test connection" calls the configured base URL (here, the fake Messages API).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_ROLES as SHARED_ROLES } from '../../shared/api';
import { MODEL_ROLES } from '../../main/model/settings';
import { reply, type FakeAnthropic } from '../support/fake-anthropic';
import { useFakeAnthropic } from '../support/fixtures';
import { useEngine } from './helpers';

const models = { agent: 'claude-test-agent', customer: 'claude-test-customer', judge: 'claude-test-judge', author: 'claude-test-author' };
const startFakeAnthropic = useFakeAnthropic();
let fake: FakeAnthropic | null = null;

describe('settings', () => {
  const engine = useEngine();

  it('shares its model roles with the engine', () => {
    expect([...SHARED_ROLES]).toEqual([...MODEL_ROLES]);
  });

  it('stores the key in the secret store, never in the settings file or in answers', async () => {
    const api = engine();
    expect(await api.call('settings.get')).toMatchObject({ provider: 'anthropic', baseURL: null, hasApiKey: false });
    const saved = await api.call('settings.save', { provider: 'anthropic', baseURL: 'http://127.0.0.1:9/', models, apiKey: 'sk-secret-value-123' });
    expect(saved).toMatchObject({ hasApiKey: true, models, baseURL: 'http://127.0.0.1:9/' });
    expect(JSON.stringify(saved)).not.toContain('sk-secret-value-123');
    expect(api.workspaceBytes()).toContain('claude-test-judge'); // the settings are in the workspace…
    expect(api.workspaceBytes()).not.toContain('sk-secret-value-123'); // …the key is not
    expect(readFileSync(api.secretsFile, 'utf8')).not.toContain('sk-secret-value-123');
    // The command line reads the same settings and key.
    const { loadModelSettings } = await import('../../main/model/workspace-settings');
    const { EncryptedFileSecretStore, defaultSecretLocation } = await import('../../main/secrets/encrypted-file-store');
    const cli = await loadModelSettings(api.workspace, new EncryptedFileSecretStore(defaultSecretLocation(api.workspace.path, {})), {});
    expect(cli).toMatchObject({ apiKey: 'sk-secret-value-123', baseURL: 'http://127.0.0.1:9/', models });
    // Saving without a key keeps the stored one; null removes it.
    expect(await api.call('settings.save', { provider: 'anthropic', baseURL: '', models })).toMatchObject({ hasApiKey: true, baseURL: null });
    expect(await api.call('settings.save', { provider: 'anthropic', baseURL: null, models, apiKey: null })).toMatchObject({ hasApiKey: false });
  });

  it('refuses a base URL that is not http(s) and an empty model name', async () => {
    const api = engine();
    await expect(api.call('settings.save', { provider: 'anthropic', baseURL: 'file:///etc/passwd', models })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(api.call('settings.save', { provider: 'anthropic', baseURL: null, models: { ...models, judge: ' ' } })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('tests the connection against the configured base URL with the stored key', async () => {
    fake = await startFakeAnthropic([reply('Hi')]);
    const api = engine();
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-test-key' });
    const result = (await api.call('settings.testConnection')) as { ok: boolean; model: string; message: string };
    expect(result).toMatchObject({ ok: true, model: 'claude-test-agent' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body).toMatchObject({ model: 'claude-test-agent', max_tokens: 1 });
    const auth = String(fake.requests[0]!.headers.authorization ?? fake.requests[0]!.headers['x-api-key']);
    expect(auth).toContain('sk-test-key');
  });

  it('reports a refused key as a failed test, with the reason', async () => {
    fake = await startFakeAnthropic([{ status: 401, error: { type: 'authentication_error', message: 'invalid x-api-key' } }]);
    const api = engine();
    await api.call('settings.save', { provider: 'anthropic', baseURL: fake.url, models, apiKey: 'sk-wrong' });
    const result = (await api.call('settings.testConnection')) as { ok: boolean; message: string };
    expect(result.ok).toBe(false);
    expect(result.message).toContain('invalid x-api-key');
    expect(result.message).toContain('Check the API key in Settings');
  });
});
