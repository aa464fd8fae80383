// A connection to one MCP server through @modelcontextprotocol/sdk, over stdio (a command the
// connection starts) or Streamable HTTP (a URL). It connects on first use; when the server fails,
// times out or goes away, the call fails with a message that says so, and the next use connects
// again. Secrets in the server's environment or headers are resolved when it connects, and the
// connection's Redactor knows them, so anything the server echoes back can be redacted.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { appVersion } from '../app-version';
import type { McpServer } from './definition';
import { ConnectorError } from './errors';
import { guardedFetch } from './guarded-fetch';
import { applyAuth, type SecretResolver } from './http-request';
import { Redactor } from './redaction';

export const DEFAULT_MCP_CALL_TIMEOUT_MS = 30_000;
const STDERR_KEPT_CHARS = 2_000;

export interface McpConnectionOptions {
  secrets: SecretResolver;
  /** Tests only: see NetworkPolicy.loopbackPortsForTesting. */
  loopbackPortsForTesting?: ReadonlySet<number>;
  /** Told when the connection goes away (already redacted). */
  log?: (line: string) => void;
  /** Where the secret values given to the server are registered; a new one by default. */
  redactor?: Redactor;
}

export interface McpToolInfo {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export class McpConnection {
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private transport: Transport | null = null;
  private stderrTail = '';
  private readonly closing = new Set<Promise<void>>();
  /** Knows the secret values given to the server; grows when it connects. */
  readonly redactor: Redactor;
  /** Times the connection was (re)established. */
  connects = 0;

  constructor(
    private readonly server: McpServer,
    private readonly options: McpConnectionOptions,
  ) {
    this.redactor = options.redactor ?? new Redactor();
  }

  get connected(): boolean {
    return this.client !== null;
  }

  /** The process id of a stdio server, while connected. */
  get pid(): number | null {
    return this.transport instanceof StdioClientTransport ? this.transport.pid : null;
  }

  async listTools(): Promise<McpToolInfo[]> {
    const client = await this.connect();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.server.connectTimeoutMs });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
    } catch (error) {
      throw this.failure(error, 'listing its tools');
    }
    return tools.map((tool) => ({
      name: tool.name,
      description: tool.description?.trim() || tool.title || `The ${tool.name} tool of ${this.server.name}.`,
      inputSchema: tool.inputSchema as Record<string, unknown>,
    }));
  }

  async callTool(tool: string, args: Record<string, unknown>, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CallToolResult> {
    const client = await this.connect();
    try {
      return (await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: options.timeoutMs ?? DEFAULT_MCP_CALL_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
      })) as CallToolResult;
    } catch (error) {
      throw this.failure(error, `calling ${tool}`);
    }
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => null)) ?? null;
    this.client = null;
    this.connecting = null;
    await Promise.all([client?.close().catch(() => undefined), ...this.closing]);
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const transport = await this.createTransport();
    const client = new Client({ name: 'stepwise', version: appVersion() }, { capabilities: {} });
    client.onclose = () => {
      if (this.client === client) {
        this.client = null;
        this.options.log?.(this.redactor.text(`MCP server "${this.server.name}" disconnected${this.stderrNote()}; the next call reconnects.`));
      }
    };
    client.onerror = () => undefined;
    try {
      await client.connect(transport, { timeout: this.server.connectTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.failure(error, 'connecting');
    }
    this.transport = transport;
    this.client = client;
    this.connects++;
    return client;
  }

  private async createTransport(): Promise<Transport> {
    const { transport } = this.server;
    if (transport.type === 'stdio') {
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(transport.env)) {
        if (typeof value === 'string') env[name] = value;
        else {
          env[name] = await this.options.secrets(value.secret);
          this.redactor.add(value.secret, env[name]);
        }
      }
      const stdio = new StdioClientTransport({ command: transport.command, args: transport.args, env, stderr: 'pipe', ...(transport.cwd ? { cwd: transport.cwd } : {}) });
      this.stderrTail = '';
      stdio.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = `${this.stderrTail}${chunk.toString('utf8')}`.slice(-STDERR_KEPT_CHARS);
      });
      return stdio;
    }
    const url = new URL(transport.url);
    const headers: Record<string, string> = { ...(transport.headers ?? {}) };
    await applyAuth(transport.auth, url, headers, this.options.secrets, this.redactor);
    return new StreamableHTTPClientTransport(url, {
      requestInit: { headers },
      fetch: guardedFetch({ allowInternal: this.server.allowInternalHosts, ...(this.options.loopbackPortsForTesting ? { loopbackPortsForTesting: this.options.loopbackPortsForTesting } : {}) }),
    });
  }

  /** A ConnectorError saying what failed and what happens next; drops a connection that is no longer usable. */
  private failure(error: unknown, doing: string): ConnectorError {
    if (error instanceof ConnectorError && error.kind !== 'network') return error;
    const name = `MCP server "${this.server.name}"`;
    let message: string;
    let kind: 'mcp' | 'timeout' = 'mcp';
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      kind = 'timeout';
      message = `${name} did not answer in time while ${doing}`;
      void this.dropConnection();
    } else if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      message = `${name} closed the connection while ${doing}${this.stderrNote()}`;
      this.client = null;
    } else if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') {
      message = `${name} could not be started: the command "${this.server.transport.type === 'stdio' ? this.server.transport.command : ''}" was not found`;
    } else {
      message = `${name} failed while ${doing}: ${error instanceof Error ? error.message : String(error)}${this.stderrNote()}`;
    }
    const connected = this.client !== null;
    return new ConnectorError(this.redactor.text(`${message}.${connected ? '' : ' It will be reconnected on the next use.'}`), kind);
  }

  /** Gives up on a connection that timed out: the server may be hung, so a stdio server is stopped rather than asked. */
  private dropConnection(): Promise<void> {
    const client = this.client;
    const pid = this.pid;
    this.client = null;
    if (!client) return Promise.resolve();
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const closing = client.close().catch(() => undefined);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
    return closing;
  }

  private stderrNote(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean);
    const last = lines[lines.length - 1];
    return last ? ` (its last words: ${last.slice(0, 300)})` : '';
  }
}
