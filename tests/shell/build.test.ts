// The Electron main and preload build: the preload is one file that requires only `electron`
// (a sandboxed preload can require nothing else); the main process is ESM with its packages external.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildElectron } from '../../scripts/build-electron';

describe('the Electron build', () => {
  it('bundles the preload alone and the main process as ESM', async () => {
    // A folder of its own, beside dist/electron (so the relative source paths are the same).
    mkdirSync('dist', { recursive: true });
    const out = mkdtempSync(join('dist', 'electron-test-'));
    const { main, preload } = await buildElectron(out);
    const preloadCode = readFileSync(preload, 'utf8');
    expect([...new Set(preloadCode.match(/require\("[^"]+"\)/g))]).toEqual(['require("electron")']);
    expect(preloadCode).toContain('stepwise:call:');
    const mainCode = readFileSync(main, 'utf8');
    expect(mainCode).toMatch(/^import .* from "electron";$/m);
    expect(mainCode).toMatch(/from "better-sqlite3"/);
    // import.meta.url keeps pointing at each source file's place in the repository.
    expect(mainCode).toContain('new URL("../../main/services/example-workspace.ts", import.meta.url)');
    expect(JSON.parse(readFileSync('package.json', 'utf8')).main).toBe('dist/electron/main.mjs');
    rmSync(out, { recursive: true, force: true });
  });
});
