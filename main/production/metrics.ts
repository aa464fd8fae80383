// Prometheus metrics (prom-client), one registry per server, fed from the trace of each turn.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TraceEvent } from '../runtime/types';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly turns = new Counter({ name: 'stepwise_turns_total', help: 'Agent turns run, by result.', labelNames: ['result'] as const, registers: [this.registry] });
  readonly turnSeconds = new Histogram({ name: 'stepwise_turn_seconds', help: 'Turn latency, whole.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [this.registry] });
  readonly turnServerSeconds = new Histogram({
    name: 'stepwise_turn_server_seconds',
    help: 'Turn latency excluding the time spent waiting for the model.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly modelCalls = new Counter({ name: 'stepwise_model_calls_total', help: 'Model calls, by result.', labelNames: ['result'] as const, registers: [this.registry] });
  readonly modelTokens = new Counter({ name: 'stepwise_model_tokens_total', help: 'Model tokens, by kind.', labelNames: ['kind'] as const, registers: [this.registry] });
  readonly modelCost = new Counter({ name: 'stepwise_model_cost_usd_total', help: 'Model cost in US dollars, at the configured prices.', registers: [this.registry] });
  readonly handoffs = new Counter({ name: 'stepwise_handoffs_total', help: 'Handoffs and escalations, by kind and reason.', labelNames: ['kind', 'reason'] as const, registers: [this.registry] });
  readonly connectorCalls = new Counter({ name: 'stepwise_connector_calls_total', help: 'Connector calls, by action and result.', labelNames: ['action', 'result'] as const, registers: [this.registry] });
  readonly webhookDeliveries = new Counter({ name: 'stepwise_webhook_deliveries_total', help: 'Webhook delivery attempts, by result (delivered, retry, gave_up).', labelNames: ['result'] as const, registers: [this.registry] });
  readonly activeConversations: Gauge;
  readonly httpRequests = new Counter({ name: 'stepwise_http_requests_total', help: 'HTTP requests, by status class.', labelNames: ['status'] as const, registers: [this.registry] });

  constructor(countOpen: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry });
    this.activeConversations = new Gauge({
      name: 'stepwise_conversations_active',
      help: 'Production conversations not closed (active or waiting).',
      registers: [this.registry],
      // Read at scrape time from the database, so every instance reports the same truth. With the
      // database down the gauge keeps its last value: the scrape (and every other metric) still answers.
      async collect() {
        const open = await countOpen().catch(() => null);
        if (open !== null) this.set(open);
      },
    });
  }

  /**
   * Counts a model or connector call as it happens (the engines' trace events): a turn that fails
   * afterwards still spent them.
   */
  recordCall(event: TraceEvent): void {
    const p = event.payload;
    if (event.type === 'model_call') {
      this.modelCalls.inc({ result: p.ok === false ? 'failed' : 'ok' });
      const usage = p.usage as Partial<Record<'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens', number>> | undefined;
      if (usage) {
        for (const [kind, key] of [['input', 'inputTokens'], ['output', 'outputTokens'], ['cache_read', 'cacheReadTokens'], ['cache_write', 'cacheWriteTokens']] as const) {
          if (usage[key]) this.modelTokens.inc({ kind }, usage[key]);
        }
      }
      if (typeof p.costUsd === 'number') this.modelCost.inc(p.costUsd);
    } else if (event.type === 'connector_call') {
      const record = p.record as { error?: string | null } | undefined;
      this.connectorCalls.inc({ action: String(p.action), result: record?.error ? 'error' : 'ok' });
    }
  }

  /** Counts a finished turn from its trace (its handoffs, its time); returns the model's share of its time (ms). */
  recordTurn(trace: readonly TraceEvent[], totalMs: number, result: 'ok' | 'failed'): number {
    let modelMs = 0;
    for (const event of trace) {
      const p = event.payload;
      if (event.type === 'model_call') modelMs += Number(p.latencyMs ?? 0);
      else if (event.type === 'handoff' || event.type === 'escalation') this.handoffs.inc({ kind: event.type, reason: String(p.reason ?? 'unknown').slice(0, 80) });
    }
    this.turns.inc({ result });
    this.turnSeconds.observe(totalMs / 1000);
    this.turnServerSeconds.observe(Math.max(0, totalMs - modelMs) / 1000);
    return modelMs;
  }
}
