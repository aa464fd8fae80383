// Where secret values live. The database, bundles and logs only ever hold secret *names*.
// Two backends: the OS keychain through Electron's safeStorage (main/shell/), and an
// AES-256-GCM encrypted file for headless use (./encrypted-file-store.ts).
import { z } from 'zod';

export interface SecretStore {
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
  names(): Promise<string[]>;
}

export const secretNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/, 'secret names use letters, digits, "_", "." and "-", starting with a letter');

/** Thrown when secrets cannot be read or written. Never carries a secret value. */
export class SecretStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretStoreError';
  }
}

export function checkSecretName(name: string): string {
  const parsed = secretNameSchema.safeParse(name);
  if (!parsed.success) throw new SecretStoreError(`"${name}" is not a valid secret name: ${parsed.error.issues[0]?.message}.`);
  return parsed.data;
}
