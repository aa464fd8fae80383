// The rules for connectors, whoever asks: add a definition (the author's act approves what it asks
// for), import OpenAPI operations into one (an edit keeps the approvals it had and gains none),
// pick an MCP server's tools (the server is started only through the approval gate), bind a
// secret to a connector (checked before anything is stored), approve or revoke capabilities
// by name, and try an action live or mocked.
import { approvalStatus, grant, saveAuthoredConnector, saveEditedConnector, selectCapabilities, type ApprovalRequest } from '../connectors/grants';
import type { Capability } from '../connectors/capabilities';
import type { ConnectorDefinition, HttpConnector } from '../connectors/definition';
import { allowTools } from '../connectors/mcp-tools';
import { importOpenApi } from '../connectors/openapi-import';
import type { OpenApiDocument } from '../connectors/openapi-schema';
import { tryAction, type TryResult } from '../connectors/try-action';
import { workspaceConnectors } from '../connectors/workspace-connectors';
import type { McpToolInfo } from '../connectors/mcp-connection';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { ServiceError } from './errors';

export interface ConnectorServiceDeps {
  workspace: Workspace;
  secrets: SecretStore;
  /** Runs mock handlers written in Python (for `try`); started on first use by its owner. */
  sandbox?: CodeSandbox;
}

export interface ConnectorListing {
  connector: ConnectorDefinition;
  /** What it asks for that nobody approved yet: it will not run live until someone does. */
  pending: Capability[];
}

/** `connector.action` split at its first dot; null when there is no dot. */
export function splitActionName(action: string): { connector: string; action: string } | null {
  const dot = action.indexOf('.');
  if (dot <= 0 || dot === action.length - 1) return null;
  return { connector: action.slice(0, dot), action: action.slice(dot + 1) };
}

/** An approve or revoke request that names nothing: the listing of what there is to approve. */
export function emptyApprovalMessage(name: string, action: 'approve' | 'revoke', status: readonly { capability: Capability; approved: boolean }[]): string {
  if (status.length === 0) return `Connector "${name}" asks for nothing to approve: it runs no command, reads no secret and reaches no internal host.`;
  const lines = status.map(({ capability, approved }) => `  ${approved ? 'approved' : 'NOT approved'}: it ${capability.description}`);
  return `Say what to ${action} with --command, --secret <name> or --internal-hosts. Connector "${name}":\n${lines.join('\n')}`;
}

export class ConnectorService {
  constructor(private readonly deps: ConnectorServiceDeps) {}

  private get workspace() {
    return this.deps.workspace;
  }

  list(): ConnectorListing[] {
    return this.workspace.connectors.list().map((connector) => ({ connector, pending: this.pending(connector) }));
  }

  find(name: string): ConnectorDefinition | null {
    return this.workspace.connectors.get(name);
  }

  require(name: string): ConnectorDefinition {
    const connector = this.find(name);
    if (!connector) throw new ServiceError('not-found', `There is no connector "${name}" (see connectors list).`);
    return connector;
  }

  /** Saves a definition the local user wrote; adding it approves what it asks for (never a secret of Stepwise's own). */
  add(definition: unknown, grantedBy: string): { saved: ConnectorDefinition; approved: Capability[] } {
    const saved = saveAuthoredConnector(this.workspace, definition, grantedBy);
    const approved = approvalStatus(this.workspace, saved)
      .filter((entry) => entry.approved)
      .map((entry) => entry.capability);
    return { saved, approved };
  }

  /** Imports OpenAPI operations into an HTTP connector, new or existing. */
  importOpenApi(document: OpenApiDocument, options: { name: string; operations: string[]; baseUrl?: string }, grantedBy: string): { saved: ConnectorDefinition; warnings: string[] } {
    const existing = this.workspace.connectors.get(options.name);
    if (existing && existing.kind !== 'http') throw new ServiceError('invalid', `"${options.name}" is an MCP server; import OpenAPI operations into an HTTP connector.`);
    const { connector, warnings } = importOpenApi(document, {
      name: options.name,
      operations: options.operations,
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(existing ? { existing: existing as HttpConnector } : {}),
    });
    return { saved: saveEditedConnector(this.workspace, connector, grantedBy), warnings };
  }

  /** The tools an MCP server offers, and which of them Procedures may use; `allow` saves a new choice. */
  async mcpTools(name: string, allow?: string[]): Promise<{ tools: McpToolInfo[]; allowed: Set<string>; saved: ConnectorDefinition | null }> {
    const server = this.workspace.connectors.get(name);
    if (!server || server.kind !== 'mcp') throw new ServiceError('not-found', `There is no MCP server "${name}" (add one with connectors add).`);
    // Through the same gate as every live call: an MCP server nobody approved is not started.
    const runtime = workspaceConnectors(this.workspace, { mode: 'live', secrets: this.deps.secrets });
    try {
      const tools = await runtime.connection(server).listTools();
      if (!allow) return { tools, allowed: new Set(server.actions.map((entry) => entry.tool ?? entry.name)), saved: null };
      const saved = this.workspace.connectors.save({ ...server, actions: allowTools(server, tools, allow) });
      return { tools, allowed: new Set(allow), saved };
    } finally {
      await runtime.close();
    }
  }

  /**
   * Stores a secret for one connector and binds it to that connector. The binding is checked
   * first, so nothing is stored for a connector that may not have it.
   */
  async storeBoundSecret(name: string, value: string, connector: string): Promise<Capability> {
    const definition = this.require(connector);
    const [capability] = selectCapabilities(definition, { secrets: [name] });
    await this.deps.secrets.set(name, value);
    grant(this.workspace, definition, [capability!], 'connectors secret');
    return capability!;
  }

  approvalStatus(name: string): { capability: Capability; approved: boolean }[] {
    return approvalStatus(this.workspace, this.require(name));
  }

  /** Approves what `request` names, each checked against what the connector asks for. */
  approve(name: string, request: ApprovalRequest, grantedBy: string): Capability[] {
    const connector = this.require(name);
    const capabilities = selectCapabilities(connector, request);
    grant(this.workspace, connector, capabilities, grantedBy);
    return capabilities;
  }

  /** Revokes what `request` names; `removed` false where there was no approval to revoke. */
  revoke(name: string, request: ApprovalRequest): { capability: Capability; removed: boolean }[] {
    const capabilities = selectCapabilities(this.require(name), request);
    return capabilities.map((capability) => ({ capability, removed: this.workspace.connectorGrants.revoke(name, capability.kind, capability.name) }));
  }

  /** Runs one action with sample input, live (through the approval gate) or mocked over a world. */
  async try(action: string, input: unknown, options: { mock: boolean; world?: string }): Promise<TryResult> {
    const parts = splitActionName(action);
    const definition = parts ? this.workspace.connectors.get(parts.connector) : null;
    const entry = parts ? definition?.actions.find((candidate) => candidate.name === parts.action) : undefined;
    if (!definition || !entry) throw new ServiceError('not-found', `There is no action @${action} in this workspace (see connectors list).`);
    const connectors = workspaceConnectors(this.workspace, {
      mode: options.mock ? 'mock' : 'live',
      secrets: this.deps.secrets,
      keepWorlds: false,
      // The sandbox is handed over only where a Python mock handler may run.
      ...(options.mock && entry.mocks?.handler && this.deps.sandbox ? { sandbox: this.deps.sandbox } : {}),
      ...(options.world ? { world: options.world } : {}),
    });
    try {
      return await tryAction(connectors, action, input);
    } finally {
      await connectors.close();
    }
  }

  private pending(connector: ConnectorDefinition): Capability[] {
    return approvalStatus(this.workspace, connector)
      .filter((entry) => !entry.approved)
      .map((entry) => entry.capability);
  }
}
