// Builds the renderer with Vite into dist/renderer, unless a build of the same sources is there.
// The stamp is a hash of every source's path, size and modification time.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RENDERER_DIST = join(REPO_ROOT, 'dist', 'renderer');
const STAMP = join(RENDERER_DIST, '.build-stamp');
const INPUTS = ['renderer', 'shared', 'vite.renderer.config.ts', 'scripts/build-renderer.ts', 'package-lock.json'];

function collect(path: string, hash: ReturnType<typeof createHash>) {
  const stats = statSync(path);
  if (stats.isDirectory()) {
    for (const name of readdirSync(path).sort()) if (name !== 'node_modules') collect(join(path, name), hash);
  } else {
    hash.update(`${relative(REPO_ROOT, path)}:${stats.size}:${stats.mtimeMs}\n`);
  }
}

export function sourceStamp(): string {
  const hash = createHash('sha256');
  for (const input of INPUTS) collect(join(REPO_ROOT, input), hash);
  return hash.digest('hex');
}

/** Builds when the sources changed since the last build (or when forced). Returns whether it built. */
export async function buildRenderer(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  const stamp = sourceStamp();
  if (!options.force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp && existsSync(join(RENDERER_DIST, 'index.html'))) return false;
  options.log?.('Building the renderer (Vite)…');
  const { build } = await import('vite');
  // Vite keeps an inherited NODE_ENV (vitest sets "test"), which would ship React's development build.
  const inherited = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(REPO_ROOT, 'vite.renderer.config.ts'), mode: 'production' });
  } finally {
    if (inherited === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = inherited;
  }
  writeFileSync(STAMP, stamp);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const built = await buildRenderer({ force: process.argv.includes('--force'), log: console.log });
  console.log(built ? `Built dist/renderer in ${((performance.now() - started) / 1000).toFixed(1)} s.` : 'dist/renderer is up to date.');
}
