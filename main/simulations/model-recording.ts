// Deterministic replay of model calls. A run's ModelCaller is wrapped so every response is recorded
// with its role, call order and a hash of the request; a replay serves those responses back in the
// same order, offline, and stops with a clear error as soon as a request differs from the recorded
// one (the Procedure, the definition or the runtime changed since).
import { createHash } from 'node:crypto';
import type { ModelCaller, ModelCallOptions, ModelCallRequest, ModelCallResult } from '../model/client';
import type { ModelRole } from '../model/settings';
import { recordedResultSchema, type RecordedModelCall, type RoleUsage, type UsageByRole } from './records';

/** A stable hash of what a call sends (the role picks the model from settings). */
export function requestHash(request: ModelCallRequest): string {
  const body = JSON.stringify([request.role, request.system, request.messages, request.tools ?? null, request.toolChoice ?? null, request.maxTokens ?? null]);
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

export class RecordingModelCaller implements ModelCaller {
  readonly calls: RecordedModelCall[] = [];

  constructor(private readonly inner: ModelCaller) {}

  async call(request: ModelCallRequest, options?: ModelCallOptions): Promise<ModelCallResult> {
    const hash = requestHash(request);
    const result = await this.inner.call(request, options);
    // A JSON copy: what is stored is exactly what a replay will serve.
    const copy = recordedResultSchema.parse(JSON.parse(JSON.stringify(result)));
    this.calls.push({ seq: this.calls.length + 1, role: request.role, requestHash: hash, result: copy });
    return result;
  }

  usage(): UsageByRole {
    return usageByRole(this.calls);
  }
}

/** The replay asked for a response the recording does not have, or sent a different request. */
export class ReplayDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayDivergedError';
  }
}

export class ReplayingModelCaller implements ModelCaller {
  private readonly queues = new Map<ModelRole, RecordedModelCall[]>();
  private served = 0;

  constructor(recorded: readonly RecordedModelCall[]) {
    for (const call of [...recorded].sort((a, b) => a.seq - b.seq)) {
      const queue = this.queues.get(call.role) ?? [];
      queue.push(call);
      this.queues.set(call.role, queue);
    }
  }

  async call(request: ModelCallRequest): Promise<ModelCallResult> {
    const next = this.queues.get(request.role)?.shift();
    this.served += 1;
    if (!next) {
      throw new ReplayDivergedError(`The replay made a ${request.role} call (call ${this.served}) that the recorded run never made: the run behaves differently now.`);
    }
    const hash = requestHash(request);
    if (hash !== next.requestHash) {
      throw new ReplayDivergedError(
        `The replay diverged at call ${next.seq} (${request.role}): the request differs from the recorded one (the Procedure, the simulation or the runtime changed since the run).`,
      );
    }
    return structuredClone(next.result) as unknown as ModelCallResult;
  }

  /** Recorded responses not served yet (a complete replay leaves none). */
  remaining(): number {
    return [...this.queues.values()].reduce((sum, queue) => sum + queue.length, 0);
  }
}

/** Passes an AbortSignal to every call, so cancelling a suite stops the calls in flight. */
export function withSignal(inner: ModelCaller, signal: AbortSignal | undefined): ModelCaller {
  if (!signal) return inner;
  return {
    call(request, options) {
      signal.throwIfAborted();
      return inner.call(request, { ...options, signal });
    },
  };
}

const emptyUsage = (): RoleUsage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, calls: 0, costUsd: 0, unpriced: 0 });

/** Tokens, calls and cost by role. Calls to a model without a price count as unpriced. */
export function usageByRole(calls: readonly RecordedModelCall[]): UsageByRole {
  const usage: UsageByRole = {};
  for (const call of calls) {
    const entry = (usage[call.role] ??= emptyUsage());
    entry.inputTokens += call.result.usage.inputTokens;
    entry.outputTokens += call.result.usage.outputTokens;
    entry.cacheReadTokens += call.result.usage.cacheReadTokens;
    entry.cacheWriteTokens += call.result.usage.cacheWriteTokens;
    entry.calls += 1;
    if (call.result.costUsd === null) entry.unpriced += 1;
    else entry.costUsd += call.result.costUsd;
  }
  return usage;
}

export function totalCost(usage: UsageByRole): number {
  return Object.values(usage).reduce((sum, entry) => sum + (entry?.costUsd ?? 0), 0);
}

export function totalTokens(usage: UsageByRole): number {
  return Object.values(usage).reduce((sum, entry) => sum + (entry ? entry.inputTokens + entry.outputTokens + entry.cacheReadTokens + entry.cacheWriteTokens : 0), 0);
}
