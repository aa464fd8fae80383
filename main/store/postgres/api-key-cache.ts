// Stored API keys kept in memory between requests: checking one was a database round trip on
// every request. Whatever changes api_keys (a revocation on this instance or another, by
// `keys revoke` or by hand in SQL) fires NOTIFY on API_KEYS_CHANNEL from a trigger (migration 3),
// and a connection of the store's own LISTENs for it and empties this cache. Keys are kept only
// while that connection listens: when it drops the cache empties, and every check reads the table
// until it listens again. An entry also expires after `ttlMs`, in case a notification is lost on a
// connection that still looks alive. Only keys found are kept: an unknown token (a guess) is read
// every time, so guesses cannot fill memory and a new key works at once.
import type { ApiKeyRecord } from '../production';

export const API_KEYS_CHANNEL = 'stepwise_api_keys';

export interface ApiKeyCacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

export class ApiKeyCache {
  private readonly entries = new Map<string, { key: ApiKeyRecord; until: number }>();
  /** Changes whenever what is cached may be wrong: a read begun before a change is not kept. */
  private generation = 0;
  private listening = false;
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** The key with this hash: from memory, or `read` from the database (and kept, if it may be). */
  async get(tokenHash: string, read: () => Promise<ApiKeyRecord | null>): Promise<ApiKeyRecord | null> {
    const cached = this.entries.get(tokenHash);
    if (cached && cached.until > this.now()) return cached.key;
    if (cached) this.entries.delete(tokenHash);
    const generation = this.generation;
    const key = await read();
    if (key && this.listening && generation === this.generation) this.keep(tokenHash, key);
    return key;
  }

  /** api_keys changed: forget every key. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Whether changes are heard now; either way what was kept is forgotten (changes may have been missed). */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.invalidate();
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(tokenHash: string, key: ApiKeyRecord): void {
    // The oldest goes first (a Map iterates in insertion order).
    if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { key: Object.freeze({ ...key }), until: this.now() + this.options.ttlMs });
  }
}
