// Per-key rate limits: a token bucket per key, refilled continuously. Pure apart from the clock it
// is given, so tests drive time.
export interface RateLimitOptions {
  /** Requests a key may make at once after a quiet spell. */
  burst: number;
  /** Sustained requests per second. */
  perSecond: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes one request from the key's bucket: allowed, or how many seconds until one is. */
  take(key: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    const at = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, at };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((at - bucket.at) / 1000) * this.options.perSecond);
    bucket.at = at;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.perSecond)) };
  }
}
