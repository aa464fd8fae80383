// The production renderer ships no test hook: the inspection the end-to-end tests read the editor by
// is compiled only into the test build. Checked on the built files, as they ship.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INSPECTION_GLOBAL } from '../../renderer/src/procedures/test-inspection';
import { buildRenderer, RENDERER_DIST, RENDERER_E2E_DIST } from '../../scripts/build-renderer';

/** The built scripts (the app, its workers) and the page. */
function builtFiles(folder: string): string[] {
  const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && /\.(js|html)$/.test(entry.name));
  return files.map((entry) => join(entry.parentPath, entry.name));
}

const mentioning = (files: string[], text: string) => files.filter((path) => readFileSync(path, 'utf8').includes(text));

describe('the renderer builds', () => {
  // Skipped when up to date (the global set-up builds both before the tests).
  beforeAll(async () => {
    await buildRenderer({ build: 'production' });
    await buildRenderer({ build: 'e2e' });
  }, 120_000);

  it('keep the test inspection out of the production build', () => {
    const files = builtFiles(RENDERER_DIST);
    expect(files.length).toBeGreaterThan(2);
    expect(mentioning(files, 'monaco').length).toBeGreaterThan(0);
    expect(mentioning(files, INSPECTION_GLOBAL)).toEqual([]);
  });

  it('compile it into the test build, where the same search finds it', () => {
    expect(mentioning(builtFiles(RENDERER_E2E_DIST), INSPECTION_GLOBAL)).toHaveLength(1);
  });
});
