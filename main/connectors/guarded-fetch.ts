// A fetch for the MCP SDK's Streamable HTTP transport that goes through the same address policy as
// HTTP connectors (./network-guard.ts), keeps the response streaming (Server-Sent Events), and
// never follows a redirect by itself: the SDK sees the 3xx and applies its same-origin rule.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { ConnectorError } from './errors';
import { checkLiteralHost, guardedLookup, type NetworkPolicy } from './network-guard';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export function guardedFetch(policy: NetworkPolicy): FetchLike {
  return async (input, init = {}) => {
    const url = new URL(String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConnectorError(`Refused ${url.protocol} URL: MCP over HTTP needs http(s).`, 'refused');
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    checkLiteralHost(url.hostname, port, policy);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = await bodyText(init.body);
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: init.method ?? 'GET',
        headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        lookup: guardedLookup(policy, port) as never,
        agent: false,
        ...(init.signal ? { signal: init.signal } : {}),
      });
      req.on('error', (error) => reject(error instanceof ConnectorError ? error : new ConnectorError(`Could not reach the MCP server at ${url.host}: ${error.message}.`, 'network')));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const noBody = status === 204 || status === 304 || init.method === 'HEAD';
        if (noBody) res.resume();
        resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: toHeaders(res.headers) }));
      });
      req.end(body);
    });
  };
}

async function bodyText(body: RequestInit['body']): Promise<string | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  return new Response(body).text();
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}
