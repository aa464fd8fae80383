// Builds the renderer with Vite into dist/renderer, unless a build of the same sources is there.
// The stamp is a hash of every source's path, size and modification time.
// The test build (`--e2e`, into dist/renderer-e2e) is the same app built in mode "e2e", which keeps
// the read-only inspection the end-to-end tests use (renderer/src/procedures/test-inspection.ts);
// the production build drops it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RENDERER_DIST = join(REPO_ROOT, 'dist', 'renderer');
export const RENDERER_E2E_DIST = join(REPO_ROOT, 'dist', 'renderer-e2e');

export type RendererBuild = 'production' | 'e2e';
const OUT_DIR: Record<RendererBuild, string> = { production: RENDERER_DIST, e2e: RENDERER_E2E_DIST };
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
export async function buildRenderer(options: { force?: boolean; log?: (line: string) => void; build?: RendererBuild } = {}): Promise<boolean> {
  const mode = options.build ?? 'production';
  const outDir = OUT_DIR[mode];
  const stampFile = join(outDir, '.build-stamp');
  const stamp = sourceStamp();
  if (!options.force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(join(outDir, 'index.html'))) return false;
  options.log?.(mode === 'production' ? 'Building the renderer (Vite)…' : `Building the renderer's ${mode} build (Vite)…`);
  await viteBuild(mode, outDir);
  writeFileSync(stampFile, stamp);
  return true;
}

/**
 * One Vite build of the renderer into `outDir`; `onWarning` hears each warning Vite prints (a
 * fresh build prints none: the theme script, a classic script that must run before the first
 * paint, is a static file of renderer/public that Vite copies and never tries to bundle).
 */
export async function viteBuild(mode: RendererBuild, outDir: string, onWarning?: (message: string) => void): Promise<void> {
  const { build, createLogger } = await import('vite');
  const logger = createLogger('warn');
  if (onWarning) {
    const { warn, warnOnce } = logger;
    logger.warn = (message, options) => (onWarning(message), warn(message, options));
    logger.warnOnce = (message, options) => (onWarning(message), warnOnce(message, options));
  }
  // Vite keeps an inherited NODE_ENV (vitest sets "test"), which would ship React's development build.
  const inherited = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(REPO_ROOT, 'vite.renderer.config.ts'), mode, build: { outDir }, customLogger: logger });
  } finally {
    if (inherited === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = inherited;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const mode: RendererBuild = process.argv.includes('--e2e') ? 'e2e' : 'production';
  const built = await buildRenderer({ force: process.argv.includes('--force'), log: console.log, build: mode });
  const folder = relative(REPO_ROOT, OUT_DIR[mode]);
  console.log(built ? `Built ${folder} in ${((performance.now() - started) / 1000).toFixed(1)} s.` : `${folder} is up to date.`);
}
