// The runtime's Connectors (main/runtime/types.ts): HTTP connectors and MCP servers, live or mocked.
//
//   const connectors = new RuntimeConnectors({ definitions: workspace.connectors.list(), mode: 'mock', world, sandbox, onCall });
//   await connectors.execute('shop.get_order', { order_number: '1043' }, { conversationId });
//   connectors.finalWorld();   // what the mock handlers left behind
//
// Every live call passes one gate first: a connector that runs a command, reads a secret or reaches
// internal hosts runs only with the local user's grants for exactly that (./capabilities.ts), and it
// reads only the secrets granted to it, never Stepwise's own (the model's key).
// Every call: the input is checked against the action's schema first; secrets are resolved only
// then, and redacted from everything recorded; the model gets only the selected response fields;
// `onCall` receives the whole exchange (redacted) for the trace. One instance per run in mock mode,
// since it holds that run's world.
import { performance } from 'node:perf_hooks';
import type { ActionInfo, ActionResult, Connectors } from '../runtime/types';
import type { SecretStore } from '../secrets/secret-store';
import type { CodeSandbox } from '../sandbox/types';
import { connectorCapabilities, covers, isReservedSecret, missingGrants, notApprovedMessage, reservedSecretMessage, type GrantLookup } from './capabilities';
import type { ConnectorAction, ConnectorDefinition, HttpConnector, McpAction, McpServer, StaticMock } from './definition';
import { ConnectorError } from './errors';
import { selectFields } from './field-selection';
import { asConnectorError, runHttpAction } from './http-action';
import { buildHttpRequest, recordRequest, type RecordedRequest, type SecretResolver } from './http-request';
import { inputProblems } from './input-validation';
import { McpConnection } from './mcp-connection';
import { interpretToolResult, traceableResult } from './mcp-result';
import { answerFromMocks, type MockRunContext } from './mocks';
import { Redactor } from './redaction';
import { World, type WorldData } from './world';

export type ConnectorMode = 'live' | 'mock';

/** One call as the trace records it. Every part is redacted. */
export interface ConnectorCallRecord {
  /** `connector.action` */
  action: string;
  mode: ConnectorMode;
  conversationId: number | null;
  /** HTTP: method, url, headers, body. MCP: server, tool, arguments. In mock mode, what would have been sent. */
  request: RecordedRequest | { server: string; tool: string; arguments: unknown } | null;
  /** HTTP status (or the mock's); null when no answer came. */
  status: number | null;
  durationMs: number;
  attempts: number;
  fullResponse: unknown;
  /** What the model saw; null when the call failed. */
  shown: unknown;
  error: string | null;
  mock?: { source: 'static' | 'handler'; index?: number; worldChanged: boolean };
}

export interface RuntimeConnectorsOptions {
  definitions: readonly ConnectorDefinition[];
  mode: ConnectorMode;
  /** Live mode: where secret values come from. */
  secrets?: SecretStore;
  /**
   * Live mode: what the local user allowed each connector to do. Absent: nothing, so a connector
   * that runs a command, reads a secret or reaches internal hosts refuses to run.
   */
  grants?: GrantLookup;
  /** Mock mode: the world this run starts from (copied). */
  world?: WorldData;
  /** Mock mode: runs Python mock handlers. */
  sandbox?: CodeSandbox;
  /** Mock mode: static responses of this run (a simulation's), tried before the definitions' own. */
  extraMocks?: Record<string, StaticMock[]>;
  /** Mock mode: today() and now() inside handlers. */
  clock?: () => Date;
  /** Mock mode: told after a handler changed the world (to keep it: the last call gives the final world). */
  onWorldChange?: (world: WorldData, conversationId: number | null) => void;
  /** Receives every call for the trace. */
  onCall?: (call: ConnectorCallRecord) => void;
  /** Receives one redacted line per call. */
  log?: (line: string) => void;
  /** Tests only: loopback ports that pass the address policy (see NetworkPolicy). */
  loopbackPortsForTesting?: number[];
  /** First wait between retries, in ms (250 by default). */
  retryDelayMs?: number;
}

type Entry = { kind: 'http'; connector: HttpConnector; action: ConnectorAction } | { kind: 'mcp'; connector: McpServer; action: McpAction };

export interface CallOutcome {
  result: ActionResult;
  call: ConnectorCallRecord;
}

export class RuntimeConnectors implements Connectors {
  private readonly entries = new Map<string, Entry>();
  private readonly connections = new Map<string, McpConnection>();
  /** Every secret value this instance has resolved, so nothing it records can carry one. */
  private readonly redactor = new Redactor();
  private readonly world: World;
  private readonly mockContext: MockRunContext;
  private readonly loopbackPorts: ReadonlySet<number> | undefined;
  private mockQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RuntimeConnectorsOptions) {
    for (const connector of options.definitions) {
      for (const action of connector.actions) {
        const entry = (connector.kind === 'http' ? { kind: 'http', connector, action } : { kind: 'mcp', connector, action }) as Entry;
        this.entries.set(`${connector.name}.${action.name}`, entry);
      }
    }
    this.world = new World(options.world ?? {});
    this.mockContext = { world: this.world, ...(options.sandbox ? { sandbox: options.sandbox } : {}), now: options.clock ?? (() => new Date()), used: new Map() };
    this.loopbackPorts = options.loopbackPortsForTesting ? new Set(options.loopbackPortsForTesting) : undefined;
  }

  get mode(): ConnectorMode {
    return this.options.mode;
  }

  describe(name: string): ActionInfo | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    const { $schema: _ignored, ...inputSchema } = entry.action.inputSchema;
    const confirm = entry.action.confirm ?? false;
    // A GET is safe by HTTP's own contract; an MCP tool declares nothing we can rely on, so it may change something.
    const readOnly = entry.kind === 'http' && entry.action.method === 'GET' && !confirm;
    return { name, description: entry.action.description, inputSchema, confirm, ...(readOnly ? { readOnly } : {}) };
  }

  /** Every action this instance can run. */
  list(): ActionInfo[] {
    return [...this.entries.keys()].sort().map((name) => this.describe(name)!);
  }

  async execute(name: string, input: unknown, context: { conversationId: number; signal?: AbortSignal }): Promise<ActionResult> {
    return (await this.call(name, input, context)).result;
  }

  /** Runs an action and gives both what the model gets and the full record (used by "try an action"). */
  async call(name: string, input: unknown, context: { conversationId?: number; signal?: AbortSignal } = {}): Promise<CallOutcome> {
    const started = performance.now();
    const entry = this.entries.get(name);
    const record: ConnectorCallRecord = {
      action: name,
      mode: this.options.mode,
      conversationId: context.conversationId ?? null,
      request: null,
      status: null,
      durationMs: 0,
      attempts: 0,
      fullResponse: null,
      shown: null,
      error: null,
    };
    let result: ActionResult;
    try {
      if (!entry) throw new ConnectorError(`There is no connector action @${name} in this workspace.`, 'unknown-action');
      const problems = inputProblems(entry.action.inputSchema, input);
      if (problems.length > 0) throw new ConnectorError(`The input of @${name} is not valid: ${problems.join('; ')}.`, 'input');
      const shown = this.options.mode === 'mock' ? await this.serialized(() => this.runMock(name, entry, input, record)) : await this.runLive(name, entry, input, record, context.signal);
      record.shown = this.redactor.value(shown);
      result = { ok: true, data: record.shown };
    } catch (error) {
      const failure = asConnectorError(error);
      record.error = this.redactor.text(failure.message);
      result = { ok: false, error: record.error };
    }
    record.durationMs = Math.round(performance.now() - started);
    record.request = this.redactor.value(record.request);
    record.fullResponse = this.redactor.value(record.fullResponse);
    this.report(record);
    return { result, call: record };
  }

  /** The world as the run's mock handlers left it (a copy). */
  finalWorld(): WorldData {
    return this.world.snapshot();
  }

  /** Closes MCP connections (stops stdio servers). */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
    this.connections.clear();
  }

  /** The live connection to an MCP server, created on first use. */
  connection(server: McpServer): McpConnection {
    this.assertApproved(server);
    let connection = this.connections.get(server.name);
    if (!connection) {
      connection = new McpConnection(server, {
        secrets: this.secretResolver(server),
        redactor: this.redactor,
        ...(this.loopbackPorts ? { loopbackPortsForTesting: this.loopbackPorts } : {}),
        ...(this.options.log ? { log: this.options.log } : {}),
      });
      this.connections.set(server.name, connection);
    }
    return connection;
  }

  // ----- live -----------------------------------------------------------------------------------

  private async runLive(name: string, entry: Entry, input: unknown, record: ConnectorCallRecord, signal?: AbortSignal): Promise<unknown> {
    this.assertApproved(entry.connector);
    if (entry.kind === 'mcp') {
      const tool = entry.action.tool ?? entry.action.name;
      record.request = { server: entry.connector.name, tool, arguments: input };
      record.attempts = 1;
      const result = await this.connection(entry.connector).callTool(tool, input as Record<string, unknown>, {
        ...(entry.action.timeoutMs ? { timeoutMs: entry.action.timeoutMs } : {}),
        ...(signal ? { signal } : {}),
      });
      record.fullResponse = traceableResult(result);
      const outcome = interpretToolResult(result);
      if (outcome.isError) throw new ConnectorError(`@${name} reported an error: ${outcome.errorText}`, 'mcp');
      return selectFields(outcome.value, entry.action.responseFields);
    }
    const run = await runHttpAction(entry.connector, entry.action, input, {
      secrets: this.secretResolver(entry.connector),
      redactor: this.redactor,
      ...(this.loopbackPorts ? { loopbackPortsForTesting: this.loopbackPorts } : {}),
      ...(signal ? { signal } : {}),
      ...(this.options.retryDelayMs !== undefined ? { retryDelayMs: this.options.retryDelayMs } : {}),
    });
    record.request = run.request;
    record.attempts = run.attempts;
    record.status = run.response?.status ?? null;
    record.fullResponse = run.response?.body ?? null;
    if (run.error) throw new ConnectorError(`@${name} failed: ${run.error.message}`, run.error.kind, run.error.status);
    return selectFields(run.response!.body, entry.action.responseFields);
  }

  /** The gate: refuses a connector with a capability the local user has not granted as it now stands. */
  private assertApproved(connector: ConnectorDefinition) {
    const missing = missingGrants(connector, this.options.grants?.(connector.name) ?? []);
    if (missing.length > 0) throw new ConnectorError(notApprovedMessage(connector.name, missing), 'not-approved');
  }

  /** Reads only the secrets granted to this connector, and never one of Stepwise's own. */
  private secretResolver(connector: ConnectorDefinition): SecretResolver {
    return async (name) => {
      if (isReservedSecret(name)) throw new ConnectorError(reservedSecretMessage(connector.name, name), 'not-approved');
      const capability = connectorCapabilities(connector).find((candidate) => candidate.kind === 'secret' && candidate.name === name);
      if (!capability || !covers(this.options.grants?.(connector.name) ?? [], capability)) {
        throw new ConnectorError(`Connector "${connector.name}" may not read the secret "${name}": it is not bound to this connector in this workspace (stepwise connectors approve ${connector.name} --secret ${name} --workspace <file>).`, 'not-approved');
      }
      const store = this.options.secrets;
      if (!store) throw new ConnectorError(`Connector "${connector.name}" needs the secret "${name}", but no secret store was given, so it cannot run live.`, 'secret');
      let value: string | null;
      try {
        value = await store.get(name);
      } catch (error) {
        throw new ConnectorError(`The secret "${name}" of connector "${connector.name}" could not be read: ${(error as Error).message}`, 'secret');
      }
      if (value === null || value === '') {
        throw new ConnectorError(`The secret "${name}" that connector "${connector.name}" needs is not set (stepwise connectors secret ${name} --from-env VAR --workspace <file>).`, 'secret');
      }
      this.redactor.add(name, value);
      return value;
    };
  }

  // ----- mocked ---------------------------------------------------------------------------------

  private async runMock(name: string, entry: Entry, input: unknown, record: ConnectorCallRecord): Promise<unknown> {
    record.request = await this.wouldSend(entry, input);
    record.attempts = 1;
    const answer = await answerFromMocks(name, entry.action.mocks, this.options.extraMocks?.[name] ?? [], input, this.mockContext);
    record.status = answer.status;
    record.fullResponse = answer.body;
    record.mock = { source: answer.source, ...(answer.index !== undefined ? { index: answer.index } : {}), worldChanged: answer.worldChanged };
    if (answer.worldChanged) this.options.onWorldChange?.(this.world.snapshot(), record.conversationId);
    if (answer.status >= 400) throw new ConnectorError(`@${name} failed: the mocked system answered ${answer.status}${mockDetail(answer.body)}.`, 'http', answer.status);
    return selectFields(answer.body, entry.action.responseFields);
  }

  /** The request a live call would send, with secrets named rather than resolved. */
  private async wouldSend(entry: Entry, input: unknown): Promise<ConnectorCallRecord['request']> {
    if (entry.kind === 'mcp') return { server: entry.connector.name, tool: entry.action.tool ?? entry.action.name, arguments: input };
    try {
      const placeholders = new Redactor();
      const request = await buildHttpRequest(entry.connector, entry.action, input, async (secret) => `[secret:${secret}]`, placeholders);
      return recordRequest(request, new Redactor());
    } catch {
      return null;
    }
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.mockQueue.then(work, work);
    this.mockQueue = next.catch(() => undefined);
    return next;
  }

  private report(record: ConnectorCallRecord) {
    const { log, onCall } = this.options;
    if (log) {
      const target = record.request && 'url' in record.request ? ` ${record.request.method} ${record.request.url}` : record.request && 'tool' in record.request ? ` ${record.request.server}/${record.request.tool}` : '';
      const outcome = record.error ? `failed: ${record.error}` : `${record.status ?? 'ok'}`;
      log(this.redactor.text(`connector ${record.action} (${record.mode})${target} → ${outcome} in ${record.durationMs} ms${record.attempts > 1 ? ` after ${record.attempts} attempts` : ''}`));
    }
    if (onCall) {
      try {
        onCall(record);
      } catch (error) {
        log?.(this.redactor.text(`connector ${record.action}: the onCall hook failed: ${(error as Error).message}`));
      }
    }
  }
}

function mockDetail(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const error = record.error as Record<string, unknown> | string | undefined;
    const message = typeof error === 'object' && error !== null ? error.message : (error ?? record.message);
    if (typeof message === 'string' && message.trim()) return `: ${message.trim().slice(0, 200)}`;
  }
  return '';
}
