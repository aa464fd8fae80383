// The production server is headless: nothing in main/production/ may reach the app, the UI, the
// Electron shell or the studio's API adapters, directly or through the folders it may import.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

const HEADLESS_FORBIDDEN = ['app', 'shell', 'server', 'api', 'services'];

describe('main/production layering', () => {
  it('reaches none of the app, shell, browser server, API or services, even transitively', async () => {
    // The lists as ESLint applies them to a production file.
    const config = (await new ESLint({ cwd: repoRoot }).calculateConfigForFile(join(repoRoot, 'main/production/server.ts'))) as { rules: Record<string, [unknown, { folders: Record<string, string[]> }]> };
    const folders = config.rules['stepwise/folder-layering']![1].folders;
    const reachable = new Set<string>();
    const queue = [...folders.production!];
    while (queue.length > 0) {
      const folder = queue.shift()!;
      if (reachable.has(folder)) continue;
      reachable.add(folder);
      queue.push(...(folders[folder] ?? []));
    }
    expect([...reachable].filter((folder) => HEADLESS_FORBIDDEN.includes(folder))).toEqual([]);
  });

  it('refuses an import of the app or of electron in a production file', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const filePath = join(repoRoot, 'main/production/example.ts');
    const [app] = await eslint.lintText("import { startApp } from '../app/serve';\nexport const x = startApp;\n", { filePath });
    expect(app!.messages.map((message) => message.message).join('\n')).toMatch(/main\/production must not import main\/app/);
    const [electron] = await eslint.lintText("import { app } from 'electron';\nexport const x = app;\n", { filePath });
    expect(electron!.messages.map((message) => message.message).join('\n')).toMatch(/plain Node/);
  });
});
