// HTTP plumbing of the production API: JSON answers, errors as { error: { code, message } } with
// a 4xx status for every client mistake, bodies read with a size cap, and zod issues turned into
// one readable message.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { describeZodError } from '../validation/zod-error';

export type ErrorCode =
  | 'malformed-json'
  | 'invalid-request'
  | 'too-large'
  | 'unsupported-media-type'
  | 'not-found'
  | 'unknown-route'
  | 'method-not-allowed'
  | 'conversation-closed'
  | 'unknown-procedure'
  | 'idempotency-mismatch'
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'not-ready'
  | 'shutting-down'
  | 'unavailable'
  | 'reload-refused'
  | 'internal';

/** A refusal the client can act on: it becomes an answer with this status and code, never a crash. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}) {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, { ...headers, ...error.headers });
}

/** The body as text, refused with 413 past `maxBytes` (before reading it, when Content-Length says so). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size)));
      } catch {
        reject(new ApiError(400, 'malformed-json', 'The request body is not UTF-8 text.'));
      }
    });
    req.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, 'too-large', `The request body is larger than the limit of ${maxBytes.toLocaleString('en')} bytes.`);
}

/** A JSON request body checked against `schema`. */
export async function jsonBody<S extends z.ZodType>(req: IncomingMessage, schema: S, maxBytes: number): Promise<z.output<S>> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new ApiError(415, 'unsupported-media-type', 'The request body must be JSON (Content-Type: application/json).');
  const text = await readBody(req, maxBytes);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'malformed-json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  return parse(schema, raw, 'The request body');
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    // A single value (a path part, a header) needs no "(top level)": `what` already names it.
    const scalar = parsed.error.issues.every((issue) => issue.path.length === 0);
    const why = scalar ? parsed.error.issues.map((issue) => issue.message).join('; ') : describeZodError(parsed.error);
    throw new ApiError(400, 'invalid-request', `${what} is not valid: ${why}`);
  }
  return parsed.data;
}
