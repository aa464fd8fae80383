// The server's SQLite database holds transcripts and API key hashes: created on first start with
// its folder 0700 and its files 0600; a folder or file the operator made readable by others is
// left as it is, and the startup log says so with the fix.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { openServerStore } from '../../main/production/server-store';
import { captureIo } from '../support/capture-io';
import { useFakeAnthropic } from '../support/fixtures';
import { GREETING_PROCEDURE, newSigner, startServer, useTempDir, writeBundle } from './helpers';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const startFake = useFakeAnthropic();
const tempDir = useTempDir();

describe.runIf(process.platform !== 'win32')("the modes of the server's data files", () => {
  it('creates a missing data folder 0700 and the database, its -wal and -shm, 0600', async () => {
    const folder = join(tempDir(), 'var', 'lib', 'stepwise');
    const database = join(folder, 'server.sqlite');
    const store = await openServerStore(database);
    try {
      await store.production.createApiKey({ fingerprint: 'f1', name: 'widget', scope: 'conversations', tokenHash: 'h'.repeat(64) });
      expect(modeOf(folder)).toBe(0o700);
      expect(modeOf(database)).toBe(0o600);
      expect(modeOf(`${database}-wal`)).toBe(0o600);
      expect(modeOf(`${database}-shm`)).toBe(0o600);
    } finally {
      await store.close();
    }
  });

  it('serve-keys create makes a missing data folder 0700 and the database 0600', async () => {
    const folder = join(tempDir(), 'srv', 'stepwise');
    const io = captureIo(folder);
    expect(await runCli(['serve-keys', 'create', '--database', join(folder, 'server.sqlite')], io)).toBe(0);
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(join(folder, 'server.sqlite'))).toBe(0o600);
  });

  it('warns at startup about a data folder and database others can read, without changing them', async () => {
    const dir = tempDir();
    const signer = await newSigner(dir);
    try {
      const bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [GREETING_PROCEDURE()]);
      const folder = join(dir, 'data');
      mkdirSync(folder);
      chmodSync(folder, 0o755);
      const database = join(folder, 'server.sqlite');
      const fake = await startFake([]);
      const env = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: fake.url };

      const running = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database }, env);
      chmodSync(database, 0o644); // as an older Stepwise left it
      await running.close();
      const warnings = running.logs.map((line) => JSON.parse(line) as { level: number; msg: string; path?: string }).filter((entry) => entry.level === 40);
      expect(warnings.map((entry) => entry.msg)).toEqual([
        `The database folder ${folder} can be read by group and others (it holds transcripts and API key hashes); run chmod 700 ${folder} to keep it private.`,
      ]);
      expect(modeOf(folder)).toBe(0o755);

      const again = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database }, env);
      await again.close();
      const messages = again.logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level === 40).map((entry) => entry.msg);
      expect(messages).toContain(`The database file ${database} can be read by group and others (it holds transcripts and API key hashes); run chmod 600 ${database} to keep it private.`);
      expect(modeOf(database)).toBe(0o644);

      chmodSync(folder, 0o700);
      chmodSync(database, 0o600);
      const quiet = await startServer({ bundles: [bundle], trust: [signer.publicKeyFile], database }, env);
      await quiet.close();
      expect(quiet.logs.map((line) => JSON.parse(line) as { level: number }).filter((entry) => entry.level === 40)).toEqual([]);
    } finally {
      signer.close();
    }
  });
});
