// How results and errors cross the boundary between the engine and the UI: a typed result with a
// code and a message people can act on, never a raw exception or a stack trace.
import { z } from 'zod';

export const API_ERROR_CODES = [
  'invalid-input', // the call's input does not match its schema
  'unknown-method', // no such call in the contract
  'unauthorized', // browser mode: a missing or wrong launch token
  'not-found',
  'conflict',
  'invalid',
  'in-use',
  'unchanged',
  'no-model', // no model is configured (no API key in Settings): the UI links to Settings
  'unavailable', // something the call needs (the model, the Python sandbox) cannot be reached
  'locked', // another program kept the workspace file locked for longer than the busy timeout; try again
  'internal', // a bug: the message says what failed, the details stay in the engine's log
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const ApiErrorSchema = z.strictObject({ code: z.enum(API_ERROR_CODES), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ApiResultEnvelopeSchema = z.union([
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: ApiErrorSchema }),
]);

/** Thrown by the UI's client when a call comes back with an error, so `await api.x()` reads simply. */
export class ApiCallError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly method: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}
