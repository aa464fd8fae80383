// What went wrong with a model call, and whether to try it again. Pure: the client hands in the
// error the SDK threw; nothing here does I/O.
//
// The SDK retries what fails *before* a response begins (no connection, a timeout waiting for the
// headers, 429, 5xx, 529). It never retries what breaks *after* the headers: a connection cut
// mid-body (undici's `terminated`), a stall, an event that is not JSON, an SSE `error` event, a
// stream that ends early. Those are ours to retry, and retrying is safe: a model call has no effect
// on our side until its whole message has arrived (tools run only after that), so a broken
// response is simply discarded and the same request sent again.
import Anthropic from '@anthropic-ai/sdk';

export const MODEL_FAULT_KINDS = [
  /** No connection could be made (after the SDK's retries). */
  'unreachable',
  /** No response headers within the timeout (after the SDK's retries). */
  'timeout',
  /** 429, or a rate_limit_error event. */
  'rate_limited',
  /** 529, or an overloaded_error event. */
  'overloaded',
  /** Another 5xx, or an api_error event. */
  'server_error',
  /** The connection was cut, or the response ended, before the message was complete. */
  'dropped',
  /** The response began, then went silent for longer than the idle timeout. */
  'stalled',
  /** The response held something that is not valid JSON or breaks the event protocol. */
  'malformed',
  /** The API refused the request itself (bad key, unknown model, bad request): retrying will not help. */
  'refused',
  /** An error the client does not recognise. */
  'unexpected',
] as const;
export type ModelFaultKind = (typeof MODEL_FAULT_KINDS)[number];

export interface ModelFault {
  kind: ModelFaultKind;
  /** `request`: no response began (the SDK has already retried); `response`: it broke after the headers. */
  phase: 'request' | 'response';
  status: number | undefined;
  /** One line for the trace and the handoff reason. Built from the error, never from the request or the key. */
  detail: string;
}

export interface ResponseRetryPolicy {
  /** Extra attempts after a response broke mid-way. */
  retries: number;
  /** Wait before the first extra attempt; doubled for each one after. */
  delayMs: number;
}

type SdkApiError = InstanceType<typeof Anthropic.APIError>;

/**
 * Sorts an error from the SDK. `stalled` is true when the client's idle timer aborted the response
 * (the SDK reports that as an abort like any other). Returns 'aborted' for the caller's own abort.
 */
export function classifyModelFault(error: unknown, context: { stalled: boolean; idleTimeoutMs?: number }): ModelFault | 'aborted' {
  if (context.stalled) {
    return { kind: 'stalled', phase: 'response', status: undefined, detail: `the response went silent for ${context.idleTimeoutMs ?? '?'} ms` };
  }
  if (error instanceof Anthropic.APIUserAbortError || isAbort(error)) return 'aborted';
  // The timeout error is a kind of connection error: test it first.
  if (error instanceof Anthropic.APIConnectionTimeoutError) return { kind: 'timeout', phase: 'request', status: undefined, detail: 'no response before the timeout' };
  if (error instanceof Anthropic.APIConnectionError) return { kind: 'unreachable', phase: 'request', status: undefined, detail: messageOf(error) };
  if (error instanceof Anthropic.APIError) return classifyApiError(error);
  if (isSyntaxError(error)) return { kind: 'malformed', phase: 'response', status: undefined, detail: `a response that is not valid JSON (${messageOf(rootCause(error))})` };
  if (isConnectionCut(error)) return { kind: 'dropped', phase: 'response', status: undefined, detail: `the connection was cut mid-response (${messageOf(error)})` };
  if (error instanceof Anthropic.AnthropicError) {
    const message = messageOf(error);
    // What the SDK's stream says when events stop early or arrive out of order.
    if (/ended without|without sending any chunks/.test(message)) return { kind: 'dropped', phase: 'response', status: undefined, detail: `the response ended early (${message})` };
    if (/unexpected event/i.test(message)) return { kind: 'malformed', phase: 'response', status: undefined, detail: message };
  }
  return { kind: 'unexpected', phase: 'response', status: undefined, detail: messageOf(error) };
}

/** The wait before extra attempt number `attempt` (1-based), or null to stop and report the fault. */
export function responseRetryDelay(fault: ModelFault, attempt: number, policy: ResponseRetryPolicy): number | null {
  // Request-phase faults were retried by the SDK already; a refusal or an unknown error would only repeat.
  if (fault.phase !== 'response' || fault.kind === 'refused' || fault.kind === 'unexpected') return null;
  if (attempt > policy.retries) return null;
  return policy.delayMs * 2 ** (attempt - 1);
}

/** True for faults that mean "try later" rather than "fix the settings or the request". */
export const isOutage = (fault: ModelFault) => fault.kind !== 'refused';

function classifyApiError(error: SdkApiError): ModelFault {
  const status = error.status;
  const type = errorType(error);
  // An SSE `error` event has no status: the response had begun.
  const phase = status === undefined ? 'response' : 'request';
  const detail = status === undefined ? `an ${type ?? 'error'} event mid-stream: ${apiErrorMessage(error)}` : apiErrorMessage(error);
  if (status === 529 || type === 'overloaded_error') return { kind: 'overloaded', phase, status, detail };
  if (status === 429 || type === 'rate_limit_error') return { kind: 'rate_limited', phase, status, detail };
  if (status === 408) return { kind: 'timeout', phase, status, detail };
  if ((status !== undefined && status >= 500) || status === 409 || (status === undefined && (type === undefined || type === 'api_error'))) {
    return { kind: 'server_error', phase, status, detail };
  }
  return { kind: 'refused', phase, status, detail };
}

function errorType(error: SdkApiError): string | undefined {
  const body = error.error as { error?: { type?: unknown } } | undefined;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}

function apiErrorMessage(error: SdkApiError): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  return typeof body?.error?.message === 'string' ? body.error.message : error.message;
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) current = current.cause;
  return current;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

const isSyntaxError = (error: unknown) => causes(error).some((cause) => cause instanceof SyntaxError);

const isAbort = (error: unknown) => error instanceof Error && error.name === 'AbortError';

const CUT_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** undici's `TypeError: terminated` (its cause a SocketError), or a reset socket, anywhere in the chain. */
function isConnectionCut(error: unknown): boolean {
  return causes(error).some((cause) => {
    if (!(cause instanceof Error)) return false;
    const code = (cause as { code?: unknown }).code;
    return cause.message === 'terminated' || cause.message === 'other side closed' || (typeof code === 'string' && CUT_CODES.has(code));
  });
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // One line, bounded: the trace is not the place for a whole response body.
  return text.replace(/\s+/g, ' ').slice(0, 300);
}
