import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelSettings, MODEL_API_KEY_SECRET, saveModelSettings } from '../../main/model/workspace-settings';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { Workspace } from '../../main/store/workspace';
import { sqlOf } from '../store/sql';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-settings-'));
  const workspace = Workspace.create(join(dir, 'w.stepwise'));
  const secrets = new EncryptedFileSecretStore({ file: join(dir, 'w.secrets'), keyFile: join(dir, 'w.secrets.key') });
  return { workspace, secrets };
}

describe('model settings in a workspace', () => {
  it('keep the key in the secret store, never in the workspace file', async () => {
    const { workspace, secrets } = setup();
    await saveModelSettings(workspace, secrets, { apiKey: 'sk-very-secret-value', baseURL: 'http://127.0.0.1:8080', models: { agent: 'a', customer: 'c', judge: 'j', author: 'w' } });
    expect(await secrets.get(MODEL_API_KEY_SECRET)).toBe('sk-very-secret-value');
    const loaded = await loadModelSettings(workspace, secrets);
    expect(loaded).toMatchObject({ apiKey: 'sk-very-secret-value', baseURL: 'http://127.0.0.1:8080', models: { agent: 'a', judge: 'j' } });
    sqlOf(workspace).pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(workspace.path).includes('sk-very-secret-value')).toBe(false);
    workspace.close();
  });

  it('let the environment override the key and the endpoint', async () => {
    const { workspace, secrets } = setup();
    const loaded = await loadModelSettings(workspace, secrets, { ANTHROPIC_API_KEY: 'from-env', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
    expect(loaded.apiKey).toBe('from-env');
    expect(loaded.baseURL).toBe('http://127.0.0.1:9');
    expect(loaded.models.agent).toBe('claude-sonnet-5-5');
    workspace.close();
  });

  it('refuse invalid settings with the field named', async () => {
    const { workspace, secrets } = setup();
    await expect(saveModelSettings(workspace, secrets, { maxTokens: 0 })).rejects.toThrow(/maxTokens/);
    workspace.close();
  });
});
