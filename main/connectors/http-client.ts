// One HTTP exchange with the protections every connector call gets: only allowed addresses
// (./network-guard.ts), a deadline, a cap on the response size (after decompression), and
// redirects followed only on the same host. Built on node:http so that each of these is enforced
// here rather than left to a library's defaults.
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ConnectorError } from './errors';
import { checkLiteralHost, guardedLookup, type NetworkPolicy } from './network-guard';

export interface HttpExchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpLimits {
  timeoutMs: number;
  maxResponseBytes: number;
  policy: NetworkPolicy;
  signal?: AbortSignal;
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after same-host redirects). */
  url: URL;
  redirects: string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends a request, following same-host redirects. Rejects with a ConnectorError. */
export async function exchange(request: HttpExchange, limits: HttpLimits): Promise<HttpResponse> {
  const deadline = Date.now() + limits.timeoutMs;
  const redirects: string[] = [];
  let current = request;
  for (;;) {
    const response = await once(current, limits, deadline);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.status) || !location) return { ...response, redirects };
    const next = new URL(location, current.url);
    if (!sameHost(current.url, next)) {
      throw new ConnectorError(`Refused a redirect from ${current.url.host} to ${next.host}: a connector follows redirects only on the same host.`, 'redirect');
    }
    if (redirects.length >= (limits.maxRedirects ?? 3)) throw new ConnectorError(`Stopped after ${redirects.length} redirects at ${current.url.origin}${current.url.pathname}.`, 'redirect');
    redirects.push(`${response.status} ${next.origin}${next.pathname}`);
    const keepsMethod = response.status === 307 || response.status === 308;
    current = keepsMethod
      ? { ...current, url: next }
      : { method: current.method === 'HEAD' ? 'HEAD' : 'GET', url: next, headers: withoutBodyHeaders(current.headers) };
  }
}

/** Same hostname and port, or an upgrade from http to https on the default port. Never a downgrade. */
function sameHost(from: URL, to: URL): boolean {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return false;
  if (from.protocol === 'https:' && to.protocol === 'http:') return false;
  if (from.hostname !== to.hostname) return false;
  return from.port === to.port || (from.protocol === 'http:' && to.protocol === 'https:' && to.port === '');
}

function withoutBodyHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !['content-type', 'content-length'].includes(name.toLowerCase())));
}

function once(request: HttpExchange, limits: HttpLimits, deadline: number): Promise<Omit<HttpResponse, 'redirects'>> {
  const { url } = request;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new ConnectorError(`Refused ${url.protocol} URL: connectors speak http(s) only.`, 'refused'));
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  try {
    checkLiteralHost(url.hostname, port, limits.policy);
  } catch (error) {
    return Promise.reject(error);
  }
  const remaining = deadline - Date.now();
  if (remaining <= 0) return Promise.reject(timeoutError(url, limits.timeoutMs));
  if (limits.signal?.aborted) return Promise.reject(new ConnectorError('The call was cancelled.', 'network'));

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, value?: Omit<HttpResponse, 'redirects'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(value!);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    let req: ReturnType<typeof send>;
    try {
      req = send(url, {
        method: request.method,
        headers: { 'accept-encoding': 'gzip, deflate, br', ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        lookup: guardedLookup(limits.policy, port) as never,
        agent: false,
      });
    } catch (error) {
      // Node refuses a header it cannot send (a line break in a value, say); its message names the header, not the value.
      settled = true;
      return reject(new ConnectorError(`The request to ${url.host} could not be built: ${(error as Error).message}.`, 'input'));
    }
    const timer = setTimeout(() => finish(timeoutError(url, limits.timeoutMs)), remaining);
    const onAbort = () => finish(new ConnectorError('The call was cancelled.', 'network'));
    limits.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', (error) => finish(error instanceof ConnectorError ? error : new ConnectorError(`Could not reach ${url.host}: ${describeNetworkError(error)}.`, 'network')));
    req.on('response', (res: IncomingMessage) => {
      const declared = Number(res.headers['content-length']);
      const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (Number.isFinite(declared) && encoding === 'identity' && declared > limits.maxResponseBytes) {
        return finish(tooLarge(url, limits.maxResponseBytes));
      }
      let stream: Readable = res;
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(createGunzip());
      else if (encoding === 'deflate') stream = res.pipe(createInflate());
      else if (encoding === 'br') stream = res.pipe(createBrotliDecompress());
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxResponseBytes) {
          finish(tooLarge(url, limits.maxResponseBytes));
          stream.destroy();
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', (error) => finish(new ConnectorError(`The response from ${url.host} broke off: ${describeNetworkError(error)}.`, 'network')));
      res.on('aborted', () => finish(new ConnectorError(`The response from ${url.host} broke off.`, 'network')));
      stream.on('end', () =>
        finish(null, { status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks), url }),
      );
    });
    req.end(body);
  });
}

function timeoutError(url: URL, timeoutMs: number): ConnectorError {
  return new ConnectorError(`${url.host} did not answer within ${timeoutMs} ms.`, 'timeout');
}

function tooLarge(url: URL, max: number): ConnectorError {
  return new ConnectorError(`The response from ${url.host} is larger than the ${max}-byte limit, so it was not read.`, 'too-large');
}

function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ENOTFOUND':
      return 'the host name does not resolve';
    case 'EAI_AGAIN':
      return 'the host name could not be resolved right now';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `its TLS certificate is not valid (${code})`;
    default:
      return code ? `${error.message} (${code})` : error.message;
  }
}
