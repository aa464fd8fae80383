// The rules of the in-memory API key cache (main/store/postgres/api-key-cache.ts), on its own:
// what it keeps, and when it must not answer from memory. Its use on PostgreSQL, with real
// notifications, is tested in postgres-api-keys.test.ts.
import { describe, expect, it } from 'vitest';
import { ApiKeyCache } from '../../main/store/postgres/api-key-cache';
import type { ApiKeyRecord } from '../../main/store/production';

const record = (id: number): ApiKeyRecord => ({ id, name: `key ${id}`, scope: 'conversations', fingerprint: `key:${id}`, createdAt: '2026-11-30T00:00:00.000Z', revokedAt: null });

function counted(answer: ApiKeyRecord | null) {
  const read = async () => {
    read.calls++;
    return answer;
  };
  read.calls = 0;
  return read;
}

describe('API key cache', () => {
  it('keeps a key found while changes are heard, and reads again once told of a change', async () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.setListening(true);
    const read = counted(record(1));
    expect(await cache.get('h1', read)).toEqual(record(1));
    expect(await cache.get('h1', read)).toEqual(record(1));
    expect(read.calls).toBe(1);
    cache.invalidate();
    await cache.get('h1', read);
    expect(read.calls).toBe(2);
  });

  it('keeps nothing while changes are not heard, and forgets what it kept when they stop being heard', async () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    const read = counted(record(1));
    await cache.get('h1', read);
    await cache.get('h1', read);
    expect(read.calls).toBe(2);
    cache.setListening(true);
    await cache.get('h1', read);
    expect(cache.size).toBe(1);
    cache.setListening(false);
    expect(cache.size).toBe(0);
    await cache.get('h1', read);
    expect(read.calls).toBe(4);
  });

  it('never keeps an unknown token, so guesses cannot fill memory and a key made later works at once', async () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.setListening(true);
    const missing = counted(null);
    for (let guess = 0; guess < 50; guess++) expect(await cache.get(`guess-${guess}`, missing)).toBeNull();
    expect(cache.size).toBe(0);
    expect(await cache.get('guess-0', counted(record(2)))).toEqual(record(2));
  });

  it('does not keep a key read before a change it had not heard of yet', async () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.setListening(true);
    let finish!: (key: ApiKeyRecord) => void;
    const slow = cache.get('h1', () => new Promise<ApiKeyRecord>((resolve) => (finish = resolve)));
    // The key is revoked (and the change heard) while the read is on its way back with the old row.
    cache.invalidate();
    finish(record(1));
    expect(await slow).toEqual(record(1));
    expect(cache.size).toBe(0);
  });

  it('reads a key again once it has been kept ttlMs, and drops the oldest beyond maxEntries', async () => {
    let clock = 0;
    const cache = new ApiKeyCache({ ttlMs: 1_000, maxEntries: 2, now: () => clock });
    cache.setListening(true);
    const read = counted(record(1));
    await cache.get('h1', read);
    clock = 999;
    await cache.get('h1', read);
    expect(read.calls).toBe(1);
    clock = 1_000;
    await cache.get('h1', read);
    expect(read.calls).toBe(2);
    await cache.get('h2', counted(record(2)));
    await cache.get('h3', counted(record(3)));
    expect(cache.size).toBe(2);
    await cache.get('h1', read);
    expect(read.calls).toBe(3);
  });

  it('hands out a copy callers cannot change', async () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.setListening(true);
    await cache.get('h1', counted(record(1)));
    const kept = (await cache.get('h1', counted(null)))!;
    expect(() => ((kept as { scope: string }).scope = 'admin')).toThrow(TypeError);
  });
});
