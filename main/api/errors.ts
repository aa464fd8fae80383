// Turns whatever a handler throws into an ApiError: a code and a message, never a stack trace.
import { ZodError } from 'zod';
import type { ApiError } from '../../shared/api';
import { SecretStoreError } from '../secrets/secret-store';
import { ServiceError } from '../services/errors';
import { StoreError, WorkspaceError } from '../store/errors';
import { isLockedError, lockedError } from '../store/write-transaction';
import { describeZodError } from '../validation/zod-error';

export { ServiceError };

export function toApiError(error: unknown, method: string): { error: ApiError; unexpected: boolean } {
  if (error instanceof ServiceError) return { error: { code: error.code, message: error.message }, unexpected: false };
  if (error instanceof StoreError) return { error: { code: error.code, message: error.message }, unexpected: false };
  if (error instanceof WorkspaceError) return { error: { code: error.code === 'locked' ? 'locked' : 'unavailable', message: error.message }, unexpected: false };
  // A write that waited out the busy timeout outside a store transaction: still "locked", not a bug.
  if (isLockedError(error)) return { error: { code: 'locked', message: lockedError('The workspace').message }, unexpected: false };
  if (error instanceof SecretStoreError) return { error: { code: 'unavailable', message: error.message }, unexpected: false };
  if (error instanceof ZodError) return { error: { code: 'invalid', message: describeZodError(error) }, unexpected: false };
  const message = error instanceof Error ? error.message : String(error);
  return { error: { code: 'internal', message: `${method} failed: ${firstLine(message)}` }, unexpected: true };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
