import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The team's shared folder, beside the repository. */
export const sharedRoot = resolve(repoRoot, '../shared');
export const examplesDir = join(repoRoot, 'examples');

export function exampleFiles(): string[] {
  return readdirSync(examplesDir)
    .filter((name) => name.endsWith('.md'))
    .sort();
}

export function readExample(name: string): string {
  return readFileSync(join(examplesDir, name), 'utf8');
}
