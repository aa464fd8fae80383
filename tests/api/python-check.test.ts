// The editor's Python diagnostics come from the real sandbox: syntax and policy issues per snippet,
// with lines relative to the snippet (the validator maps them into the document).
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEngine, type Engine } from '../../main/app/engine';
import { createExampleWorkspace } from '../../main/app/open-workspace';
import { createPythonSandbox } from '../../main/sandbox';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { useTempDir } from '../store/helpers';

describe('language.checkPython', () => {
  const tempDir = useTempDir();
  let engine: Engine | null = null;
  afterAll(async () => {
    await engine?.close();
  });

  it('reports syntax and policy issues from the sandbox, started on first use', async () => {
    const home = tempDir();
    const workspace = createExampleWorkspace(join(home, 'shop.stepwise'));
    let started = 0;
    engine = startEngine({
      workspace,
      mode: 'browser',
      settings: { secrets: new EncryptedFileSecretStore({ file: join(home, 's'), keyFile: join(home, 'k') }), secretStoreLabel: 'test' },
      startSandbox: async () => {
        started += 1;
        return createPythonSandbox({ poolSize: 1 });
      },
    });
    expect(started).toBe(0);
    const result = await engine.dispatch('language.checkPython', {
      snippets: [
        { mode: 'code', code: 'total = 1\nif total >\n  pass' },
        { mode: 'condition', code: 'attributes["days"] <= 30' },
        { mode: 'code', code: 'import os\nos.system("ls")' },
      ],
    });
    expect(started).toBe(1);
    expect(result.ok).toBe(true);
    const [syntax, fine, policy] = (result as { ok: true; value: { line: number; message: string }[][] }).value;
    expect(syntax!.length).toBeGreaterThan(0);
    expect(syntax![0]!.line).toBe(2);
    expect(fine).toEqual([]);
    expect(policy!.length).toBeGreaterThan(0);
  }, 60_000);
});
