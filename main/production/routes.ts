// The production API's routes. Each request: CORS (only for configured origins), the route, the
// bearer key and its scope, the key's rate limit, then the handler, whose every client mistake is
// an ApiError (4xx JSON), never a crash.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConversationEngine, TurnResult } from '../runtime/engine';
import { ConversationClosedError } from '../runtime/engine';
import type { ConversationState, ProcedureCatalog } from '../runtime/types';
import type { ApiKeyScope } from '../store/production';
import { StoreError } from '../store/errors';
import { allows, type KeyRing } from './api-keys';
import {
  conversationIdSchema,
  createConversationSchema,
  idempotencyKeySchema,
  listConversationsQuerySchema,
  postMessageSchema,
} from './api-schemas';
import type { BundleSet } from './bundle-set';
import type { BundleCatalog } from './catalog';
import type { ServerConfig } from './config';
import { ApiError, jsonBody, parse, sendJson } from './http';
import type { Logger } from './logger';
import type { ServerMetrics } from './metrics';
import { openApiDocument } from './openapi';
import { withRequestContext, type RequestContext } from './persistence';
import type { RateLimiter } from './rate-limit';
import type { ServerStore } from './server-store';
import type { TurnResponse } from './turn-response';

export interface ServerContext {
  config: ServerConfig;
  /** For starts and reads, and on SQLite for whole (not streamed) turns too (see sharedTurnEngine). */
  engine: ConversationEngine;
  /** `procedures`: a conversation's own bundle set, when not the current one. */
  newEngine(stream?: boolean, procedures?: ProcedureCatalog): ConversationEngine;
  /**
   * May whole turns run on `engine`? On SQLite this process is the only one writing conversations,
   * so one engine keeps each conversation's state from its last turn instead of reading it back
   * (and is not built again per turn); on PostgreSQL another instance may run the next turn.
   */
  sharedTurnEngine: boolean;
  store: ServerStore;
  catalog: BundleCatalog;
  keys: KeyRing;
  limiter: RateLimiter;
  metrics: ServerMetrics;
  logger: Logger;
  version: string;
  bundleSet(): { set: BundleSet; loadedAt: string };
  reload(log?: Logger): Promise<{ setHash: string }>;
  isReady(): Promise<boolean>;
  accepting(): boolean;
  /** Keeps a turn in the set graceful shutdown waits for. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** A turn was saved: its outbox rows may be due. */
  turnSaved(): void;
  /** Turns running with an Idempotency-Key in this process: a retry arriving meanwhile waits for the same turn. */
  inFlightKeys: Map<string, { requestHash: string; promise: Promise<TurnResponse> }>;
}

type Key = { id: number; name: string; scope: ApiKeyScope; fingerprint: string };
type Handler = (ctx: ServerContext, req: IncomingMessage, res: ServerResponse, params: { id?: number; key: Key; url: URL; log: Logger; arrivedAt: number }) => Promise<void>;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  scope: ApiKeyScope;
  handler: Handler;
}

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/v1\/conversations$/, scope: 'conversations', handler: createConversation },
  { method: 'GET', pattern: /^\/v1\/conversations$/, scope: 'conversations', handler: listConversations },
  { method: 'GET', pattern: /^\/v1\/conversations\/([^/]+)$/, scope: 'conversations', handler: getConversation },
  { method: 'POST', pattern: /^\/v1\/conversations\/([^/]+)\/messages$/, scope: 'conversations', handler: postMessage },
  { method: 'GET', pattern: /^\/v1\/conversations\/([^/]+)\/transcript$/, scope: 'conversations', handler: getTranscript },
  { method: 'GET', pattern: /^\/v1\/conversations\/([^/]+)\/trace$/, scope: 'conversations', handler: getTrace },
  { method: 'POST', pattern: /^\/v1\/conversations\/([^/]+)\/close$/, scope: 'conversations', handler: closeConversation },
  { method: 'POST', pattern: /^\/v1\/admin\/reload$/, scope: 'admin', handler: reloadBundles },
  { method: 'GET', pattern: /^\/v1\/admin\/bundles$/, scope: 'admin', handler: listBundles },
  { method: 'GET', pattern: /^\/v1\/admin\/keys$/, scope: 'admin', handler: listKeys },
];

/** `arrivedAt`: when the request's headers arrived (performance.now()), so a turn's server time includes reading and checking the request. */
export async function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, log: Logger, arrivedAt: number): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://server.invalid');
  } catch {
    throw new ApiError(400, 'invalid-request', 'The request target is not a valid URL path.');
  }
  const cors = corsHeaders(ctx.config, req);
  for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
  if (req.method === 'OPTIONS' && cors['access-control-allow-origin']) {
    res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type, idempotency-key, x-request-id', 'access-control-max-age': '600' });
    res.end();
    return;
  }

  // Open routes: liveness, readiness, the API's description.
  if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, { ok: true });
  if (url.pathname === '/readyz' && req.method === 'GET') {
    const ready = await ctx.isReady();
    return sendJson(res, ready ? 200 : 503, ready ? { ready: true } : { ready: false, error: { code: 'not-ready', message: ctx.accepting() ? 'The database does not answer.' : 'The server is shutting down.' } });
  }
  if (url.pathname === '/openapi.json' && req.method === 'GET') return sendJson(res, 200, openApiDocument({ maxMessageChars: ctx.config.limits.messageChars, version: ctx.version }));
  if (url.pathname === '/metrics' && req.method === 'GET') {
    if (!ctx.config.metricsPublic) await authenticate(ctx, req, 'admin');
    const text = await ctx.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': ctx.metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(text);
    return;
  }

  const matches = ROUTES.filter((route) => route.pattern.test(url.pathname));
  if (matches.length === 0) throw new ApiError(404, 'unknown-route', `There is no route ${url.pathname}; see /openapi.json.`);
  const route = matches.find((candidate) => candidate.method === req.method);
  if (!route) throw new ApiError(405, 'method-not-allowed', `${url.pathname} takes ${matches.map((candidate) => candidate.method).join(', ')}, not ${req.method}.`, { allow: matches.map((candidate) => candidate.method).join(', ') });
  const key = await authenticate(ctx, req, route.scope);
  const limited = ctx.limiter.take(key.fingerprint);
  if (!limited.allowed) throw new ApiError(429, 'rate-limited', `Too many requests with this key; retry in ${limited.retryAfterSeconds} s.`, { 'retry-after': String(limited.retryAfterSeconds) });
  const idText = route.pattern.exec(url.pathname)![1];
  const id = idText === undefined ? undefined : parse(conversationIdSchema, decodeURIComponent(idText), 'The conversation id');
  await route.handler(ctx, req, res, { ...(id !== undefined ? { id } : {}), key, url, log: log.child({ key: key.fingerprint }), arrivedAt });
}

async function authenticate(ctx: ServerContext, req: IncomingMessage, scope: ApiKeyScope): Promise<Key> {
  const header = req.headers.authorization;
  if (!header) throw new ApiError(401, 'unauthorized', 'This route needs an API key: send Authorization: Bearer <key>.', { 'www-authenticate': 'Bearer' });
  const token = /^Bearer (\S+)$/.exec(header)?.[1];
  if (!token) throw new ApiError(401, 'unauthorized', 'The Authorization header must be "Bearer <key>".', { 'www-authenticate': 'Bearer' });
  const key = await ctx.keys.authenticate(token);
  if (!key) throw new ApiError(401, 'unauthorized', 'The API key is not valid (unknown or revoked).', { 'www-authenticate': 'Bearer error="invalid_token"' });
  if (!allows(key.scope, scope)) throw new ApiError(403, 'forbidden', `This key's scope is ${key.scope}; this route needs the ${scope} scope.`);
  return key;
}

function corsHeaders(config: ServerConfig, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (config.corsOrigins.length === 0 || !origin) return {};
  const allowed = config.corsOrigins.map((entry) => new URL(entry).origin);
  if (!allowed.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'x-request-id, retry-after, idempotent-replayed' };
}

// --- conversations -----------------------------------------------------------------------------

async function createConversation(ctx: ServerContext, req: IncomingMessage, res: ServerResponse) {
  refuseWhenClosing(ctx);
  const input = await jsonBody(req, createConversationSchema, ctx.config.limits.bodyBytes);
  if (input.externalId) {
    const existing = await ctx.store.production.conversationByExternalId(input.externalId);
    if (existing) return sendJson(res, 200, await conversationView(ctx, existing.id));
  }
  if (input.procedure && !(await ctx.catalog.load(input.procedure, { draft: false }))) {
    throw new ApiError(422, 'unknown-procedure', `There is no live Procedure "${input.procedure}" in the loaded bundles (${ctx.catalog.list().map((entry) => entry.name).join(', ')}).`);
  }
  let id: number;
  try {
    id = await ctx.track(
      withRequestContext({ externalId: input.externalId ?? null }, () =>
        ctx.engine.start({ kind: 'production', ...(input.procedure ? { procedure: input.procedure } : {}), ...(input.attributes ? { attributes: input.attributes } : {}) }),
      ),
    );
  } catch (error) {
    // Two creates with one external id at once: the database kept the first; answer with it.
    const raced = input.externalId ? await ctx.store.production.conversationByExternalId(input.externalId) : null;
    if (raced) return sendJson(res, 200, await conversationView(ctx, raced.id));
    throw error;
  }
  sendJson(res, 201, await conversationView(ctx, id), { location: `/v1/conversations/${id}` });
}

async function listConversations(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, { url }: { url: URL }) {
  const query = parse(listConversationsQuerySchema, Object.fromEntries(url.searchParams), 'The query');
  const rows = await ctx.store.production.listConversations({
    ...(query.status ? { status: query.status } : {}),
    ...(query.procedure ? { procedure: query.procedure } : {}),
    ...(query.startedAfter ? { startedAfter: new Date(query.startedAfter).toISOString() } : {}),
    ...(query.startedBefore ? { startedBefore: new Date(query.startedBefore).toISOString() } : {}),
    ...(query.before ? { beforeId: query.before } : {}),
    limit: query.limit,
  });
  sendJson(res, 200, {
    conversations: rows.map((row) => ({ id: row.id, externalId: row.externalId, status: row.status, procedure: row.procedure, startedAt: row.startedAt, endedAt: row.endedAt, closedAt: row.closedAt })),
    next: rows.length === query.limit ? rows[rows.length - 1]!.id : null,
  });
}

async function getConversation(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, { id }: { id?: number }) {
  sendJson(res, 200, await conversationView(ctx, id!));
}

async function getTranscript(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, { id }: { id?: number }) {
  await requireConversation(ctx, id!);
  sendJson(res, 200, { messages: await ctx.store.conversations.conversations.messages(id!) });
}

async function getTrace(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, { id }: { id?: number }) {
  await requireConversation(ctx, id!);
  const events = await ctx.store.conversations.traces.events(id!);
  sendJson(res, 200, { events: events.map((event) => ({ seq: event.seq, type: event.type, stepId: event.stepId, payload: event.payload, at: event.at })) });
}

async function closeConversation(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, { id }: { id?: number }) {
  await requireConversation(ctx, id!);
  // Under the conversation's lock: after any turn in flight, so that turn's save cannot undo it.
  await ctx.store.conversations.withConversationLock(id!, () => ctx.store.production.close(id!));
  sendJson(res, 200, await conversationView(ctx, id!));
}

async function postMessage(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, { id, key, log, arrivedAt }: { id?: number; key: Key; log: Logger; arrivedAt: number }) {
  refuseWhenClosing(ctx);
  const conversationId = id!;
  const input = await jsonBody(req, postMessageSchema(ctx.config.limits.messageChars), ctx.config.limits.bodyBytes);
  // Whether the conversation is there is checked under its lock, in the read that finds whether it is closed.
  const header = req.headers['idempotency-key'];
  const idempotencyKey = header === undefined ? null : parse(idempotencyKeySchema, header, 'The Idempotency-Key header');
  const requestHash = createHash('sha256').update(input.text, 'utf8').digest('hex');
  const stream = input.stream ?? /\btext\/event-stream\b/.test(String(req.headers.accept ?? ''));

  if (idempotencyKey) {
    const replay = await storedTurn(ctx, key.id, conversationId, idempotencyKey, requestHash);
    if (replay) return answerTurn(res, stream, replay, true);
    const running = ctx.inFlightKeys.get(flightKey(key.id, conversationId, idempotencyKey));
    if (running) {
      if (running.requestHash !== requestHash) throw idempotencyMismatch(idempotencyKey);
      return answerTurn(res, stream, await running.promise, true);
    }
  }
  // A stream's headers go out with its first event: a refusal before it (a closed or handed-off
  // conversation, say) is still a plain 4xx JSON answer.
  // Set once the turn's engine is (a closure assigns it: typed so that the checks below stay).
  let stopStream = null as (() => void) | null;
  /** The engine for this turn, once the conversation's bundle set is known (under its lock). */
  const engineFor = async (bundleSet: string | null) => {
    // A conversation started on an earlier bundle set finishes on it; a streamed turn has an
    // engine of its own (its reply listener must hear this turn only).
    const pinned = bundleSet !== null && bundleSet !== ctx.catalog.currentSet;
    const shared = ctx.sharedTurnEngine && !stream && !pinned;
    const engine = shared ? ctx.engine : ctx.newEngine(stream, pinned ? await ctx.catalog.forSet(bundleSet, (hash) => ctx.store.production.bundleSet(hash)) : undefined);
    if (stream) {
      stopStream = engine.subscribeReplies((conversation, text, withdrawn) => {
        if (conversation !== conversationId) return;
        openStream(res);
        res.write(withdrawn ? `event: withdraw\ndata: {}\n\n` : `event: reply\ndata: ${JSON.stringify({ text })}\n\n`);
      });
    }
    return { engine, shared };
  };
  const requestContext: RequestContext = { ...(idempotencyKey ? { idempotency: { keyId: key.id, key: idempotencyKey, requestHash } } : {}) };
  // The conversation's lock spans the whole turn, from reading its state to saving the next one:
  // two messages to one conversation (on any instance) are serialized, never interleaved.
  const run: Promise<{ replay: TurnResponse } | { result: TurnResult }> = ctx.track(
    withRequestContext(requestContext, () =>
      ctx.store.conversations.withConversationLock(conversationId, async () => {
        // Checked again under the lock: the same key may have been answered meanwhile, here or on
        // another instance, and the turn must not run twice.
        if (idempotencyKey) {
          const replay = await storedTurn(ctx, key.id, conversationId, idempotencyKey, requestHash);
          if (replay) return { replay };
        }
        const { production, closedAt, bundleSet } = await ctx.store.production.productionInfo(conversationId);
        if (!production) throw new ApiError(404, 'not-found', `There is no conversation ${conversationId}.`);
        if (closedAt) throw new ApiError(409, 'conversation-closed', `Conversation ${conversationId} was closed at ${closedAt}; start a new one.`);
        const { engine, shared } = await engineFor(bundleSet);
        // Under the lock, so no whole turn can remember a state again until this one has saved its own.
        if (ctx.sharedTurnEngine && !shared) ctx.engine.forget(conversationId);
        return { result: await engine.send(conversationId, input.text) };
      }),
    ),
  );
  const flight = idempotencyKey ? flightKey(key.id, conversationId, idempotencyKey) : null;
  const response = run.then((outcome) => ('replay' in outcome ? outcome.replay : requestContext.saved!));
  void response.catch(() => undefined); // the failure is answered through `run`
  if (flight) {
    ctx.inFlightKeys.set(flight, { requestHash, promise: response });
    void response.catch(() => undefined).finally(() => ctx.inFlightKeys.delete(flight));
  }
  let outcome: Awaited<typeof run>;
  try {
    outcome = await run;
  } catch (error) {
    stopStream?.();
    const refusal = error instanceof ApiError ? error : turnRefusal(error, conversationId);
    if (refusal === null) ctx.metrics.turns.inc({ result: 'failed' });
    const apiError = refusal ?? error;
    if (stream && res.headersSent) {
      const body = apiError instanceof ApiError ? { code: apiError.code, message: apiError.message } : { code: 'internal', message: 'The turn failed; nothing was saved.' };
      if (!(apiError instanceof ApiError)) log.error({ error: (error as Error).message }, 'turn failed');
      res.end(`event: error\ndata: ${JSON.stringify({ error: body })}\n\n`);
      return;
    }
    throw apiError;
  }
  stopStream?.();
  if ('replay' in outcome) return answerTurn(res, stream, outcome.replay, true);
  const result = outcome.result;
  // From the request's arrival: its reading, key check and validation are the server's time too.
  const totalMs = performance.now() - arrivedAt;
  const modelMs = ctx.metrics.recordTurn(result.trace, totalMs, 'ok');
  ctx.turnSaved();
  log.info({ conversation: conversationId, turn: result.status, modelCalls: result.modelCalls, ms: Math.round(totalMs), modelMs }, 'turn');
  if (stream) return answerTurn(res, true, await response, false);
  answerTurn(res, false, await response, false, { 'server-timing': serverTiming(totalMs, modelMs, result.modelCalls) });
}

/** Server-Timing: the turn's whole time on this server and the part spent waiting for the model, with how many calls that was. */
const serverTiming = (totalMs: number, modelMs: number, calls: number) => `total;dur=${totalMs.toFixed(1)}, model;dur=${modelMs.toFixed(1)};desc="${calls} call${calls === 1 ? '' : 's'}"`;

const flightKey = (keyId: number, conversationId: number, key: string) => `${keyId}\u0000${conversationId}\u0000${key}`;

async function storedTurn(ctx: ServerContext, keyId: number, conversationId: number, key: string, requestHash: string): Promise<TurnResponse | null> {
  const stored = await ctx.store.production.idempotency(keyId, conversationId, key);
  if (!stored) return null;
  if (stored.requestHash !== requestHash) throw idempotencyMismatch(key);
  return JSON.parse(stored.response) as TurnResponse;
}

function idempotencyMismatch(key: string) {
  return new ApiError(422, 'idempotency-mismatch', `The Idempotency-Key "${key}" was used for a different message in this conversation; use a new key for a new message.`);
}

function answerTurn(res: ServerResponse, stream: boolean, response: TurnResponse, replayed: boolean, headers: Record<string, string> = {}) {
  const extra: Record<string, string> = replayed ? { 'idempotent-replayed': 'true' } : {};
  if (stream) {
    openStream(res, extra);
    res.end(`event: turn\ndata: ${JSON.stringify(response)}\n\n`);
    return;
  }
  sendJson(res, 200, response, { ...headers, ...extra });
}

function openStream(res: ServerResponse, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
}

function turnRefusal(error: unknown, conversationId: number): ApiError | null {
  if (error instanceof ConversationClosedError) return new ApiError(409, 'conversation-closed', `${error.message} It takes no more messages here.`);
  if (error instanceof StoreError && error.code === 'not-found') return new ApiError(404, 'not-found', `There is no conversation ${conversationId}.`);
  return null;
}

function refuseWhenClosing(ctx: ServerContext) {
  if (!ctx.accepting()) throw new ApiError(503, 'shutting-down', 'The server is shutting down; retry on another instance.', { 'retry-after': '1', connection: 'close' });
}

async function requireConversation(ctx: ServerContext, id: number) {
  const conversation = await ctx.store.conversations.conversations.get(id);
  if (!conversation || conversation.kind !== 'production') throw new ApiError(404, 'not-found', `There is no conversation ${id}.`);
  return conversation;
}

async function conversationView(ctx: ServerContext, id: number) {
  const conversation = await requireConversation(ctx, id);
  const state: ConversationState | null = await ctx.engine.state(id);
  const info = await ctx.store.production.productionInfo(id);
  return {
    id,
    externalId: conversation.externalId,
    status: conversation.status,
    procedure: info.procedure,
    startedAt: conversation.startedAt,
    endedAt: conversation.endedAt,
    closedAt: info.closedAt,
    turn: state?.turn ?? 0,
    attributes: Object.fromEntries(Object.entries(state?.attributes ?? {}).map(([name, entry]) => [name, entry.value])),
    outcome: state?.outcome ?? null,
    stack: (state?.stack ?? []).map((frame) => ({ procedure: frame.procedure, version: frame.version, stepId: frame.stepId })),
    usage: { modelCalls: state?.usage.modelCalls ?? 0, inputTokens: state?.usage.inputTokens ?? 0, outputTokens: state?.usage.outputTokens ?? 0, costUsd: state?.usage.costUsd ?? 0 },
  };
}

// --- admin -------------------------------------------------------------------------------------

async function reloadBundles(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse, { log }: { log: Logger }) {
  try {
    const { setHash } = await ctx.reload(log);
    sendJson(res, 200, { reloaded: true, setHash });
  } catch (error) {
    throw new ApiError(422, 'reload-refused', `The new bundles were refused; the previous ones keep serving. ${(error as Error).message}`);
  }
}

async function listBundles(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse) {
  const { set, loadedAt } = ctx.bundleSet();
  sendJson(res, 200, { setHash: set.hash, loadedAt, bundles: set.bundles, procedures: ctx.catalog.list() });
}

async function listKeys(ctx: ServerContext, _req: IncomingMessage, res: ServerResponse) {
  sendJson(res, 200, { keys: await ctx.keys.list() });
}

