// Reading a bundle file with a size cap, checked before the file is read into memory: a bundle
// of hundreds of megabytes would otherwise take several times that in memory to parse.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BundleError } from './format';

export const DEFAULT_MAX_BUNDLE_BYTES = 50 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** The bundle's text. Throws a BundleError for a file over the cap or not UTF-8; fs errors for a file that cannot be opened. */
export function readBundleFile(path: string, maxBytes: number = DEFAULT_MAX_BUNDLE_BYTES): string {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new BundleError(`${path} is not a file, so it is not a bundle.`, 'invalid');
    if (stat.size > maxBytes) throw tooLarge(path, stat.size, maxBytes);
    // Read in chunks and stop one byte past the cap: the file may have grown since it was measured.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, maxBytes + 1 - length));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      length += read;
      if (length > maxBytes) throw tooLarge(path, null, maxBytes);
    }
    return decodeUtf8(Buffer.concat(chunks, length), path);
  } finally {
    closeSync(fd);
  }
}

export function checkBundleSize(text: string, maxBytes: number = DEFAULT_MAX_BUNDLE_BYTES): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw tooLarge('The bundle', bytes, maxBytes);
}

function tooLarge(what: string, bytes: number | null, maxBytes: number): BundleError {
  return new BundleError(
    `${what} is ${bytes === null ? 'larger than' : `${size(bytes)}, over`} the limit of ${size(maxBytes)} for bundles, so it was not read. If you expect a bundle this large, raise the limit (--max-size <MB>).`,
    'too-large',
  );
}

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BundleError(`${path} is not a Stepwise bundle: it is not UTF-8 text.`, 'invalid');
  }
}
