// Public halves of bundle-signing keys: the workspace's own, and the ones it trusts.
import type Database from 'better-sqlite3';
import { now } from './hash';

export interface SigningKeyRecord {
  publicKey: string;
  fingerprint: string;
  /** Name of the private key in the SecretStore. */
  secretName: string;
  createdAt: string;
}

export interface TrustedKey {
  fingerprint: string;
  publicKey: string;
  label: string;
  addedAt: string;
}

export class SqliteKeyRepository {
  constructor(private readonly db: Database.Database) {}

  signingKey(): SigningKeyRecord | null {
    const row = this.db.prepare('SELECT public_key, fingerprint, secret_name, created_at FROM signing_key WHERE id = 1').get() as
      | { public_key: string; fingerprint: string; secret_name: string; created_at: string }
      | undefined;
    return row ? { publicKey: row.public_key, fingerprint: row.fingerprint, secretName: row.secret_name, createdAt: row.created_at } : null;
  }

  setSigningKey(key: Omit<SigningKeyRecord, 'createdAt'>): void {
    this.db
      .prepare('INSERT INTO signing_key (id, public_key, fingerprint, secret_name, created_at) VALUES (1, ?, ?, ?, ?)')
      .run(key.publicKey, key.fingerprint, key.secretName, now());
  }

  trust(key: { publicKey: string; fingerprint: string; label?: string }): void {
    this.db
      .prepare('INSERT INTO trusted_keys (fingerprint, public_key, label, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET label = excluded.label')
      .run(key.fingerprint, key.publicKey, key.label ?? '', now());
  }

  /** Stops trusting a key; false when none had that fingerprint. */
  untrust(fingerprint: string): boolean {
    return this.db.prepare('DELETE FROM trusted_keys WHERE fingerprint = ?').run(fingerprint).changes > 0;
  }

  trusted(): TrustedKey[] {
    return (this.db.prepare('SELECT fingerprint, public_key, label, added_at FROM trusted_keys ORDER BY added_at').all() as {
      fingerprint: string;
      public_key: string;
      label: string;
      added_at: string;
    }[]).map((row) => ({ fingerprint: row.fingerprint, publicKey: row.public_key, label: row.label, addedAt: row.added_at }));
  }
}
