// Builds the Electron main process (dist/electron/main.mjs) and the preload
// (dist/electron/preload.cjs) with esbuild. The main process keeps its npm packages external (they
// ship in node_modules); the sandboxed preload is one self-contained file that requires only
// `electron`. `import.meta.url` in a source file keeps meaning that file's place in the repository,
// so the engine still finds examples/, package.json and the sandbox's own files.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ELECTRON_DIST = join(ROOT, 'dist', 'electron');
export const ELECTRON_MAIN = join(ELECTRON_DIST, 'main.mjs');
export const ELECTRON_PRELOAD = join(ELECTRON_DIST, 'preload.cjs');

function sourceLocation(outFile: string): Plugin {
  return {
    name: 'source-location',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async (args) => {
        let contents = await readFile(args.path, 'utf8');
        if (contents.includes('import.meta.url')) {
          const fromBundle = relative(dirname(outFile), args.path).split(sep).join('/');
          contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`);
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

export async function buildElectron(outDir: string = ELECTRON_DIST): Promise<{ main: string; preload: string }> {
  const main = join(outDir, 'main.mjs');
  const preload = join(outDir, 'preload.cjs');
  await build({
    entryPoints: [join(ROOT, 'main', 'shell', 'electron-main.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    plugins: [sourceLocation(main)],
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(ROOT, 'preload', 'preload.ts')],
    outfile: preload,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    logLevel: 'warning',
  });
  return { main, preload };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const built = await buildElectron();
  console.log(`Built ${relative(ROOT, built.main)} and ${relative(ROOT, built.preload)} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
