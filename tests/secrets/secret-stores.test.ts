import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore } from '../../main/secrets/encrypted-file-store';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../main/shell/safe-storage-secret-store';
import { useTempDir } from '../store/helpers';

const SECRET = 'sk_live_DO-NOT-LEAK-51f0c2';

describe('EncryptedFileSecretStore (headless)', () => {
  const tempDir = useTempDir();

  it('stores values encrypted, with a key file of mode 0600', async () => {
    const dir = tempDir();
    const store = new EncryptedFileSecretStore({ file: join(dir, 's.secrets'), keyFile: join(dir, 's.key') });
    await store.set('stripe_secret_key', SECRET);
    expect(await store.get('stripe_secret_key')).toBe(SECRET);
    expect(await store.names()).toEqual(['stripe_secret_key']);
    expect(statSync(join(dir, 's.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 's.secrets'), 'utf8')).not.toContain(SECRET);
    expect(await store.delete('stripe_secret_key')).toBe(true);
    expect(await store.get('stripe_secret_key')).toBeNull();
  });

  it('refuses a key file others can read, and a wrong key, with clear errors', async () => {
    const dir = tempDir();
    const location = { file: join(dir, 's.secrets'), keyFile: join(dir, 's.key') };
    await new EncryptedFileSecretStore(location).set('token', SECRET);
    chmodSync(location.keyFile, 0o644);
    await expect(new EncryptedFileSecretStore(location).get('token')).rejects.toThrow(/can be read by other users .*chmod 600/);
    chmodSync(location.keyFile, 0o600);
    writeFileSync(location.keyFile, `${'ab'.repeat(32)}\n`);
    await expect(new EncryptedFileSecretStore(location).get('token')).rejects.toThrow(/Cannot decrypt .* not the one it was written with/);
  });

  it('prints the chmod fix with the key file path quoted, so a path with a space pastes as one word', async () => {
    const dir = join(tempDir(), "my shop's keys");
    mkdirSync(dir);
    const location = { file: join(dir, 's.secrets'), keyFile: join(dir, 's.key') };
    await new EncryptedFileSecretStore(location).set('token', SECRET);
    chmodSync(location.keyFile, 0o644);
    const error: Error = await new EncryptedFileSecretStore(location).get('token').then(() => { throw new Error('expected a refusal'); }, (refusal: Error) => refusal);
    const fix = /run (.*) and try again\.$/.exec(error.message)?.[1];
    expect(fix).toBe(`chmod 600 '${dir.replace(/'/g, `'\\''`)}/s.key'`);
    // The shell, given the printed fix, makes the key private again.
    execFileSync('sh', ['-c', fix!]);
    expect(statSync(location.keyFile).mode & 0o777).toBe(0o600);
    expect(await new EncryptedFileSecretStore(location).get('token')).toBe(SECRET);
  });

  it('detects a secrets file that was altered', async () => {
    const dir = tempDir();
    const location = { file: join(dir, 's.secrets'), keyFile: join(dir, 's.key') };
    await new EncryptedFileSecretStore(location).set('token', SECRET);
    const envelope = JSON.parse(readFileSync(location.file, 'utf8'));
    const data = Buffer.from(envelope.data, 'base64');
    data[0] = data[0]! ^ 1;
    writeFileSync(location.file, JSON.stringify({ ...envelope, data: data.toString('base64') }));
    await expect(new EncryptedFileSecretStore(location).get('token')).rejects.toThrow(/altered/);
  });

  it('refuses names that look like values', async () => {
    const dir = tempDir();
    const store = new EncryptedFileSecretStore({ file: join(dir, 's.secrets'), keyFile: join(dir, 's.key') });
    await expect(store.set('Bearer abc def', 'x')).rejects.toThrow(/not a valid secret name/);
  });
});

/** A stand-in for Electron's safeStorage: reversible, and visibly not plain text. */
function fakeSafeStorage(available = true): SafeStorageLike & { calls: number } {
  const fake = {
    calls: 0,
    isEncryptionAvailable: () => available,
    encryptString: (plain: string) => {
      fake.calls++;
      return Buffer.from(`enc:${Buffer.from(plain).reverse().toString('base64')}`);
    },
    decryptString: (encrypted: Buffer) => {
      const text = encrypted.toString();
      if (!text.startsWith('enc:')) throw new Error('bad');
      return Buffer.from(text.slice(4), 'base64').reverse().toString();
    },
  };
  return fake;
}

describe('SafeStorageSecretStore (app)', () => {
  const tempDir = useTempDir();

  it('encrypts through safeStorage and keeps only ciphertext on disk', async () => {
    const file = join(tempDir(), 'secrets.json');
    const safeStorage = fakeSafeStorage();
    const store = new SafeStorageSecretStore(safeStorage, file);
    await store.set('shopify_admin_token', SECRET);
    expect(safeStorage.calls).toBe(1);
    expect(await store.get('shopify_admin_token')).toBe(SECRET);
    expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses to store a secret when the keychain is unavailable', async () => {
    const store = new SafeStorageSecretStore(fakeSafeStorage(false), join(tempDir(), 'secrets.json'));
    await expect(store.set('token', SECRET)).rejects.toThrow(/keychain is not available/);
  });
});

describe('both SecretStores', () => {
  const tempDir = useTempDir();
  const stores = () => {
    const dir = tempDir();
    return [new EncryptedFileSecretStore({ file: join(dir, 's.secrets'), keyFile: join(dir, 's.key') }), new SafeStorageSecretStore(fakeSafeStorage(), join(dir, 'safe.json'))];
  };

  it('treat names of Object.prototype members as absent secrets, not inherited values', async () => {
    for (const store of stores()) {
      await store.set('token', SECRET);
      for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        expect(await store.get(name), `${store.constructor.name} get ${name}`).toBeNull();
        expect(await store.delete(name), `${store.constructor.name} delete ${name}`).toBe(false);
      }
      expect(await store.names()).toEqual(['token']);
      await store.set('constructor', 'a real one');
      expect(await store.get('constructor')).toBe('a real one');
      expect(await store.delete('constructor')).toBe(true);
      expect(await store.get('token')).toBe(SECRET);
    }
  });
});
