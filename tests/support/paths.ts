import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Data copied from the team's design notes, so tests use only what the repository holds. */
export const fixturesDir = join(repoRoot, 'tests/fixtures');
export const designDir = join(fixturesDir, 'design');
export const examplesDir = join(repoRoot, 'examples');

export function exampleFiles(): string[] {
  return readdirSync(examplesDir)
    .filter((name) => name.endsWith('.md'))
    .sort();
}

export function readExample(name: string): string {
  return readFileSync(join(examplesDir, name), 'utf8');
}
