// Builds the HTTP request of an action from its templates, the input and the connector's auth.
// Secrets are fetched here, at call time, and registered with the call's Redactor so that the
// recorded copy of the request (and anything else recorded) shows their names, never their values.
import type { ConnectorAction, ConnectorAuth, HttpConnector } from './definition';
import { ConnectorError } from './errors';
import type { HttpExchange } from './http-client';
import type { Redactor } from './redaction';
import { asText, fillJson, fillText, fillUrlTemplate, formEncode, MISSING, TemplateError } from './template';

/** Gives a secret's value by name, or throws a ConnectorError of kind "secret". */
export type SecretResolver = (name: string) => Promise<string>;

/** The request as it may be recorded: secrets replaced by `[redacted:<name>]`. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export async function buildHttpRequest(connector: HttpConnector, action: ConnectorAction, input: unknown, secrets: SecretResolver, redactor: Redactor): Promise<HttpExchange> {
  try {
    const url = actionUrl(connector, action, input);
    checkHost(connector, url);
    for (const [name, template] of Object.entries(action.query ?? {})) {
      const value = fillJson(template, input, `query.${name}`);
      if (value === MISSING || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, asText(item));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, template] of Object.entries(action.headers ?? {})) {
      const value = fillText(template, input, `headers.${name}`);
      if (value === MISSING) continue;
      if (/[\r\n]/.test(value)) throw new ConnectorError(`headers.${name}: the input put a line break into the header, which is not allowed.`, 'input');
      headers[name.toLowerCase()] = value;
    }
    const body = encodeBody(action, input, headers);
    await applyAuth(connector.auth, url, headers, secrets, redactor);
    return { method: action.method, url, headers, ...(body === undefined ? {} : { body }) };
  } catch (error) {
    if (error instanceof TemplateError) throw new ConnectorError(error.message, 'input');
    throw error;
  }
}

function actionUrl(connector: HttpConnector, action: ConnectorAction, input: unknown): URL {
  const filled = action.url !== undefined ? fillUrlTemplate(action.url, input, 'url') : fillUrlTemplate(action.path!, input, 'path');
  const text = action.url !== undefined ? filled : `${connector.baseUrl.replace(/\/+$/, '')}${filled.startsWith('/') ? '' : '/'}${filled}`;
  try {
    return new URL(text);
  } catch {
    throw new ConnectorError(`The action's URL "${text}" is not a valid URL.`, 'input');
  }
}

/** Only baseUrl's host and the connector's allowedHosts ("*.example.com" covers subdomains). */
export function hostAllowed(connector: Pick<HttpConnector, 'baseUrl' | 'allowedHosts'>, hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === new URL(connector.baseUrl).hostname.toLowerCase()) return true;
  return connector.allowedHosts.some((allowed) => {
    const pattern = allowed.toLowerCase();
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
  });
}

function checkHost(connector: HttpConnector, url: URL) {
  if (!hostAllowed(connector, url.hostname)) {
    throw new ConnectorError(`Refused to call ${url.hostname}: connector "${connector.name}" may call ${[new URL(connector.baseUrl).hostname, ...connector.allowedHosts].join(', ')} only (add it to allowedHosts).`, 'refused');
  }
}

function encodeBody(action: ConnectorAction, input: unknown, headers: Record<string, string>): string | undefined {
  if (action.body === undefined) return undefined;
  const encoding = action.bodyEncoding ?? (typeof action.body === 'string' ? 'form' : 'json');
  const contentType = { json: 'application/json', form: 'application/x-www-form-urlencoded', text: 'text/plain; charset=utf-8' }[encoding];
  headers['content-type'] ??= contentType;
  if (typeof action.body === 'string') {
    const filled = fillText(action.body, input, 'body', encoding === 'form' ? { encode: (text) => encodeURIComponent(text) } : {});
    return filled === MISSING ? '' : filled;
  }
  const filled = fillJson(action.body, input, 'body');
  if (encoding === 'form') return formEncode((filled ?? {}) as Record<string, unknown>);
  if (encoding === 'text') return asText(filled === MISSING ? '' : filled);
  return JSON.stringify(filled === MISSING ? null : filled);
}

/** Adds a connector's credentials to a request (HTTP actions and MCP servers over HTTP alike). */
export async function applyAuth(auth: ConnectorAuth, url: URL, headers: Record<string, string>, secrets: SecretResolver, redactor: Redactor) {
  const secret = async (name: string) => {
    const value = await secrets(name);
    redactor.add(name, value);
    return value;
  };
  switch (auth.type) {
    case 'none':
      return;
    case 'bearer':
      headers.authorization = `Bearer ${await secret(auth.secret)}`;
      return;
    case 'basic': {
      const username = auth.usernameSecret ? await secret(auth.usernameSecret) : auth.username!;
      const token = Buffer.from(`${username}:${await secret(auth.passwordSecret)}`, 'utf8').toString('base64');
      redactor.addDerived(token, auth.passwordSecret);
      headers.authorization = `Basic ${token}`;
      return;
    }
    case 'apiKey':
      if (auth.in === 'header') headers[auth.name.toLowerCase()] = await secret(auth.secret);
      else url.searchParams.set(auth.name, await secret(auth.secret));
      return;
  }
}

export function recordRequest(request: HttpExchange, redactor: Redactor): RecordedRequest {
  return {
    method: request.method,
    url: redactor.text(request.url.toString()),
    headers: redactor.value(request.headers),
    ...(request.body === undefined ? {} : { body: redactor.text(request.body) }),
  };
}
