// Connecting to PostgreSQL: the URL checked before anything is tried, pools that hand back numbers
// for bigint columns, and a clear error for each way a connection fails (naming the server, the
// user and the database, never the password).
import pg from 'pg';
import { z } from 'zod';
import { StoreError } from '../errors';

export const postgresOptionsSchema = z.strictObject({
  url: z.string().min(1),
  /** Connections for short reads and writes. */
  poolSize: z.number().int().min(1).max(1000).default(10),
  /**
   * Connections for conversation locks: each turn in progress holds one for as long as it runs,
   * so this bounds the turns one instance runs at once (the others wait for a connection).
   */
  lockPoolSize: z.number().int().min(1).max(1000).default(50),
  /** How long a turn waits for another turn's lock on the same conversation before giving up. */
  lockTimeoutMs: z.number().int().min(1).max(3_600_000).default(60_000),
  connectTimeoutMs: z.number().int().min(1).max(600_000).default(10_000),
  /**
   * How long an idle connection stays open. Opening one costs a backend and a password exchange
   * (4-8 ms here), which a turn would wait for: a minute rides out the gaps of bursty traffic.
   */
  idleTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
});

export type PostgresOptions = z.input<typeof postgresOptionsSchema>;
export type ParsedPostgresOptions = z.output<typeof postgresOptionsSchema>;

// The same options may ride in the URL (so `--database` alone can size the pools), e.g.
// postgres://…/stepwise?stepwise_lock_pool_size=100. They are taken out before the URL reaches pg.
// Options given in code win over the URL's.
const URL_OPTIONS = {
  stepwise_pool_size: 'poolSize',
  stepwise_lock_pool_size: 'lockPoolSize',
  stepwise_lock_timeout_ms: 'lockTimeoutMs',
  stepwise_connect_timeout_ms: 'connectTimeoutMs',
  stepwise_idle_timeout_ms: 'idleTimeoutMs',
} as const;

/** The options with the URL's stepwise_* parameters applied (and removed from the URL), checked. */
export function resolvePostgresOptions(input: PostgresOptions): ParsedPostgresOptions {
  if (typeof input?.url !== 'string' || input.url.length === 0) throw new StoreError('PostgreSQL options are not valid: url: give a postgres:// URL.', 'invalid');
  parsePostgresUrl(input.url);
  const url = new URL(input.url);
  const fromUrl: Record<string, number> = {};
  for (const [name, value] of [...url.searchParams.entries()]) {
    if (!name.startsWith('stepwise_')) continue;
    const option = URL_OPTIONS[name as keyof typeof URL_OPTIONS];
    if (!option) throw new StoreError(`The PostgreSQL URL has an unknown parameter ${name}: use ${Object.keys(URL_OPTIONS).join(', ')}.`, 'invalid');
    if (!/^\d+$/.test(value)) throw new StoreError(`The PostgreSQL URL's ${name} must be a whole number, not "${value}".`, 'invalid');
    fromUrl[option] = Number(value);
    url.searchParams.delete(name);
  }
  const parsed = postgresOptionsSchema.safeParse({ ...fromUrl, ...withoutUndefined(input), url: url.toString() });
  if (!parsed.success) throw new StoreError(`PostgreSQL options are not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`, 'invalid');
  return parsed.data;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

const INT8 = 20;
const TIMESTAMPTZ = 1184;

// bigint ids and count(*) as numbers (they stay far below 2^53), timestamps as ISO strings like
// the SQLite store's. Per pool, never the global parsers another library in the process may rely on.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === TIMESTAMPTZ) return (value: string) => new Date(value).toISOString();
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

/** Where a URL points, for messages: never its password. */
export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** Reads a postgres:// URL, or says what is wrong with it. */
export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('The PostgreSQL URL is not a URL: write it as postgres://user:password@host:5432/database.', 'invalid');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreError(`The PostgreSQL URL must start with postgres:// or postgresql://, not ${parsed.protocol}//.`, 'invalid');
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new StoreError('The PostgreSQL URL names no database: add it after the host, as in postgres://user:password@host:5432/stepwise.', 'invalid');
  if (!parsed.hostname && !parsed.searchParams.get('host')) throw new StoreError('The PostgreSQL URL names no host.', 'invalid');
  const port = parsed.port ? Number(parsed.port) : 5432;
  return { host: parsed.hostname || parsed.searchParams.get('host')!, port, user: decodeURIComponent(parsed.username) || '(default user)', database };
}

export function describeTarget(target: PostgresTarget): string {
  return `${target.user}@${target.host}:${target.port}/${target.database}`;
}

/**
 * `pipeline`: statements are sent without waiting for the answer to the one before (node-postgres'
 * pipelining). `lockTimeoutMs`: how long any statement on these connections waits for a lock.
 */
export function createPool(options: ParsedPostgresOptions, max: number, { pipeline = false, lockTimeoutMs }: { pipeline?: boolean; lockTimeoutMs?: number } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max,
    connectionTimeoutMillis: options.connectTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs,
    types,
    pipeline,
    ...(lockTimeoutMs === undefined ? {} : { lock_timeout: lockTimeoutMs }),
  });
  // An idle connection the server drops (a restart, a failover) must not crash the process; the
  // pool discards it and the next query opens another.
  pool.on('error', () => undefined);
  return pool;
}

/** A connection failure in words: what happened, to which server, and what to check. */
export function connectionError(error: unknown, target: PostgresTarget): StoreError {
  const where = describeTarget(target);
  const code = (error as { code?: string }).code;
  const detail = (error as Error).message ?? String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return new StoreError(`PostgreSQL at ${target.host}:${target.port} refused the connection: no server is listening there. Check the host and port, and that the server is running.`, 'unavailable');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StoreError(`PostgreSQL host "${target.host}" cannot be found (DNS). Check the host in the URL.`, 'unavailable');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StoreError(`PostgreSQL at ${target.host}:${target.port} is unreachable (${code}). Check the host, the port and the network.`, 'unavailable');
    case '28P01':
      return new StoreError(`PostgreSQL refused the password of user "${target.user}" (${where}). Check the password in the URL.`, 'unavailable');
    case '28000':
      return new StoreError(`PostgreSQL does not let user "${target.user}" connect (${where}): ${detail}. Check pg_hba.conf and the user.`, 'unavailable');
    case '3D000':
      return new StoreError(`PostgreSQL has no database "${target.database}" (${where}). Create it first (createdb ${target.database}).`, 'unavailable');
    case '53300':
      return new StoreError(`PostgreSQL at ${where} has no connection slot left (too many clients). Lower the pool sizes or raise max_connections.`, 'unavailable');
    default:
      if (/timeout/i.test(detail)) return new StoreError(`PostgreSQL at ${target.host}:${target.port} did not answer in time (${detail}). Check the host, the port and the network.`, 'unavailable');
      return new StoreError(`Cannot use PostgreSQL at ${where}: ${detail}`, 'unavailable');
  }
}
