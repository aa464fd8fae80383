// The one error type connector calls fail with. Its message says what went wrong and where, and
// never holds a secret value (messages pass through the call's Redactor before they leave).

export type ConnectorErrorKind =
  | 'unknown-action'
  | 'input'
  | 'secret'
  | 'not-approved'
  | 'refused'
  | 'network'
  | 'timeout'
  | 'too-large'
  | 'redirect'
  | 'http'
  | 'response'
  | 'mcp'
  | 'mock';

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    message: string,
    readonly kind: ConnectorErrorKind,
    /** The HTTP status, for kind "http". */
    readonly status?: number,
  ) {
    super(message);
  }

  /** Worth another attempt of an idempotent call. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || (this.kind === 'http' && (this.status === 429 || this.status === 502 || this.status === 503 || this.status === 504));
  }
}
