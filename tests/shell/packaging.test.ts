// electron-builder.yml ships what the packaged app reads at run time, for every platform.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('electron-builder.yml', () => {
  it('packages for macOS, Windows and Linux, and rebuilds native modules for Electron', () => {
    expect(config.mac).toMatchObject({ target: ['dmg', 'zip'] });
    expect(config.win).toMatchObject({ target: ['nsis'] });
    expect(config.linux).toMatchObject({ target: ['AppImage', 'deb'] });
    expect(config.npmRebuild).toBe(true);
    expect(pkg.devDependencies.electron).toBeDefined(); // electron-builder reads Electron's version from here
    expect(pkg.dependencies['better-sqlite3']).toBeDefined();
  });

  it('includes the built app, the files the engine reads, and unpacks native and WebAssembly files', () => {
    const files = config.files as string[];
    for (const needed of ['package.json', 'dist/renderer/**/*', 'dist/electron/**/*', 'examples/**/*', 'main/sandbox/child/**/*', 'main/sandbox/python/**/*']) expect(files).toContain(needed);
    expect(pkg.main.startsWith('dist/electron/')).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**/*', 'node_modules/pyodide/**/*', 'main/sandbox/**/*']));
    for (const folder of ['examples', 'main/sandbox/child', 'main/sandbox/python']) expect(existsSync(join(repoRoot, folder))).toBe(true);
    expect(pkg.dependencies.pyodide).toBeDefined();
  });
});
