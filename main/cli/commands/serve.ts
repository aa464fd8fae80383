// `stepwise serve`: the headless production server (main/production/), and `stepwise serve-keys`:
// its client API keys. The server runs until SIGTERM or SIGINT (a graceful shutdown) and reloads
// its bundles on SIGHUP.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createApiKey } from '../../production/api-keys';
import { BundleSetError } from '../../production/bundle-set';
import { ConfigError, resolveConfig } from '../../production/config';
import { SecretsError } from '../../production/secrets';
import { startProductionServer, StartupError } from '../../production/server';
import { describeDatabase, isPostgresUrl } from '../../production/server-store';
import { PostgresConversationStore } from '../../store/postgres/conversation-store';
import { ensurePrivateFolder } from '../../store/private-files';
import type { ProductionRepository } from '../../store/production';
import { Workspace } from '../../store/workspace';
import { parseCommandArgs, UsageError, type Command } from '../io';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the production server on signed bundles (HTTP API, webhooks, metrics; docs/production.md)',
  usage: 'serve <bundle…> [--port <n>] [--host <address>] [--trust <public-key-file>]… [--database <sqlite-file | postgres://…>] [--config <file>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      port: { type: 'string' },
      host: { type: 'string' },
      trust: { type: 'string', multiple: true },
      database: { type: 'string' },
      config: { type: 'string' },
    });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!/^\d+$/.test(values.port!) || port > 65535)) throw new UsageError(`--port takes a port number from 0 to 65535 (got "${values.port}").`);
    const local = (path: string) => (/^[a-z]+:\/\//i.test(path) ? path : resolve(io.cwd, path));
    let config;
    try {
      config = resolveConfig(
        {
          bundles: positionals.map(local),
          ...(values.trust ? { trust: values.trust.map(local) } : {}),
          ...(port !== undefined ? { port } : {}),
          ...(values.host ? { host: values.host } : {}),
          ...(values.database ? { database: local(values.database) } : {}),
        },
        values.config ? resolve(io.cwd, values.config) : undefined,
      );
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    if (config.bundles.length === 0) throw new UsageError('Name at least one bundle to serve (or list them in the config file).');
    let server;
    try {
      server = await startProductionServer({ config, env: io.env ?? process.env });
    } catch (error) {
      if (error instanceof BundleSetError || error instanceof SecretsError || error instanceof StartupError) {
        io.err(`The server did not start: ${error.message}`);
        return 1;
      }
      throw error;
    }
    const note = npmSignalNote(io.env ?? process.env, process.pid);
    if (note) io.err(note);
    io.err(`Serving ${config.bundles.length} bundle${config.bundles.length === 1 ? '' : 's'} at ${server.url} (database ${describeDatabase(config.database)}).`);
    return await new Promise<number>((done) => {
      const reload = () => {
        server.reload().catch(() => undefined); // refused sets are logged; the old one keeps serving
      };
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGHUP', reload);
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        server.logger.info({ signal }, 'shutting down');
        server.close().then(
          () => done(0),
          () => done(1),
        );
      };
      process.on('SIGHUP', reload);
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
  },
};

export const serveKeysCommand: Command = {
  name: 'serve-keys',
  summary: "The production server's client API keys: create (the token is shown once), list, revoke",
  usage: 'serve-keys create|list|revoke [<fingerprint>] --database <sqlite-file | postgres://…> [--scope conversations|admin] [--name <name>]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { database: { type: 'string' }, scope: { type: 'string', default: 'conversations' }, name: { type: 'string' } });
    const [action, fingerprint, ...rest] = positionals;
    if (!values.database) throw new UsageError('Name the server\'s database with --database <file>.');
    if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}".`);
    const postgres = isPostgresUrl(values.database);
    const path = postgres ? values.database : resolve(io.cwd, values.database);
    if (action === 'create' && values.scope !== 'conversations' && values.scope !== 'admin') throw new UsageError(`--scope is conversations or admin (got "${values.scope}").`);
    if (action !== 'create' && !postgres && !existsSync(path)) throw new UsageError(`There is no server database at ${path}.`);
    if (action === 'revoke' && !fingerprint) throw new UsageError('Name the key to revoke by its fingerprint (serve-keys list shows them).');
    if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError(action ? `Unknown serve-keys action "${action}".` : 'Say what to do: serve-keys create|list|revoke.');
    const { keys, close } = await openKeyStore(path, postgres);
    try {
      if (action === 'create') {
        const { token, key } = await createApiKey(keys, { name: values.name ?? `${values.scope} key`, scope: values.scope as 'conversations' | 'admin' });
        io.err(`Created ${key.scope} key "${key.name}" (${key.fingerprint}). The token is shown only now; the server keeps only its SHA-256:`);
        io.out(token);
        return 0;
      }
      if (action === 'list') {
        for (const key of await keys.listApiKeys()) io.out(`${key.fingerprint}  ${key.scope.padEnd(13)}  ${key.name}  created ${key.createdAt}${key.revokedAt ? `  revoked ${key.revokedAt}` : ''}`);
        return 0;
      }
      if (!(await keys.revokeApiKey(fingerprint!))) {
        io.err(`No live key has the fingerprint ${fingerprint}.`);
        return 1;
      }
      io.out(`Revoked ${fingerprint}.`);
      return 0;
    } finally {
      await close();
    }
  },
};

/** The keys of a server's database: its SQLite file (created if absent) or its PostgreSQL database. */
async function openKeyStore(database: string, postgres: boolean): Promise<{ keys: ProductionRepository; close(): Promise<void> }> {
  if (postgres) {
    const store = await PostgresConversationStore.open({ url: database });
    return { keys: store.production, close: () => store.close() };
  }
  if (!existsSync(database)) {
    ensurePrivateFolder(dirname(database)); // 0700, as the server makes it
    Workspace.create(database).close();
  }
  const workspace = Workspace.open(database, { activityDurability: 'full' });
  return { keys: workspace.production, close: async () => workspace.close() };
}

/**
 * npm (`npm run`, `npx`) passes no signal on to the process it started: a SIGHUP or SIGTERM sent to
 * npm ends npm and leaves the server running. Said at start, with the pid the signals must go to.
 */
export function npmSignalNote(env: NodeJS.ProcessEnv, pid: number): string | null {
  if (!env.npm_command) return null;
  return `Started through npm, which passes no signals on: send SIGHUP (reload) and SIGTERM (stop) to pid ${pid}, or run "node scripts/stepwise.mjs serve …" under a service manager.`;
}
