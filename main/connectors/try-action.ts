// "Try an action": run one action with sample inputs, live or mocked, and show the request
// (secrets redacted), the full response and what the model would see.
import type { RuntimeConnectors } from './runtime-connectors';
import type { WorldData } from './world';

export interface TryResult {
  action: string;
  mode: 'live' | 'mock';
  ok: boolean;
  /** What was sent (live) or would have been sent (mock), secrets redacted or named. */
  request: unknown;
  status: number | null;
  durationMs: number;
  attempts: number;
  /** The whole response, redacted. */
  response: unknown;
  /** What the model would see; null when the call failed. */
  shown: unknown;
  error: string | null;
  /** Mock mode: whether the handler changed the world, and the world afterwards. */
  world?: { changed: boolean; after: WorldData };
}

export async function tryAction(connectors: RuntimeConnectors, action: string, input: unknown): Promise<TryResult> {
  const { result, call } = await connectors.call(action, input);
  return {
    action,
    mode: call.mode,
    ok: result.ok,
    request: call.request,
    status: call.status,
    durationMs: call.durationMs,
    attempts: call.attempts,
    response: call.fullResponse,
    shown: result.ok ? result.data : null,
    error: result.ok ? null : result.error,
    ...(call.mode === 'mock' ? { world: { changed: call.mock?.worldChanged ?? false, after: connectors.finalWorld() } } : {}),
  };
}

/** The result as text for a terminal. */
export function formatTryResult(result: TryResult): string {
  const lines: string[] = [];
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  lines.push(`@${result.action} (${result.mode === 'mock' ? 'mocked' : 'live'}) ${result.ok ? 'succeeded' : 'failed'} in ${result.durationMs} ms${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}`);
  lines.push('', result.mode === 'mock' ? 'Request (not sent: mocked)' : 'Request');
  const request = result.request as { method?: string; url?: string; headers?: Record<string, string>; body?: string; server?: string; tool?: string; arguments?: unknown } | null;
  if (!request) lines.push('  (none: the call stopped before a request was made)');
  else if (request.url) {
    lines.push(`  ${request.method} ${request.url}`);
    for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`  ${name}: ${value}`);
    if (request.body !== undefined) lines.push('', indent(request.body));
  } else lines.push(`  MCP ${request.server} → ${request.tool}`, indent(json(request.arguments)));
  lines.push('', `Response${result.status !== null ? ` (${result.status})` : ''}`, indent(result.response === null ? '(none)' : json(result.response)));
  if (result.error) lines.push('', 'Error', `  ${result.error}`);
  else lines.push('', 'What the model sees', indent(json(result.shown)));
  if (result.world) lines.push('', result.world.changed ? 'The world changed.' : 'The world did not change.');
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
