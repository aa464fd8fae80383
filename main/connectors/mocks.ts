// Answers an action without any real system, for previews and simulations. Static responses are
// tried first (in order, matched on the input, each at most `times` times per run), then the
// action's Python handler, which runs in the sandbox against the run's world (./world.ts).
import type { CodeSandbox } from '../sandbox/types';
import type { ActionMocks, StaticMock } from './definition';
import { ConnectorError } from './errors';
import type { World } from './world';

export interface MockAnswer {
  status: number;
  body: unknown;
  source: 'static' | 'handler';
  /** Which static response answered (its place in the list). */
  index?: number;
  /** Whether the handler changed the world. */
  worldChanged: boolean;
}

export interface MockRunContext {
  world: World;
  sandbox?: CodeSandbox;
  /** The run's clock: what today() and now() give inside handlers. */
  now: () => Date;
  /** How often each static response has answered in this run. */
  used: Map<string, number>;
  /** Time limit of a handler. */
  handlerTimeoutMs?: number;
}

const HANDLER_DECLARED = [
  { name: 'world', type: 'object' as const },
  { name: 'response', type: 'object' as const },
  { name: 'status', type: 'number' as const },
];

/**
 * The mock answer for a call. `extra` static responses (a simulation's own) come before the
 * definition's. Throws a ConnectorError for an injected failure or when nothing answers.
 */
export async function answerFromMocks(action: string, mocks: ActionMocks | undefined, extra: StaticMock[], input: unknown, context: MockRunContext): Promise<MockAnswer> {
  const lists: [string, StaticMock[]][] = [
    ['run', extra],
    ['definition', mocks?.responses ?? []],
  ];
  for (const [origin, responses] of lists) {
    for (const [index, mock] of responses.entries()) {
      if (!matches(mock.when, input)) continue;
      const key = `${action}\u0000${origin}\u0000${index}`;
      const used = context.used.get(key) ?? 0;
      if (mock.times !== undefined && used >= mock.times) continue;
      context.used.set(key, used + 1);
      if (mock.delayMs) await new Promise((resolve) => setTimeout(resolve, mock.delayMs));
      if (mock.error === 'timeout') throw new ConnectorError(`@${action} did not answer in time (an injected mock timeout).`, 'timeout');
      if (mock.error === 'network') throw new ConnectorError(`@${action} could not be reached (an injected mock network failure).`, 'network');
      return { status: mock.status, body: mock.body ?? null, source: 'static', index, worldChanged: false };
    }
  }
  if (mocks?.handler) return runHandler(action, mocks.handler, input, context);
  const had = (mocks?.responses.length ?? 0) + extra.length;
  throw new ConnectorError(
    had > 0
      ? `No mock of @${action} answers this input: its static responses match other inputs (or were used up) and it has no handler.`
      : `@${action} has no mock responses, so it cannot run without the real system. Add mocks to the action, or run with live connectors.`,
    'mock',
  );
}

function matches(when: Record<string, unknown> | undefined, input: unknown): boolean {
  if (!when) return true;
  if (typeof input !== 'object' || input === null) return false;
  const record = input as Record<string, unknown>;
  return Object.entries(when).every(([key, expected]) => deepEqual(record[key], expected));
}

async function runHandler(action: string, code: string, input: unknown, context: MockRunContext): Promise<MockAnswer> {
  if (!context.sandbox) throw new ConnectorError(`@${action} is mocked by a Python handler, but this run has no Python sandbox.`, 'mock');
  const before = context.world.snapshot();
  const result = await context.sandbox.evaluate({
    mode: 'code',
    code,
    attributes: { world: before },
    data: { input: (input ?? {}) as never },
    declared: HANDLER_DECLARED,
    clock: { now: context.now().toISOString() },
    timeoutMs: context.handlerTimeoutMs ?? 2_000,
  });
  if (!result.ok) {
    const where = result.error.line ? ` (line ${result.error.line} of the handler)` : '';
    throw new ConnectorError(`The mock handler of @${action} failed: ${result.error.message}${where}.`, 'mock');
  }
  const writes = result.attributeWrites;
  let worldChanged = false;
  if ('world' in writes) {
    if (writes.world === null || typeof writes.world !== 'object' || Array.isArray(writes.world)) {
      throw new ConnectorError(`The mock handler of @${action} left the world empty; change attributes["world"] in place instead of replacing it.`, 'mock');
    }
    worldChanged = !deepEqual(writes.world, before);
    context.world.replace(writes.world as Record<string, unknown>);
  }
  if (!('response' in writes) || writes.response === null) {
    throw new ConnectorError(`The mock handler of @${action} gave no response: end it with return {"response": {...}}.`, 'mock');
  }
  const status = typeof writes.status === 'number' ? writes.status : 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new ConnectorError(`The mock handler of @${action} returned status ${status}, which is not an HTTP status.`, 'mock');
  return { status, body: writes.response, source: 'handler', worldChanged };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, index) => deepEqual(item, (b as unknown[])[index]));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
