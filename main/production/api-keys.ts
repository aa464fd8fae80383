// Client API keys: a random token shown once, stored only as its SHA-256 (a stolen database gives
// no usable key), with a scope: `conversations` (the conversation API) or `admin` (everything).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, ApiKeyScope, ProductionRepository } from '../store/production';

export const TOKEN_PREFIX = 'swk_';

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What identifies a key in lists and logs: derived from the hash, so it reveals nothing of the token. */
export function fingerprintOfHash(tokenHash: string): string {
  return `key:${tokenHash.slice(0, 16)}`;
}

export async function createApiKey(repository: ProductionRepository, input: { name: string; scope: ApiKeyScope }): Promise<{ token: string; key: ApiKeyRecord }> {
  const token = newToken();
  const tokenHash = hashToken(token);
  const key = await repository.createApiKey({ name: input.name, scope: input.scope, tokenHash, fingerprint: fingerprintOfHash(tokenHash) });
  return { token, key };
}

/** Keys given in the config file as hashes (no database row). */
export interface ConfiguredKey {
  name: string;
  scope: ApiKeyScope;
  sha256: string;
}

export class KeyRing {
  constructor(
    private readonly repository: ProductionRepository,
    private readonly configured: readonly ConfiguredKey[],
  ) {}

  /** The key a bearer token belongs to, or null. */
  async authenticate(token: string): Promise<(Pick<ApiKeyRecord, 'name' | 'scope' | 'fingerprint'> & { id: number }) | null> {
    const tokenHash = hashToken(token);
    const stored = await this.repository.apiKeyByHash(tokenHash);
    if (stored) return stored;
    const wanted = Buffer.from(tokenHash, 'hex');
    for (const [index, key] of this.configured.entries()) {
      const candidate = Buffer.from(key.sha256.toLowerCase(), 'hex');
      // Configured keys get negative ids, so their idempotency records never meet a stored key's.
      if (candidate.length === wanted.length && timingSafeEqual(candidate, wanted)) return { id: -(index + 1), name: key.name, scope: key.scope, fingerprint: fingerprintOfHash(key.sha256.toLowerCase()) };
    }
    return null;
  }

  async list(): Promise<Pick<ApiKeyRecord, 'name' | 'scope' | 'fingerprint' | 'createdAt' | 'revokedAt'>[]> {
    const stored = (await this.repository.listApiKeys()).map(({ name, scope, fingerprint, createdAt, revokedAt }) => ({ name, scope, fingerprint, createdAt, revokedAt }));
    return [...stored, ...this.configured.map((key) => ({ name: key.name, scope: key.scope, fingerprint: fingerprintOfHash(key.sha256.toLowerCase()), createdAt: 'config', revokedAt: null }))];
  }
}

export function allows(scope: ApiKeyScope, needed: ApiKeyScope): boolean {
  return scope === 'admin' || scope === needed;
}
