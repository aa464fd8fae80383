// A connection of its own that LISTENs on one channel, reconnecting after it drops (a restart, a
// failover, a cut), and says when it listens and when it does not: whoever relies on hearing every
// notification must not rely on it in between.
import pg from 'pg';

export interface ListenerHandlers {
  notified(): void;
  listening(listening: boolean): void;
}

export class NotificationListener {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly connection: { url: string; connectTimeoutMs: number },
    private readonly channel: string,
    private readonly handlers: ListenerHandlers,
    private readonly retryMs = 1_000,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`"${channel}" is not a channel name this listener takes.`);
  }

  /** Connects and listens; resolves once listening or once the first attempt failed (it retries). */
  async start(): Promise<void> {
    if (this.stopped || this.client) return;
    // Half-open connections (a peer gone without a word) are found by TCP keep-alive.
    const client = new pg.Client({ connectionString: this.connection.url, connectionTimeoutMillis: this.connection.connectTimeoutMs, keepAlive: true });
    this.client = client;
    let lost = false;
    const drop = () => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      this.handlers.listening(false);
      client.end().catch(() => undefined);
      this.scheduleRetry();
    };
    client.on('error', drop);
    client.on('end', drop);
    client.on('notification', (message) => {
      if (message.channel === this.channel) this.handlers.notified();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (!lost && !this.stopped) this.handlers.listening(true);
    } catch {
      drop();
    }
  }

  /** Stops listening for good. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.handlers.listening(false);
    await client?.end().catch(() => undefined);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.start();
    }, this.retryMs);
    this.retry.unref();
  }
}
