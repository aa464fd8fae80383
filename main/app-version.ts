// The app's version, from package.json, for bundle manifests.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

let cached: string | null = null;

export function appVersion(): string {
  if (cached === null) {
    const raw: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    cached = z.looseObject({ version: z.string() }).parse(raw).version;
  }
  return cached;
}
