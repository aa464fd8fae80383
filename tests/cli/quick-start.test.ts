// The README's quick start must not leave a workspace, its secrets or its key in the repository, and
// git must ignore such files wherever they are made inside it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths';

/** The paths among `paths` that git ignores in this repository. */
function ignored(paths: string[]): string[] {
  try {
    return execFileSync('git', ['check-ignore', '--no-index', ...paths], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch (error) {
    // Exit status 1: none of them is ignored.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe('workspaces, secrets and keys in the repository', () => {
  it('are ignored by git, wherever they are made', () => {
    const privateFiles = [
      'shop.stepwise',
      'shop.stepwise-wal',
      'shop.stepwise-shm',
      'shop.stepwise-journal',
      'shop.stepwise.secrets',
      'shop.stepwise.secrets.key',
      '.shop.stepwise.secrets.1a2b3c4d5e6f.tmp',
      'examples/team.stepwise',
      'refunds.bundle',
      'docs/refunds.bundle',
    ];
    expect(ignored(privateFiles).sort()).toEqual([...privateFiles].sort());
    // Ordinary sources stay visible.
    const sources = ['README.md', 'examples/refund-request.md', 'main/secrets/encrypted-file-store.ts', 'tests/cli/quick-start.test.ts'];
    expect(ignored(sources)).toEqual([]);
  });

  it('are written outside the repository by the README\'s quick start', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const commands = block!.split('\n').filter((line) => line.startsWith('npm run stepwise'));
    const workspaceArgs = commands.flatMap((line) => [...line.matchAll(/(?:workspace init|--workspace) (\S+)/g)].map((match) => match[1]!));
    expect(workspaceArgs.length).toBeGreaterThanOrEqual(2);
    // Each names the folder made by mktemp, never a path that npm run would put in the repository root.
    for (const arg of workspaceArgs) expect(arg, arg).toBe('"$WS"');
    expect(block).toMatch(/^WS="\$\(mktemp -d\)\/shop\.stepwise"$/m);
  });
});
