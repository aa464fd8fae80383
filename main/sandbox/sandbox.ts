// The Python sandbox as the engine sees it: validates requests, sends them to the interpreter pool and
// turns what comes back into results that support ops can act on.
import { performance } from 'node:perf_hooks';
import { computeAttributeWrites } from './attribute-writes';
import type { JobOutcome } from './interpreter-process';
import type { JsonObject } from './json';
import { buildLaunchSpec } from './launch';
import type { ResolvedSandboxOptions } from './options';
import { InterpreterPool, type Priority } from './pool';
import { located, toDocument, capitalize } from './positions';
import { checkBodySchema, evaluateBodySchema, parseBody, type EvaluateBody } from './protocol';
import { parseCheckRequest, parseEvaluationRequest, type ValidatedRequest } from './request';
import type {
  CodeSandbox,
  EvaluationError,
  EvaluationRequest,
  EvaluationResult,
  PoolStats,
  PythonIssue,
} from './types';

/** Thrown by check() when no interpreter could look at the code (not a problem in the code). */
export class SandboxUnavailableError extends Error {
  override name = 'SandboxUnavailableError';
}

const OUT_OF_MEMORY = /out of memory|heap limit|allocation failed/i;

export class PythonSandbox implements CodeSandbox {
  private readonly pool: InterpreterPool;
  /** Which optional layers are active in this sandbox. */
  readonly layers: { permissionModel: boolean; policyCheck: boolean };

  constructor(private readonly options: ResolvedSandboxOptions) {
    const spec = buildLaunchSpec(options);
    this.layers = { permissionModel: spec.permissionModel, policyCheck: !options.disablePolicyCheckForTesting };
    this.pool = new InterpreterPool(spec, {
      size: options.poolSize,
      minSize: options.minInterpreters,
      idleReleaseMs: options.idleReleaseMs,
      useSnapshot: options.useSnapshot,
      startupTimeoutMs: options.startupTimeoutMs,
      recycleAfterJobs: options.recycleAfterJobs,
      recycleAboveBytes: (options.recycleAboveMb ?? Math.floor(options.memoryLimitMb * 0.6)) * 1024 * 1024,
    });
  }

  /** Grows the pool to poolSize and resolves when every interpreter is warm (idle ones go again later). */
  ready(): Promise<void> {
    return this.pool.whenReady();
  }

  stats(): PoolStats {
    return this.pool.stats();
  }

  /** PIDs of the interpreter processes, for diagnostics and tests. */
  pids(): number[] {
    return this.pool.pids();
  }

  async check(code: string, mode: 'condition' | 'code'): Promise<PythonIssue[]> {
    const request = parseCheckRequest(code, mode);
    const outcome = await this.pool.submit('check', JSON.stringify(request), this.options.defaultTimeoutMs, 'editor');
    if (outcome.type === 'timeout') {
      return [{ line: 1, column: 1, message: 'This code is too complex to check; split it into smaller parts' }];
    }
    if (outcome.type === 'died' || outcome.type === 'unavailable') {
      throw new SandboxUnavailableError(`Could not check the Python code: ${outcome.reason}`);
    }
    const body = parseBody(checkBodySchema, outcome.body);
    return body.issues.map((issue) => ({ ...issue, message: capitalize(issue.message) }));
  }

  /**
   * Runs one request on every interpreter of the pool and returns each result with the interpreter's
   * process id. A self-test: the results should be identical.
   */
  async evaluateOnEach(raw: EvaluationRequest): Promise<Array<{ pid: number | undefined; result: EvaluationResult }>> {
    const started = performance.now();
    const request = parseEvaluationRequest(raw);
    const timeoutMs = request.timeoutMs ?? this.options.defaultTimeoutMs;
    const runs = await this.pool.runOnEach('evaluate', this.payload(request), timeoutMs, { mode: request.mode, code: request.code });
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    return runs.map(({ pid, outcome }) => ({ pid, result: { ...this.interpret(outcome, request, timeoutMs), durationMs } }));
  }

  evaluate(req: EvaluationRequest): Promise<EvaluationResult> {
    return this.run(req, 'conversation');
  }

  tryIt(req: EvaluationRequest): Promise<EvaluationResult> {
    return this.run(req, 'editor');
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async run(raw: EvaluationRequest, priority: Priority): Promise<EvaluationResult> {
    const started = performance.now();
    const request = parseEvaluationRequest(raw);
    const timeoutMs = request.timeoutMs ?? this.options.defaultTimeoutMs;
    const outcome = await this.pool.submit('evaluate', this.payload(request), timeoutMs, priority, { mode: request.mode, code: request.code });
    const result = this.interpret(outcome, request, timeoutMs);
    const durationMs = Math.round((performance.now() - started) * 100) / 100;
    return { ...result, durationMs };
  }

  /** The job for the Python runner. Serializing is also the deep copy: code never sees caller objects. */
  private payload(request: ValidatedRequest): string {
    return JSON.stringify({
      mode: request.mode,
      code: request.code,
      attributes: request.attributes,
      data: request.data,
      now: request.clock.now,
      printedLimit: this.options.printedLimitChars,
    });
  }

  private interpret(
    outcome: JobOutcome,
    request: ValidatedRequest,
    timeoutMs: number,
  ): Omit<Extract<EvaluationResult, { ok: true }>, 'durationMs'> | Omit<Extract<EvaluationResult, { ok: false }>, 'durationMs'> {
    const limitMb = this.options.memoryLimitMb;
    const memoryMessage = `the code used more memory than a Procedure may use (${limitMb} MB) and was stopped. Work with smaller values, or fewer at a time`;
    if (outcome.type === 'timeout') {
      return failure({
        kind: 'timeout',
        message: `The code ran for more than ${timeoutMs} ms and was stopped. Look for a loop that never ends, or one that does far more work than needed`,
      });
    }
    if (outcome.type === 'unavailable') {
      return failure({ kind: 'crash', message: `The Python sandbox can't run code right now: ${outcome.reason}` });
    }
    if (outcome.type === 'died') {
      if (outcome.memoryLimitHit || OUT_OF_MEMORY.test(outcome.reason)) {
        return failure({ kind: 'memory', message: capitalize(memoryMessage) });
      }
      return failure({
        kind: 'crash',
        message: `The Python interpreter stopped unexpectedly while running this code, and has been replaced (${outcome.reason}). If it happens again, simplify the code`,
      });
    }

    let body: EvaluateBody;
    try {
      body = parseBody(evaluateBodySchema, outcome.body);
    } catch (error) {
      return failure({ kind: 'crash', message: capitalize((error as Error).message) });
    }
    const printed = body.printedTruncated
      ? `${body.printed}\n… (output cut: print() keeps at most ${this.options.printedLimitChars} characters)`
      : body.printed;

    if (outcome.memoryLimitHit) {
      const where = body.ok ? {} : toDocument(body.error, request.origin);
      return failure({ kind: 'memory', message: located(memoryMessage, where.line), ...where }, printed);
    }
    if (!body.ok) {
      const where = toDocument(body.error, request.origin);
      const message = body.error.kind === 'memory' ? memoryMessage : body.error.message;
      return failure({ kind: body.error.kind, message: located(message, where.line), ...where }, printed);
    }

    const writes = computeAttributeWrites({
      before: request.attributes as JsonObject,
      after: body.attributes,
      returned: body.returned,
      writeLines: body.writeLines,
      returnLine: body.returnLine,
      declared: request.declared,
    });
    if (!writes.ok) {
      const where = toDocument({ line: writes.line, column: null }, request.origin);
      return failure({ kind: 'type', message: located(writes.message, where.line), ...where }, printed);
    }
    const success: Omit<Extract<EvaluationResult, { ok: true }>, 'durationMs'> = {
      ok: true,
      attributeWrites: writes.writes,
      printed,
    };
    if (request.mode === 'condition' && body.value !== null) success.value = body.value;
    return success;
  }
}

function failure(error: EvaluationError, printed = ''): Omit<Extract<EvaluationResult, { ok: false }>, 'durationMs'> {
  return { ok: false, error, printed };
}
