// Runs one HTTP action live: builds the request, sends it (retrying idempotent calls), and reads
// the response. HTTP errors are answers, not exceptions: the caller decides what the model sees.
import type { ConnectorAction, HttpConnector } from './definition';
import { ConnectorError } from './errors';
import { exchange, type HttpResponse } from './http-client';
import { buildHttpRequest, recordRequest, type RecordedRequest, type SecretResolver } from './http-request';
import type { NetworkPolicy } from './network-guard';
import type { Redactor } from './redaction';

export const DEFAULT_TIMEOUT_MS = 10_000;

export interface HttpRunOptions {
  secrets: SecretResolver;
  redactor: Redactor;
  /** Tests only: see NetworkPolicy.loopbackPortsForTesting. */
  loopbackPortsForTesting?: ReadonlySet<number>;
  signal?: AbortSignal;
  /** First wait between attempts; doubles each time. */
  retryDelayMs?: number;
}

export interface HttpRun {
  /** Null when the request could not even be built (a missing secret, a bad input). */
  request: RecordedRequest | null;
  attempts: number;
  /** The answer of the last attempt; absent when none came. */
  response?: { status: number; statusText: string; body: unknown; url: string; redirects: string[] };
  /** Why the call failed: no answer, or an answer that is not 2xx. */
  error?: ConnectorError;
}

export async function runHttpAction(connector: HttpConnector, action: ConnectorAction, input: unknown, options: HttpRunOptions): Promise<HttpRun> {
  let request;
  try {
    request = await buildHttpRequest(connector, action, input, options.secrets, options.redactor);
  } catch (error) {
    return { request: null, attempts: 0, error: asConnectorError(error) };
  }
  const recorded = recordRequest(request, options.redactor);
  const policy: NetworkPolicy = { allowInternal: connector.allowInternalHosts, ...(options.loopbackPortsForTesting ? { loopbackPortsForTesting: options.loopbackPortsForTesting } : {}) };
  const attemptsAllowed = 1 + (action.retries ?? 0);
  let attempts = 0;
  for (;;) {
    attempts++;
    let response: HttpResponse;
    try {
      response = await exchange(request, {
        timeoutMs: action.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxResponseBytes: connector.maxResponseBytes,
        policy,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      const failure = asConnectorError(error);
      if (failure.retryable && attempts < attemptsAllowed && !options.signal?.aborted) {
        await pause(backoff(attempts, options.retryDelayMs), options.signal);
        continue;
      }
      return { request: recorded, attempts, error: failure };
    }
    let body: unknown;
    try {
      body = parseBody(response);
    } catch (error) {
      return { request: recorded, attempts, error: asConnectorError(error) };
    }
    const answer = { status: response.status, statusText: response.statusText, body, url: options.redactor.text(response.url.toString()), redirects: response.redirects };
    if (response.status >= 200 && response.status < 300) return { request: recorded, attempts, response: answer };
    const failure = new ConnectorError(`${response.url.host} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${errorDetail(body)}.`, 'http', response.status);
    if (failure.retryable && attempts < attemptsAllowed) {
      await pause(backoff(attempts, options.retryDelayMs, response.headers['retry-after']), options.signal);
      continue;
    }
    return { request: recorded, attempts, response: answer, error: failure };
  }
}

function parseBody(response: HttpResponse): unknown {
  const text = response.body.toString('utf8');
  if (text.trim() === '') return null;
  const type = String(response.headers['content-type'] ?? '');
  const looksJson = /\bjson\b/i.test(type) || (!type && /^\s*[[{]/.test(text));
  if (!looksJson) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new ConnectorError(`${response.url.host} said it sent JSON (${type || 'no content type'}), but the body is not valid JSON.`, 'response');
  }
}

/** A short reason from an error body, such as Stripe's error.message. */
function errorDetail(body: unknown): string {
  const candidates: unknown[] = [];
  if (typeof body === 'string') candidates.push(body);
  else if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const error = record.error;
    candidates.push(typeof error === 'object' && error !== null ? (error as Record<string, unknown>).message : error, record.message);
    const errors = record.errors;
    if (Array.isArray(errors)) candidates.push(typeof errors[0] === 'object' && errors[0] !== null ? (errors[0] as Record<string, unknown>).message : errors[0]);
    else if (typeof errors === 'string') candidates.push(errors);
  }
  const found = candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate.trim() !== '');
  if (!found) return '';
  const oneLine = found.replace(/\s+/g, ' ').trim();
  return `: ${oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine}`;
}

function backoff(attempt: number, baseMs = 250, retryAfter?: string | string[]): number {
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  const seconds = header !== undefined ? Number(header) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 10_000);
  return Math.min(baseMs * 2 ** (attempt - 1), 5_000);
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export function asConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  return new ConnectorError(error instanceof Error ? error.message : String(error), 'network');
}
