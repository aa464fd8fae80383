// The headless SecretStore: every secret in one file, encrypted with AES-256-GCM under a
// 32-byte key kept in a separate key file of mode 0600. A wrong key or an altered file is
// detected by GCM's tag and reported; it is never read as garbage.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { assertPrivate, writePrivateFile } from './private-file';
import { RecordSecretStore } from './record-secret-store';
import { SecretStoreError } from './secret-store';

const fileSchema = z.strictObject({
  format: z.literal('stepwise-secrets'),
  version: z.literal(1),
  iv: z.base64(),
  tag: z.base64(),
  data: z.base64(),
});
const contentSchema = z.record(z.string(), z.string());
const KEY_BYTES = 32;

export interface EncryptedFileLocation {
  /** The encrypted secrets. */
  file: string;
  /** The key, 32 random bytes in hex; created with mode 0600 if missing. */
  keyFile: string;
}

export class EncryptedFileSecretStore extends RecordSecretStore {
  constructor(private readonly location: EncryptedFileLocation) {
    super();
  }

  // The whole file is encrypted, so values are kept as they are inside it.
  protected seal(_name: string, value: string): string {
    return value;
  }

  protected unseal(_name: string, stored: string): string {
    return stored;
  }

  private key(create: boolean): Buffer | null {
    const { keyFile } = this.location;
    if (!existsSync(keyFile)) {
      if (!create) return null;
      writePrivateFile(keyFile, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
    }
    assertPrivate(keyFile);
    const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
    if (key.length !== KEY_BYTES) throw new SecretStoreError(`The key file ${keyFile} does not hold a 256-bit key (64 hex digits).`);
    return key;
  }

  protected readRecord(): Record<string, string> {
    const { file, keyFile } = this.location;
    if (!existsSync(file)) return {};
    const key = this.key(false);
    if (!key) throw new SecretStoreError(`The secrets file ${file} exists but its key file ${keyFile} is missing, so the secrets cannot be read.`);
    let envelope: z.infer<typeof fileSchema>;
    try {
      envelope = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    } catch {
      throw new SecretStoreError(`${file} is not a Stepwise secrets file.`);
    }
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
      plain = Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretStoreError(`Cannot decrypt ${file} with the key in ${keyFile}: the key is not the one it was written with, or the file was altered.`);
    }
    return contentSchema.parse(JSON.parse(plain));
  }

  protected writeRecord(secrets: Record<string, string>): void {
    const key = this.key(true)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
    const envelope = { format: 'stepwise-secrets', version: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    writePrivateFile(this.location.file, `${JSON.stringify(envelope)}\n`);
  }
}

/** Where the CLI keeps a workspace's secrets: beside it, unless STEPWISE_SECRETS_FILE / _KEY say otherwise. */
export function defaultSecretLocation(workspacePath: string, env: NodeJS.ProcessEnv = process.env): EncryptedFileLocation {
  return {
    file: env.STEPWISE_SECRETS_FILE ?? `${workspacePath}.secrets`,
    keyFile: env.STEPWISE_SECRETS_KEY ?? `${workspacePath}.secrets.key`,
  };
}
