// `stepwise serve-keys` and the usage errors of `stepwise serve`, run in-process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run';
import { hashToken } from '../../main/production/api-keys';
import { Workspace } from '../../main/store/workspace';
import { captureIo } from '../support/capture-io';
import { GREETING_PROCEDURE, newSigner, useTempDir, writeBundle } from './helpers';

const tempDir = useTempDir();

describe('stepwise serve-keys', () => {
  it('creates a key (the token printed once, only its hash stored), lists it by fingerprint and revokes it', async () => {
    const dir = tempDir();
    const io = captureIo(dir);
    expect(await runCli(['serve-keys', 'create', '--database', 'server.sqlite', '--scope', 'admin', '--name', 'ops'], io)).toBe(0);
    const token = io.stdout().trim();
    expect(token).toMatch(/^swk_[A-Za-z0-9_-]{43}$/);
    expect(io.stderr()).toMatch(/Created admin key "ops" \(key:[0-9a-f]{16}\)/);
    const database = join(dir, 'server.sqlite');
    expect(readFileSync(database).includes(token)).toBe(false);
    const workspace = Workspace.open(database, { readonly: true });
    expect(await workspace.production.apiKeyByHash(hashToken(token))).toMatchObject({ name: 'ops', scope: 'admin' });
    workspace.close();

    const list = captureIo(dir);
    expect(await runCli(['serve-keys', 'list', '--database', 'server.sqlite'], list)).toBe(0);
    const fingerprint = /key:[0-9a-f]{16}/.exec(list.stdout())![0];
    expect(list.stdout()).toContain('admin');
    expect(list.stdout()).not.toContain(token);
    expect(await runCli(['serve-keys', 'revoke', fingerprint, '--database', 'server.sqlite'], captureIo(dir))).toBe(0);
    const again = captureIo(dir);
    expect(await runCli(['serve-keys', 'revoke', fingerprint, '--database', 'server.sqlite'], again)).toBe(1);
    expect(again.stderr()).toContain('No live key');
    const reopened = Workspace.open(database, { readonly: true });
    expect(await reopened.production.apiKeyByHash(hashToken(token))).toBeNull();
    reopened.close();
  });

  it('refuses a scope it does not know and a missing database', async () => {
    const dir = tempDir();
    const io = captureIo(dir);
    expect(await runCli(['serve-keys', 'create', '--database', 'server.sqlite', '--scope', 'root'], io)).toBe(2);
    expect(io.stderr()).toContain('--scope is conversations or admin');
    const none = captureIo(dir);
    expect(await runCli(['serve-keys', 'list', '--database', 'missing.sqlite'], none)).toBe(2);
    expect(none.stderr()).toContain('There is no server database');
  });
});

describe('stepwise serve', () => {
  it('says what is wrong before starting: no bundle, a bad port, a bad config file, an untrusted bundle', async () => {
    const dir = tempDir();
    const signer = await newSigner(dir);
    const stranger = await newSigner(dir, 'stranger');
    const bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [GREETING_PROCEDURE()]);
    try {
      const noBundle = captureIo(dir);
      expect(await runCli(['serve'], noBundle)).toBe(2);
      expect(noBundle.stderr()).toContain('Name at least one bundle');
      const badPort = captureIo(dir);
      expect(await runCli(['serve', 'shop.bundle', '--port', '99999'], badPort)).toBe(2);
      expect(badPort.stderr()).toContain('--port takes a port number');
      writeFileSync(join(dir, 'server.json'), JSON.stringify({ rateLimit: { burst: 'lots' } }));
      const badConfig = captureIo(dir);
      expect(await runCli(['serve', 'shop.bundle', '--config', 'server.json'], badConfig)).toBe(2);
      expect(badConfig.stderr()).toMatch(/rateLimit\.burst/);
      const untrusted = captureIo(dir);
      untrusted.env = { ANTHROPIC_API_KEY: 'sk-test' };
      expect(await runCli(['serve', bundle, '--trust', stranger.publicKeyFile, '--database', 'server.sqlite', '--port', '0'], untrusted)).toBe(1);
      expect(untrusted.stderr()).toMatch(/The server did not start: Bundle shop\.bundle refused \(signed by a key this server does not trust\)/);
    } finally {
      signer.close();
      stranger.close();
    }
  });
});
