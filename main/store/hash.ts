import { createHash } from 'node:crypto';

/** Content hash of a Procedure text or bundle entry: `sha256:<hex>`. */
export function contentHash(text: string | Buffer): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

export function now(): string {
  return new Date().toISOString();
}
