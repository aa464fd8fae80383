// Runs every bench/*.bench.ts (or those whose name contains an argument) and prints their figures.
// Exits 1 when a benchmark misses its budget.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let failed = false;
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<boolean | void> };
  const started = performance.now();
  const result = await module.run();
  if (result === false) failed = true;
  console.log(`(${file} took ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}
if (files.length === 0) console.log(`No benchmark matches ${filters.join(', ')}.`);
process.exitCode = failed ? 1 : 0;
