// The app's SecretStore: values encrypted by the OS keychain through Electron's safeStorage, kept
// as ciphertext in a file under the app's data folder. safeStorage comes in through this narrow
// interface so the engine never imports electron and tests can pass a fake.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { writePrivateFile } from '../secrets/private-file';
import { RecordSecretStore } from '../secrets/record-secret-store';
import { SecretStoreError } from '../secrets/secret-store';

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

export class SafeStorageSecretStore extends RecordSecretStore {
  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly file: string,
  ) {
    super();
  }

  protected seal(_name: string, value: string): string {
    this.assertAvailable();
    return this.safeStorage.encryptString(value).toString('base64');
  }

  protected unseal(name: string, stored: string): string {
    this.assertAvailable();
    try {
      return this.safeStorage.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      throw new SecretStoreError(`The OS keychain could not decrypt the secret "${name}": it was stored by another user or machine. Enter it again.`);
    }
  }

  private assertAvailable() {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new SecretStoreError('The OS keychain is not available, so secrets cannot be stored safely. Unlock the keychain (or install one) and try again.');
    }
  }

  protected readRecord(): Record<string, string> {
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

  protected writeRecord(secrets: Record<string, string>): void {
    writePrivateFile(this.file, `${JSON.stringify({ format: 'stepwise-safe-storage', version: 1, secrets })}\n`);
  }
}
