// Shared helpers for the Python sandbox tests.
import { afterAll, beforeAll, expect } from 'vitest';
import { createPythonSandbox, type AttributeDecl, type EvaluationRequest, type EvaluationResult, type PythonSandbox } from '../../main/sandbox/index';

export const CLOCK = { now: '2024-05-10T09:30:00Z' };

export const DECLARED: AttributeDecl[] = [
  { name: 'order_number', type: 'string' },
  { name: 'damage_description', type: 'string' },
  { name: 'preferred_resolution', type: 'enum', values: ['refund', 'replacement'] },
  { name: 'days_since_delivery', type: 'number' },
  { name: 'refund_amount', type: 'number' },
  { name: 'verified', type: 'boolean' },
  { name: 'delivered_on', type: 'date' },
  { name: 'skus', type: 'list' },
  { name: 'customer', type: 'object' },
];

export function request(overrides: Partial<EvaluationRequest> & Pick<EvaluationRequest, 'code'>): EvaluationRequest {
  return {
    mode: 'code',
    attributes: {},
    data: {},
    declared: DECLARED,
    clock: CLOCK,
    ...overrides,
  };
}

export function condition(code: string, overrides: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return request({ mode: 'condition', code, ...overrides });
}

export function expectOk(result: EvaluationResult): Extract<EvaluationResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected success, got ${result.error.kind}: ${result.error.message}`);
  return result;
}

export function expectError(
  result: EvaluationResult,
  kind: Extract<EvaluationResult, { ok: false }>['error']['kind'],
): Extract<EvaluationResult, { ok: false }>['error'] {
  if (result.ok) throw new Error(`expected a ${kind} error, got success: ${JSON.stringify(result)}`);
  expect(result.error.kind, result.error.message).toBe(kind);
  expect(result.error.message.length).toBeGreaterThan(10);
  return result.error;
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The pool answers, and (after any replacement) is back to full strength with live processes. */
export async function expectHealthy(sandbox: PythonSandbox, poolSize: number): Promise<void> {
  const result = await sandbox.evaluate(condition('attributes["n"] + 1 == 2', { attributes: { n: 1 } }));
  expect(expectOk(result).value).toBe(true);
  await sandbox.ready(); // the pool is elastic: ask for all of it again
  await waitFor(() => sandbox.stats().ready === poolSize && sandbox.stats().starting === 0, 30_000, 'a full pool');
  for (const pid of sandbox.pids()) expect(() => process.kill(pid, 0)).not.toThrow();
}

/**
 * The attack suites' sandbox, as the app runs it (every layer on, checked): a full pool ready before
 * the first test of the file (or describe block) that calls this, closed after its last. What it
 * returns forwards to that sandbox, so tests use it as one.
 */
export function useSandboxWithEveryLayer(poolSize: number): PythonSandbox {
  let sandbox: PythonSandbox | undefined;
  beforeAll(async () => {
    sandbox = createPythonSandbox({ poolSize, memoryLimitMb: 160 });
    await sandbox.ready();
    expect(sandbox.layers).toEqual({ permissionModel: true, policyCheck: true });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return new Proxy({} as PythonSandbox, {
    get(_, key) {
      if (!sandbox) throw new Error('useSandboxWithEveryLayer(): the sandbox runs only while the tests do');
      const value: unknown = Reflect.get(sandbox, key);
      return typeof value === 'function' ? value.bind(sandbox) : value;
    },
  });
}
