// "Save bundle" in Electron (main/shell/save-bundle.ts), with the save dialog faked at the Electron
// boundary and the engine's export played by a function: the main process writes the bundle it
// built itself to the dialog's path, whole; a cancelled dialog writes nothing; a failed write names
// the path and the reason and leaves no file, half or temporary; bad input and strangers never
// reach the dialog.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAVE_BUNDLE_CHANNEL, type ApiResult, type BundleExport } from '../../shared/api';
import { registerSaveBundle, saveBundle, type SaveBundleDeps } from '../../main/shell/save-bundle';

const bundle = (text: string): BundleExport => ({
  procedures: [{ name: 'Parcel check', requested: true, source: 'live', version: 1 }],
  connectors: [],
  teams: [],
  undefinedTeams: [],
  articles: 0,
  simulations: 0,
  secretsNeeded: [],
  warnings: [],
  fingerprint: 'SHA256:abc',
  fileName: 'parcel-check-live.stepwise-bundle.json',
  text,
});

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'stepwise-save-bundle-'));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

function fakes(answer: { canceled: boolean; filePath?: string }, text = '{"format":"stepwise-bundle","signed":true}') {
  const asked: string[] = [];
  const exported: unknown[] = [];
  const deps: SaveBundleDeps = {
    exportBundle: async (input) => {
      exported.push(input);
      return { ok: true, value: bundle(text) };
    },
    showSaveDialog: async (name) => {
      asked.push(name);
      return answer;
    },
  };
  return { deps, asked, exported };
}

const input = { procedures: ['Parcel check'], source: 'live' };

describe('saving a bundle through the save dialog', () => {
  it('writes the bundle the main process built to the path the dialog chose', async () => {
    const path = join(folder, 'chosen name.json');
    const { deps, asked, exported } = fakes({ canceled: false, filePath: path });
    const result = await saveBundle(deps, input);
    expect(result).toEqual({ ok: true, value: { saved: true, path, fileName: 'parcel-check-live.stepwise-bundle.json', fingerprint: 'SHA256:abc' } });
    expect(readFileSync(path, 'utf8')).toBe('{"format":"stepwise-bundle","signed":true}');
    // The dialog offered the bundle's own name; the export got the checked choice, defaults filled in.
    expect(asked).toEqual(['parcel-check-live.stepwise-bundle.json']);
    expect(exported).toEqual([{ procedures: ['Parcel check'], source: 'live', includeKnowledge: false }]);
    expect(readdirSync(folder)).toEqual(['chosen name.json']);
  });

  it('replaces an existing file whole', async () => {
    const path = join(folder, 'bundle.json');
    writeFileSync(path, 'an older bundle that is longer than the new one, so a partial overwrite would show');
    const { deps } = fakes({ canceled: false, filePath: path }, '{"new":true}');
    expect(await saveBundle(deps, input)).toMatchObject({ ok: true, value: { saved: true } });
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}');
    expect(readdirSync(folder)).toEqual(['bundle.json']);
  });

  it('writes nothing when the dialog is cancelled', async () => {
    const { deps, asked } = fakes({ canceled: true, filePath: join(folder, 'x.json') });
    expect(await saveBundle(deps, input)).toEqual({ ok: true, value: { saved: false } });
    expect(asked).toHaveLength(1);
    expect(readdirSync(folder)).toEqual([]);
    expect(await saveBundle(fakes({ canceled: false }).deps, input)).toEqual({ ok: true, value: { saved: false } });
  });

  it('reports a failed write with the path and the reason, and leaves no file behind', async () => {
    // A folder that does not exist.
    const missing = join(folder, 'gone', 'bundle.json');
    const gone = await saveBundle(fakes({ canceled: false, filePath: missing }).deps, input);
    expect(gone).toEqual({ ok: false, error: { code: 'unavailable', message: `Could not save the bundle to ${missing}: the folder does not exist (ENOENT). Nothing was written.` } });
    // A folder where the file should go: the temporary file is written, then the rename fails and it is removed.
    const taken = join(folder, 'taken.json');
    mkdirSync(taken);
    const clash = await saveBundle(fakes({ canceled: false, filePath: taken }).deps, input);
    expect(clash.ok).toBe(false);
    expect(!clash.ok && clash.error.message).toContain(`Could not save the bundle to ${taken}: `);
    expect(readdirSync(folder)).toEqual(['taken.json']);
    expect(readdirSync(taken)).toEqual([]);
    // A write that fails midway (a full disk): nothing is kept.
    const full = join(folder, 'full.json');
    const failing = { ...fakes({ canceled: false, filePath: full }).deps, write: () => { throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }); } };
    expect(await saveBundle(failing, input)).toEqual({ ok: false, error: { code: 'unavailable', message: `Could not save the bundle to ${full}: the disk is full (ENOSPC). Nothing was written.` } });
    expect(readdirSync(folder)).toEqual(['taken.json']);
  });

  it('refuses bad input and a relative path, and passes on the engine\'s refusal, all before writing anything', async () => {
    for (const bad of [{}, { procedures: [], source: 'live' }, { procedures: ['A'], source: 'anything' }, { procedures: ['A'], source: 'live', path: '/etc/passwd' }, { procedures: ['A'], source: 'live', text: 'forged' }, null, 'x']) {
      const { deps, asked, exported } = fakes({ canceled: false, filePath: join(folder, 'x.json') });
      const result = await saveBundle(deps, bad);
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect(asked).toEqual([]);
      expect(exported).toEqual([]);
    }
    const relative = await saveBundle(fakes({ canceled: false, filePath: 'bundle.json' }).deps, input);
    expect(relative).toEqual({ ok: false, error: { code: 'invalid-input', message: 'The save dialog gave a path that is not absolute: bundle.json' } });
    const refused: ApiResult<unknown> = { ok: false, error: { code: 'not-found', message: 'There is no Procedure named "Nope".' } };
    const { deps, asked } = fakes({ canceled: false, filePath: join(folder, 'x.json') });
    expect(await saveBundle({ ...deps, exportBundle: async () => refused }, { procedures: ['Nope'], source: 'live' })).toEqual(refused);
    expect(asked).toEqual([]);
    expect(readdirSync(folder)).toEqual([]);
  });
});

describe('the save-bundle channel', () => {
  it('answers only the app\'s own top frames, before any dialog', async () => {
    const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
    const { deps, asked } = fakes({ canceled: true });
    registerSaveBundle({ handle: (channel: string, handler: (event: unknown, input: unknown) => Promise<unknown>) => void handlers.set(channel, handler) } as never, () => deps);
    expect([...handlers.keys()]).toEqual([SAVE_BUNDLE_CHANNEL]);
    const handler = handlers.get(SAVE_BUNDLE_CHANNEL)!;
    for (const senderFrame of [{ url: 'https://evil.example/', parent: null }, { url: 'stepwise://app/index.html', parent: {} }, { url: 'stepwise://app.evil/index.html', parent: null }, null]) {
      expect(await handler({ senderFrame }, input)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(asked).toEqual([]);
    expect(await handler({ senderFrame: { url: 'stepwise://app/index.html#/bundles', parent: null } }, input)).toEqual({ ok: true, value: { saved: false } });
    expect(asked).toHaveLength(1);
  });
});

describe('the renderer\'s view of the shell', () => {
  it('is there only when the preload gave saveBundle, and passes the choice through untouched', async () => {
    const { shellBridge } = await import('../../renderer/src/api/shell-bridge');
    expect(shellBridge({})).toBeNull();
    expect(shellBridge({ stepwise: { invoke: async () => null, on: () => () => {} } })).toBeNull();
    const calls: unknown[] = [];
    const bridge = shellBridge({ stepwise: { invoke: async () => null, on: () => () => {}, saveBundle: async (choice: unknown) => (calls.push(choice), { ok: true, value: { saved: false } }) } });
    expect(await bridge!.saveBundle({ procedures: ['A'], source: 'draft' })).toEqual({ ok: true, value: { saved: false } });
    expect(calls).toEqual([{ procedures: ['A'], source: 'draft' }]);
  });
});
