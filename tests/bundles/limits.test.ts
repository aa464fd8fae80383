// Bundles that are too large or malformed where only the signer could have put it: a classified
// BundleError, never a crash and never a whole oversized file in memory.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleError } from '../../main/bundles/format';
import { DEFAULT_MAX_BUNDLE_BYTES, readBundleFile } from '../../main/bundles/read';
import { fingerprintOf } from '../../main/bundles/signing';
import { verifyBundle } from '../../main/bundles/verify';
import { useTempDir } from '../store/helpers';

/** A correctly signed bundle holding exactly these entries, whatever they say. */
function signedBundle(entries: Record<string, string>): string {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const manifest = JSON.stringify({
    formatVersion: 1,
    appVersion: 'test',
    createdAt: '2026-11-29T00:00:00.000Z',
    publicKey: publicKeyPem,
    keyFingerprint: fingerprintOf(publicKeyPem),
    entries: Object.entries(entries).map(([path, content]) => ({ path, sha256: createHash('sha256').update(content).digest('hex'), bytes: Buffer.byteLength(content) })),
  });
  return JSON.stringify({ format: 'stepwise-bundle', manifest, signature: sign(null, Buffer.from(manifest), privateKey).toString('base64'), entries });
}

const caught = (work: () => unknown): BundleError => {
  try {
    work();
  } catch (error) {
    return error as BundleError;
  }
  throw new Error('expected an error');
};

describe('bundle limits', () => {
  const tempDir = useTempDir();

  it('refuse a file over the cap from its size, before reading it (a 60 MB sparse file costs nothing to make or to refuse)', () => {
    const path = join(tempDir(), 'huge.bundle');
    const fd = openSync(path, 'w');
    ftruncateSync(fd, 60 * 1024 * 1024);
    closeSync(fd);
    const before = process.memoryUsage().arrayBuffers;
    const error = caught(() => readBundleFile(path));
    expect(error).toBeInstanceOf(BundleError);
    expect(error.code).toBe('too-large');
    expect(error.message).toBe(`${path} is 60 MB, over the limit of 50 MB for bundles, so it was not read. If you expect a bundle this large, raise the limit (--max-size <MB>).`);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
    expect(DEFAULT_MAX_BUNDLE_BYTES).toBe(50 * 1024 * 1024);
  });

  it('take a configurable cap, read a file under it, and refuse what is not a file or not UTF-8', () => {
    const dir = tempDir();
    const path = join(dir, 'small.bundle');
    writeFileSync(path, 'x'.repeat(2048));
    expect(readBundleFile(path, 4096)).toHaveLength(2048);
    expect(caught(() => readBundleFile(path, 1024)).message).toMatch(/small\.bundle is 2048 bytes, over the limit of 1024 bytes for bundles/);
    expect(caught(() => verifyBundle('x'.repeat(2048), { maxBytes: 1024 })).code).toBe('too-large');
    mkdirSync(join(dir, 'folder.bundle'));
    expect(caught(() => readBundleFile(join(dir, 'folder.bundle')))).toMatchObject({ code: 'invalid', message: expect.stringMatching(/is not a file/) });
    writeFileSync(join(dir, 'latin1.bundle'), Buffer.from([0x7b, 0xe9, 0x7d]));
    expect(caught(() => readBundleFile(join(dir, 'latin1.bundle')))).toMatchObject({ code: 'invalid', message: expect.stringMatching(/not UTF-8/) });
  });

  it('classify a signed bundle.json that is not JSON, or not an index, like any other bad bundle', () => {
    const notJson = caught(() => verifyBundle(signedBundle({ 'bundle.json': 'this is { not json' })));
    expect(notJson).toBeInstanceOf(BundleError);
    expect(notJson).toMatchObject({ code: 'invalid', message: 'bundle.json in the bundle is not JSON.' });
    const notIndex = caught(() => verifyBundle(signedBundle({ 'bundle.json': '{"procedures": 3}' })));
    expect(notIndex).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^bundle\.json in the bundle is not valid: /) });
  });
});
