// Handoff and escalation webhooks, delivered from the durable outbox (written in the turn's own
// transaction). Each POST is signed: `Stepwise-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
// "<t>.<body>">`, so a receiver checks the sender and refuses replays older than it tolerates.
// Failed deliveries are retried with exponential backoff (jittered), up to maxAttempts; a row
// left undelivered by a crash is simply still due when the server starts again.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ProductionRepository } from '../store/production';

export const SIGNATURE_HEADER = 'stepwise-signature';

export function signWebhook(body: string, secret: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/** A receiver's check: the signature matches and is no older than `toleranceSeconds`. */
export function verifyWebhookSignature(header: string | undefined, body: string, secret: string, options: { nowSeconds: number; toleranceSeconds: number }): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  const timestamp = Number(match[1]);
  if (Math.abs(options.nowSeconds - timestamp) > options.toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(body, secret, timestamp).split('v1=')[1]!, 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): doubling, capped at an hour, ±20 % jitter. */
export function retryDelayMs(attempt: number, firstRetryMs: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, firstRetryMs * 2 ** (attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export interface OutboxOptions {
  url: string;
  secret: string;
  maxAttempts: number;
  firstRetryMs: number;
  timeoutMs: number;
  /** How often to look for due rows when idle. */
  pollMs?: number;
  onDelivery?: (result: 'delivered' | 'retry' | 'gave_up', info: { id: number; event: string; status: number | null; error: string | null }) => void;
  /** A pass that could not read or update the outbox (the database down): its rows stay due for the next. */
  onPassFailed?: (error: Error) => void;
}

export class WebhookOutbox {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly repository: ProductionRepository,
    private readonly options: OutboxOptions,
  ) {}

  /** Starts delivering. Rows a previous run left undelivered are due at once: a restart is when things were fixed. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.repository.rescheduleUndelivered(this.options.maxAttempts);
    this.schedule(0);
  }

  /** Look now (a turn just wrote rows). */
  kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Delivers every due row once; resolves when this pass is done, never rejects (the rows stay due). */
  flush(): Promise<void> {
    this.running ??= this.pass()
      .catch((error: unknown) => {
        this.options.onPassFailed?.(error as Error);
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().finally(() => {
        if (!this.stopped && !this.timer) this.schedule(this.options.pollMs ?? 1000);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const due = await this.repository.dueOutbox(new Date().toISOString(), 50);
    for (const row of due) await this.deliver(row);
  }

  private async deliver(row: { id: number; event: string; body: string; attempts: number }) {
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(row.body, this.options.secret, timestamp), 'stepwise-event': row.event, 'stepwise-delivery': String(row.id) },
        body: row.body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) {
        await this.repository.markDelivered(row.id);
        this.options.onDelivery?.('delivered', { id: row.id, event: row.event, status, error });
        return;
      }
      error = `HTTP ${response.status}`;
    } catch (caught) {
      error = deliveryError(caught as Error, this.options.timeoutMs);
    }
    const attempt = row.attempts + 1;
    const giveUp = attempt >= this.options.maxAttempts;
    // A row given up on stays undelivered with its last error, far in the future, for an operator.
    const next = giveUp ? '9999-12-31T00:00:00.000Z' : new Date(Date.now() + retryDelayMs(attempt, this.options.firstRetryMs)).toISOString();
    await this.repository.markAttemptFailed(row.id, next, error ?? 'unknown');
    this.options.onDelivery?.(giveUp ? 'gave_up' : 'retry', { id: row.id, event: row.event, status, error });
  }
}

/** Why a delivery failed, in a line: fetch's own "fetch failed" says nothing without its cause (ECONNREFUSED, say). */
function deliveryError(error: Error, timeoutMs: number): string {
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.message ? `${error.message}: ${cause.code && !cause.message.includes(cause.code) ? `${cause.code} ` : ''}${cause.message}` : error.message;
}
