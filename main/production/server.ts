// The headless production server: signed bundles in, customer conversations over HTTP out, on the
// very engine the studio's preview and the simulations use (assembly/engine.ts). It never imports
// the app, the renderer or Electron.
//
//   const server = await startProductionServer({ config, env: process.env });
//   …  server.reload()  …  await server.close()
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { appVersion } from '../app-version';
import { createEngine } from '../assembly/engine';
import { lazyPythonSandbox } from '../assembly/lazy-sandbox';
import { ModelClient, type ModelCaller } from '../model/client';
import { DEFAULT_MODELS, DEFAULT_PRICES, settingsFromEnvironment } from '../model/settings';
import type { CodeSandbox } from '../sandbox/types';
import { EscalationPolicySchema, type EscalationPolicy } from '../runtime/escalation';
import type { ProcedureCatalog } from '../runtime/types';
import { StoreError } from '../store/errors';
import type { Workspace } from '../store/workspace';
import { describeZodError } from '../validation/zod-error';
import { KeyRing } from './api-keys';
import { loadBundleSet, type BundleSet } from './bundle-set';
import { BundleCatalog, setProcedures } from './catalog';
import type { ServerConfig } from './config';
import { SwappableConnectors } from './connectors';
import { ApiError, sendError, sendJson } from './http';
import { exposedDataPaths } from './data-permissions';
import { createLogger, type Logger } from './logger';
import { ServerMetrics } from './metrics';
import { ProductionPersistence } from './persistence';
import { RateLimiter } from './rate-limit';
import { handleRequest, type ServerContext } from './routes';
import { openServerStore, type ServerStore } from './server-store';
import { readSecretsFile, SecretsError, ServerSecretStore } from './secrets';
import { WebhookOutbox } from './webhooks';

export interface ProductionServerOptions {
  config: ServerConfig;
  env: NodeJS.ProcessEnv;
  /** A sandbox the caller owns (tests); by default the server starts its own on first use. */
  sandbox?: CodeSandbox;
  /** A model the caller built; by default from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL. */
  model?: ModelCaller;
  logDestination?: pino.DestinationStream;
}

export interface ProductionServer {
  url: string;
  port: number;
  /** Loads the bundles again; a set that fails to load is refused and the old one keeps serving. */
  reload(): Promise<{ setHash: string }>;
  /** Stops accepting, lets turns in flight finish (up to the deadline), flushes the outbox. */
  close(): Promise<void>;
  readonly logger: Logger;
}

/** A server that cannot start; the message says everything that is wrong. */
export class StartupError extends Error {}

/** Every secret the server needs and was not given, in one error: the connectors' and the webhook's signing secret (`webhookSecretMissing`: its variable). */
async function requireSecrets(secrets: ServerSecretStore, names: readonly string[], webhookSecretMissing: string | null): Promise<void> {
  const webhookLine = `the webhook's signing secret (environment variable ${webhookSecretMissing})`;
  try {
    await secrets.requireAll(names);
  } catch (error) {
    if (error instanceof SecretsError && webhookSecretMissing) throw new SecretsError(`${error.message}\nand ${webhookLine}.`, error.missing);
    throw error;
  }
  if (webhookSecretMissing) throw new StartupError(`A webhook URL is configured but its signing secret is not: set the environment variable ${webhookSecretMissing}.`);
}

export async function startProductionServer(options: ProductionServerOptions): Promise<ProductionServer> {
  const { config, env } = options;
  const trustedKeys = config.trust.map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new StartupError(`The trusted key ${file} could not be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
  });
  const secrets = new ServerSecretStore(env, config.secretsFile ? readSecretsFile(config.secretsFile) : {});
  const webhookSecret = config.webhook ? env[config.webhook.secretEnv] : undefined;
  // Said with the connectors' missing secrets, once the bundles say which: every missing name at once.
  const webhookSecretMissing = config.webhook && !webhookSecret ? config.webhook.secretEnv : null;

  const model = options.model ?? buildModel(config, env);
  const escalation = config.escalation ? parseEscalation(config.escalation) : null;
  const ownSandbox = options.sandbox ? null : lazyPythonSandbox();
  const sandbox: CodeSandbox = options.sandbox ?? ownSandbox!;
  let knownSecretValues: string[] = webhookSecret ? [webhookSecret] : [];
  const logger = createLogger({ level: config.logLevel, secrets: () => knownSecretValues, ...(options.logDestination ? { destination: options.logDestination } : {}) });

  let bundleSet: BundleSet;
  try {
    bundleSet = await loadBundleSet(config.bundles, { trustedKeys, sandbox });
    await requireSecrets(secrets, bundleSet.secretNames, webhookSecretMissing);
  } catch (error) {
    await ownSandbox?.close();
    throw error;
  }
  knownSecretValues = [...secrets.values(bundleSet.secretNames), ...(webhookSecret ? [webhookSecret] : [])];

  let store: ServerStore;
  try {
    store = await openServerStore(config.database, { durability: config.sqliteDurability });
  } catch (error) {
    await ownSandbox?.close();
    throw new StartupError(`The database could not be opened: ${(error as Error).message}`);
  }
  if (store.kind === 'sqlite') {
    for (const exposed of exposedDataPaths(config.database)) logger.warn({ path: exposed.path, readableBy: exposed.readableBy }, exposed.message);
  }
  const catalog = new BundleCatalog();
  const connectors = new SwappableConnectors(secrets, config.approve, () => undefined);
  // Each conversation's first save records the set it started on (the current one then).
  const persistence = new ProductionPersistence(store.conversations, store.production, () => catalog.currentSet);
  // On PostgreSQL an engine per turn (and one for starts and reads): another instance may have run a
  // conversation's last turn, so no engine may keep a conversation's state between turns. On SQLite
  // whole turns share the one engine (routes.ts, sharedTurnEngine).
  // `procedures`: a conversation's own bundle set, when it started on another than the current one.
  const metrics = new ServerMetrics(() => store.production.countOpen());
  const newEngine = (stream = false, procedures: ProcedureCatalog = catalog) => {
    const { engine: created } = createEngine({
      workspace: store.local,
      model,
      draft: false,
      connectors,
      sandbox,
      catalog: procedures,
      persistence,
      ...(escalation ? { escalation } : {}),
      // Streamed from the model only when the client streams: whole replies skip the parsing of partial tool input.
      stream,
    });
    created.subscribe((_conversation, event) => metrics.recordCall(event));
    return created;
  };
  /** Makes `set` the one new conversations use: at start and on each reload. */
  const serveSet = async (set: BundleSet) => {
    // Kept in the database first, so every instance can serve a conversation on this set.
    await store.production.keepBundleSet(set.hash, setProcedures(set.procedures));
    catalog.replace(set.procedures, set.hash);
    await connectors.replace(set.connectors);
    replaceKnowledge(store.local, set);
  };
  let engine;
  try {
    await serveSet(bundleSet);
    engine = newEngine();
  } catch (error) {
    await connectors.close();
    await ownSandbox?.close();
    await store.close();
    throw error;
  }
  const outbox = config.webhook
    ? new WebhookOutbox(store.production, {
        url: config.webhook.url,
        secret: webhookSecret!,
        maxAttempts: config.webhook.maxAttempts,
        firstRetryMs: config.webhook.firstRetryMs,
        timeoutMs: config.webhook.timeoutMs,
        pollMs: Math.min(1000, config.webhook.firstRetryMs),
        onDelivery: (result, info) => {
          metrics.webhookDeliveries.inc({ result });
          logger[result === 'delivered' ? 'info' : 'warn']({ delivery: info.id, event: info.event, status: info.status, error: info.error }, `webhook ${result}`);
        },
        onPassFailed: (error) => logger.warn({ error: error.message }, 'webhook outbox unreadable; its deliveries wait for the next pass'),
      })
    : null;

  let loadedAt = new Date().toISOString();
  let reloading: Promise<{ setHash: string }> | null = null;
  /** `log`: the admin request's logger, so its lines carry the request id (a SIGHUP's have none). */
  const reload = (log: Logger = logger) => {
    reloading ??= (async () => {
      try {
        const next = await loadBundleSet(config.bundles, { trustedKeys, sandbox });
        await secrets.requireAll(next.secretNames);
        await serveSet(next);
        bundleSet = next;
        knownSecretValues = [...secrets.values(next.secretNames), ...(webhookSecret ? [webhookSecret] : [])];
        loadedAt = new Date().toISOString();
        log.info({ setHash: next.hash, bundles: next.bundles.map((bundle) => bundle.file) }, 'bundles reloaded');
        return { setHash: next.hash };
      } catch (error) {
        log.error({ error: (error as Error).message }, 'reload refused; the previous bundles keep serving');
        throw error;
      }
    })().finally(() => (reloading = null));
    return reloading;
  };

  const inFlight = new Set<Promise<unknown>>();
  let accepting = true;
  let ready = false;
  const context: ServerContext = {
    config,
    engine,
    newEngine,
    sharedTurnEngine: store.kind === 'sqlite',
    store,
    catalog,
    keys: new KeyRing(store.production, config.apiKeys),
    limiter: new RateLimiter(config.rateLimit),
    metrics,
    logger,
    version: appVersion(),
    bundleSet: () => ({ set: bundleSet, loadedAt }),
    reload,
    isReady: async () => {
      if (!ready || !accepting) return false;
      // A database that hangs is as unready as one that refuses: the probe answers within 2 s.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('no answer')), 2000)));
      try {
        await Promise.race([store.production.ping(), timeout]);
        return true;
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    accepting: () => accepting,
    track: (promise) => {
      inFlight.add(promise);
      void promise.catch(() => undefined).finally(() => inFlight.delete(promise));
      return promise;
    },
    turnSaved: () => outbox?.kick(),
    inFlightKeys: new Map(),
  };

  const server: Server = createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const log = logger.child({ reqId: requestId });
    const started = performance.now();
    res.on('finish', () => {
      metrics.httpRequests.inc({ status: `${Math.floor(res.statusCode / 100)}xx` });
      log.info({ method: req.method, path: (req.url ?? '').split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    handleRequest(context, req, res, log, started).catch((error: unknown) => failed(res, error, log));
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await outbox?.start();
  ready = true;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, setHash: bundleSet.hash, bundles: bundleSet.bundles.map((bundle) => bundle.file), procedures: catalog.list().map((entry) => entry.name) }, 'server started');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    logger,
    reload,
    close() {
      closing ??= (async () => {
        accepting = false;
        ready = false;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), config.shutdownDeadlineMs).unref());
        const finished = await Promise.race([Promise.allSettled([...inFlight]).then(() => 'done' as const), deadline]);
        if (finished === 'deadline') logger.warn({ inFlight: inFlight.size }, 'shutdown deadline passed with turns still running');
        server.closeAllConnections();
        await stopped;
        if (outbox) {
          await outbox.flush().catch((error: unknown) => logger.error({ error: (error as Error).message }, 'outbox flush failed'));
          await outbox.stop();
        }
        await connectors.close();
        await ownSandbox?.close();
        await store.close();
        logger.info('server stopped');
        logger.flush();
      })();
      return closing;
    },
  };
}

function parseEscalation(input: Record<string, unknown>): Partial<EscalationPolicy> {
  const parsed = EscalationPolicySchema.partial().strict().safeParse(input);
  if (!parsed.success) throw new StartupError(`The escalation settings in the config are not valid: ${describeZodError(parsed.error)}`);
  return input as Partial<EscalationPolicy>;
}

function buildModel(config: ServerConfig, env: NodeJS.ProcessEnv): ModelCaller {
  const settings = settingsFromEnvironment(env, {
    models: { ...DEFAULT_MODELS, ...(config.model.agent ? { agent: config.model.agent } : {}) },
    ...(config.model.maxTokens ? { maxTokens: config.model.maxTokens } : {}),
    prices: { ...DEFAULT_PRICES, ...config.model.prices },
  });
  if (!settings.apiKey && !settings.baseURL) throw new StartupError('No model is configured: set ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for an Anthropic-compatible server).');
  return new ModelClient(settings);
}

/** The knowledge hub the agent searches becomes the set's articles. */
function replaceKnowledge(workspace: Workspace, set: BundleSet) {
  const titles = new Set(set.articles.map((article) => article.title));
  workspace.transaction(() => {
    for (const article of set.articles) workspace.knowledge.save(article, 'bundle');
    for (const stored of workspace.knowledge.list({ limit: 1_000_000 })) if (!titles.has(stored.title)) workspace.knowledge.delete(stored.id);
  });
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}

function failed(res: ServerResponse, error: unknown, log: Logger) {
  if (error instanceof StoreError && error.code === 'unavailable') {
    // The database down is no fault of the request: say so, and when to try again.
    log.warn({ error: error.message }, 'database unavailable');
    error = new ApiError(503, 'unavailable', 'The database cannot be reached now; nothing was changed. Try again shortly.', { 'retry-after': '1' });
  }
  if (error instanceof ApiError) {
    if (!res.headersSent) sendError(res, error);
    else res.end();
    return;
  }
  log.error({ error: (error as Error).message, stack: (error as Error).stack }, 'request failed');
  if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: `The server failed on this request; its id is ${String(res.getHeader('x-request-id'))}.` } });
  else res.end();
}
