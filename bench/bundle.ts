// Loads a module the way the app ships it: bundled by esbuild for the browser, without the name-
// keeping wrappers that tsx adds to every function (they cost the parser about 3x in a profile).
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function importBundled<T>(entry: string): Promise<T> {
  const result = await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: false,
    write: false,
    logLevel: 'warning',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'stepwise-bench-')), 'bundle.mjs');
  writeFileSync(file, result.outputFiles[0]!.text);
  return (await import(pathToFileURL(file).href)) as T;
}
