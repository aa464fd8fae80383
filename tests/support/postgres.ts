// A real, throwaway PostgreSQL for tests: no mock of the database. One cluster per test file
// (initdb into a temporary folder, a server on a free port of 127.0.0.1), a fresh database for each
// store a test opens, and everything stopped and removed after the file's last test, even when a
// test fails. If the test process dies instead, the server stops too: it runs under a small shell
// that stops it as soon as its stdin (a pipe from this process) closes.
//
//   const postgres = usePostgres();                   // at the top level of a test file
//   it('…', async () => { const url = await postgres.createDatabase(); … });
//
// PostgreSQL refuses to run as root; as root, the cluster runs as the `postgres` user (setpriv).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The URL of `database` on this cluster, with the user's password. */
  url(database?: string): string;
  /** Creates an empty database with a fresh name; returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

const USER = 'stepwise';

/** The newest installed PostgreSQL's bin folder, or a clear error saying how to install one. */
export function postgresBinDir(root = '/usr/lib/postgresql'): string {
  const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'postgres'))) : [];
  if (versions.length === 0) {
    throw new Error(`No PostgreSQL server found under ${root}/*/bin: the PostgreSQL store's tests run a real one. Install it with \`apt-get install -y postgresql\` (.ci/run does).`);
  }
  versions.sort((a, b) => Number(a) - Number(b));
  return join(root, versions[versions.length - 1]!, 'bin');
}

/** Runs a PostgreSQL program as the user that may own the cluster (not root). */
function asClusterOwner(program: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [program, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', program, ...args]];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

// Stops the server (fast shutdown) when stdin closes: when stop() closes it, or when the test
// process dies, however it dies; then removes the cluster's folder ($1). A server that stops by
// itself leaves the folder (its log says why) and the supervisor exits with its status.
const SUPERVISOR = `
dir=$1; shift
exec 3<&0
"$@" </dev/null &
server=$!
{ cat <&3 >/dev/null; : >"$dir/stopping"; kill -INT "$server" 2>/dev/null; } &
wait "$server"
status=$?
if [ -e "$dir/stopping" ]; then rm -rf "$dir"; fi
exit "$status"
`;

/** `firstPort`: try this port first (tests of the port race); a free one otherwise. */
/** `durable`: PostgreSQL's own defaults (fsync, synchronous commit), as a benchmark compares; tests trade them for speed. */
export async function startPostgresCluster(options: { firstPort?: number; durable?: boolean } = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pg-'));
  const dataDir = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (asRoot) chownSync(passwordFile, uidOf('postgres'), gidOf('postgres'));

  const [initProgram, initArgs] = asClusterOwner(join(bin, 'initdb'), [
    '-D', dataDir, '-U', USER, `--pwfile=${passwordFile}`, '-A', 'scram-sha-256', '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C.UTF-8',
  ]);
  const init = spawnSync(initProgram, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.signal}): ${init.stderr || init.stdout || init.error?.message}`);
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = attempt === 0 && options.firstPort ? options.firstPort : await freePort();
    try {
      const server = await startServer(bin, dir, dataDir, port, password, options.durable ?? false);
      return cluster(server, dir, port, password);
    } catch (error) {
      lastError = error;
      if (!(error as { retry?: boolean }).retry) break;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

async function startServer(bin: string, dir: string, dataDir: string, port: number, password: string, durable: boolean): Promise<ChildProcess> {
  const logFile = join(dir, `server-${port}.log`);
  const [program, args] = asClusterOwner('sh', [
    '-c', SUPERVISOR, 'postgres-supervisor', dir,
    join(bin, 'postgres'), '-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dir,
    // A throwaway cluster: speed over durability, unless asked.
    ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    '-c', 'shared_buffers=16MB',
    '-c', 'max_connections=300', // room for several instances' pools at once
  ]);
  const log = openSync(logFile, 'a');
  if (process.getuid?.() === 0) chownSync(logFile, uidOf('postgres'), gidOf('postgres'));
  const child = spawn(program, args, { stdio: ['pipe', log, log] });
  closeSync(log);
  let exited: string | null = null;
  child.once('exit', (code, signal) => (exited = `exited (${code ?? signal})`));
  // Generous: a loaded 2-core machine has taken 5 s.
  const deadline = Date.now() + 45_000;
  for (;;) {
    // Exited: most likely another process took the port meanwhile; the caller tries another.
    if (exited) throw Object.assign(new Error(`PostgreSQL did not start: it ${exited}. Its log:\n${readFileSync(logFile, 'utf8')}`), { retry: true });
    if (await accepts(port, password)) return child;
    if (Date.now() > deadline) {
      const log = readFileSync(logFile, 'utf8');
      child.stdin?.end();
      throw new Error(`PostgreSQL did not accept connections within 45 s. Its log:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether our server answers on `port`: with our password, so another cluster that won the port race does not count. */
async function accepts(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres', connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

function cluster(server: ChildProcess, dir: string, port: number, password: string): PostgresCluster {
  let databases = 0;
  let stopped: Promise<void> | null = null;
  const url = (database = 'postgres') => `postgres://${USER}:${password}@127.0.0.1:${port}/${database}`;
  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    url,
    async createDatabase() {
      const name = `test_${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: url() });
      await admin.connect();
      try {
        // FILE_COPY (PostgreSQL 15 and later) copies the small template faster than logging it.
        const version = Number((await admin.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v);
        await admin.query(`CREATE DATABASE ${name}${version >= 150000 ? ' STRATEGY = FILE_COPY' : ''}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop() {
      stopped ??= (async () => {
        if (server.exitCode === null && server.signalCode === null) {
          const exit = new Promise<void>((resolve) => server.once('exit', () => resolve()));
          server.stdin?.end();
          const killAfter = setTimeout(() => killServer(dir), 10_000);
          await exit;
          clearTimeout(killAfter);
        }
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** Last resort when a fast shutdown hangs: SIGKILL the postmaster named in its pid file. */
function killServer(dir: string): void {
  try {
    const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

function gidOf(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}

/**
 * The file's PostgreSQL cluster: started before its first test, stopped and removed after its
 * last. What it returns forwards to that cluster, so it can be handed out at once.
 */
export function usePostgres(): PostgresCluster {
  let running: PostgresCluster | undefined;
  beforeAll(async () => {
    running = await startPostgresCluster();
  });
  afterAll(async () => {
    const current = running;
    running = undefined;
    await current?.stop();
  });
  const current = (): PostgresCluster => {
    if (!running) throw new Error('usePostgres(): the cluster runs only while the file’s tests do');
    return running;
  };
  return {
    get host() {
      return current().host;
    },
    get port() {
      return current().port;
    },
    get user() {
      return current().user;
    },
    get password() {
      return current().password;
    },
    url: (database) => current().url(database),
    createDatabase: () => current().createDatabase(),
    stop: () => current().stop(),
  };
}
