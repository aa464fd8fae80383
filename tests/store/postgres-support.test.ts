// The throwaway PostgreSQL the store's tests run on (tests/support/postgres.ts): it stops and
// leaves nothing behind, whether the tests end well, fail, or their process dies outright.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresBinDir, startPostgresCluster } from '../support/postgres';
import { repoRoot } from '../support/paths';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('the test PostgreSQL cluster', () => {
  it('serves databases of its own, then stops and removes its folder', async () => {
    const cluster = await startPostgresCluster();
    const url = await cluster.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ dir: string; fsync: string }>("SELECT current_setting('data_directory') AS dir, current_setting('fsync') AS fsync");
    await client.end();
    const dataDir = rows[0]!.dir;
    expect(rows[0]!.fsync).toBe('off');
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(alive(pid)).toBe(true);
    await cluster.stop();
    expect(alive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    await cluster.stop();
  });

  it('takes another port when its first is taken by another cluster, and never mistakes that cluster for its own', async () => {
    const first = await startPostgresCluster();
    try {
      const second = await startPostgresCluster({ firstPort: first.port });
      try {
        expect(second.port).not.toBe(first.port);
        const dirOf = async (url: string) => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            return (await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir")).rows[0]!.dir;
          } finally {
            await client.end();
          }
        };
        expect(await dirOf(second.url())).not.toBe(await dirOf(first.url()));
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
  });

  it('stops when the test process dies without stopping it', async () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { join } from 'node:path';
      import pg from 'pg';
      import { startPostgresCluster } from ${JSON.stringify(join(repoRoot, 'tests/support/postgres.ts'))};
      const cluster = await startPostgresCluster();
      const client = new pg.Client({ connectionString: cluster.url() });
      await client.connect();
      const dir = (await client.query("SELECT current_setting('data_directory') AS dir")).rows[0].dir;
      await client.end();
      const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\\n')[0]);
      process.stdout.write(JSON.stringify({ dir, pid }) + '\\n');
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    const signal = await new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    expect(signal, err).toBe('SIGKILL');
    const { dir, pid } = JSON.parse(out) as { dir: string; pid: number };
    expect(await until(() => !alive(pid), 10_000)).toBe(true);
    expect(await until(() => !existsSync(dir), 5_000)).toBe(true);
  });

  it('names the package to install when there is no PostgreSQL', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-postgres-'));
    try {
      expect(() => postgresBinDir(empty)).toThrow(/No PostgreSQL server found under .*\*\/bin.*apt-get install -y postgresql/);
      expect(postgresBinDir()).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
      expect(execFileSync(join(postgresBinDir(), 'postgres'), ['--version'], { encoding: 'utf8' })).toMatch(/PostgreSQL/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
