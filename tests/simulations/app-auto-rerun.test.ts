// The app's engine re-runs a Procedure's simulations when its draft is saved through the API, with
// the model settings the workspace holds, when the workspace's setting is on.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../main/app/engine';
import { saveModelSettings } from '../../main/model/workspace-settings';
import { EncryptedFileSecretStore, defaultSecretLocation } from '../../main/secrets/encrypted-file-store';
import { AUTO_RERUN_KEY, autoRerunSettingsSchema } from '../../main/simulations/auto-rerun';
import { Workspace } from '../../main/store/workspace';
import { GREETING, greetingScript } from './greeting';
import { testSettings, useModelServers, type ModelServer } from './helpers';

let engine: Engine | undefined;
const startModelServer = useModelServers();
let server: ModelServer | undefined;
afterEach(async () => {
  await engine?.close();
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the app re-running simulations on save', () => {
  it('runs the saved simulations of a Procedure after its draft is saved through the API', async () => {
    server = await startModelServer(greetingScript());
    const workspace = Workspace.create(join(mkdtempSync(join(tmpdir(), 'stepwise-app-rerun-')), 'app.stepwise'));
    const secrets = new EncryptedFileSecretStore(defaultSecretLocation(workspace.path, {}));
    await saveModelSettings(workspace, secrets, testSettings(server.fake.url));
    workspace.procedures.create(GREETING);
    const simulation = workspace.simulations.save('Greeting', 'steady', { customer: { persona: 'steady', opening: 'Hello' }, criteria: [{ name: 'greets', assertion: 'Says hello.' }] });
    engine = startEngine({ workspace, mode: 'browser', settings: { secrets, secretStoreLabel: 'test file' }, startSandbox: null, log: () => {} });

    const save = async (text: string) => {
      const result = await engine!.dispatch('procedures.saveDraft', { name: 'Greeting', text, expectedHash: workspace.procedures.require('Greeting').draftHash });
      expect(result.ok).toBe(true);
    };
    // Off by default: a save runs nothing.
    await save(GREETING.replace('Say hello', 'Say hi'));
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(workspace.simulations.runs(simulation.id)).toEqual([]);

    workspace.settings.set(AUTO_RERUN_KEY, autoRerunSettingsSchema, { enabled: true });
    await save(GREETING.replace('Say hello', 'Say hello warmly'));
    await until(() => workspace.simulations.runs(simulation.id).length === 1);
    const [run] = workspace.simulations.runs(simulation.id);
    expect(run!.status).toBe('passed');
    expect(run!.procedureHash).toBe(workspace.procedures.require('Greeting').draftHash);
    expect(server.requests('agent').length).toBeGreaterThan(0);
  });
});
