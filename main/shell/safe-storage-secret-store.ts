// The app's SecretStore: values encrypted by the OS keychain through Electron's safeStorage, kept
// as ciphertext in a file under the app's data folder. safeStorage comes in through this narrow
// interface so the engine never imports electron and tests can pass a fake.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writePrivateFile } from '../secrets/private-file';
import { checkSecretName, SecretStoreError, type SecretStore } from '../secrets/secret-store';

/** The part of Electron's `safeStorage` this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const fileSchema = z.strictObject({
  format: z.literal('stepwise-safe-storage'),
  version: z.literal(1),
  secrets: z.record(z.string(), z.base64()),
});

export class SafeStorageSecretStore implements SecretStore {
  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly file: string,
  ) {}

  async get(name: string): Promise<string | null> {
    const encrypted = this.read()[checkSecretName(name)];
    if (encrypted === undefined) return null;
    this.assertAvailable();
    try {
      return this.safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
    } catch {
      throw new SecretStoreError(`The OS keychain could not decrypt the secret "${name}": it was stored by another user or machine. Enter it again.`);
    }
  }

  async set(name: string, value: string): Promise<void> {
    this.assertAvailable();
    const secrets = this.read();
    secrets[checkSecretName(name)] = this.safeStorage.encryptString(value).toString('base64');
    this.write(secrets);
  }

  async delete(name: string): Promise<boolean> {
    const secrets = this.read();
    if (!(name in secrets)) return false;
    delete secrets[name];
    this.write(secrets);
    return true;
  }

  async names(): Promise<string[]> {
    return Object.keys(this.read()).sort();
  }

  private assertAvailable() {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new SecretStoreError('The OS keychain is not available, so secrets cannot be stored safely. Unlock the keychain (or install one) and try again.');
    }
  }

  private read(): Record<string, string> {
    if (!existsSync(this.file)) return {};
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      throw new SecretStoreError(`${this.file} is not a Stepwise secrets file (it is not JSON).`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) throw new SecretStoreError(`${this.file} is not a Stepwise secrets file.`);
    return parsed.data.secrets;
  }

  private write(secrets: Record<string, string>) {
    writePrivateFile(this.file, `${JSON.stringify({ format: 'stepwise-safe-storage', version: 1, secrets })}\n`);
  }
}
