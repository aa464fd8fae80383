// The bundles' connectors on a server: live, with the secrets the server was given. Giving a
// secret by name is the operator's approval to read it (for the hosts the signed definition
// names); running a command or reaching internal hosts needs the config's explicit `approve`.
// Swapped whole on a reload.
import { connectorCapabilities, type GrantLike } from '../connectors/capabilities';
import type { ConnectorDefinition } from '../connectors/definition';
import { RuntimeConnectors, type ConnectorCallRecord } from '../connectors/runtime-connectors';
import { recordingConnectors } from '../runtime/recording-connectors';
import type { ActionInfo, ActionResult, Connectors } from '../runtime/types';
import type { SecretStore } from '../secrets/secret-store';

export interface ConnectorApprovals {
  commands: readonly string[];
  internalHosts: readonly string[];
}

export function serverGrants(definitions: readonly ConnectorDefinition[], approvals: ConnectorApprovals): (connector: string) => GrantLike[] {
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  return (connector) => {
    const definition = byName.get(connector);
    if (!definition) return [];
    return connectorCapabilities(definition)
      .filter((capability) => capability.kind === 'secret' || (capability.kind === 'command' ? approvals.commands.includes(connector) : approvals.internalHosts.includes(connector)))
      .map(({ kind, name, scope }) => ({ kind, name, scope }));
  };
}

export class SwappableConnectors implements Connectors {
  private current: { runtime: RuntimeConnectors; recording: Connectors } | null = null;

  constructor(
    private readonly secrets: SecretStore,
    private readonly approvals: ConnectorApprovals,
    private readonly onCall: (call: ConnectorCallRecord) => void,
  ) {}

  /** Serves `definitions` from now on; the previous connectors are closed (their MCP sessions). */
  async replace(definitions: readonly ConnectorDefinition[]): Promise<void> {
    const runtime = new RuntimeConnectors({ definitions, mode: 'live', secrets: this.secrets, grants: serverGrants(definitions, this.approvals), onCall: this.onCall });
    const previous = this.current;
    this.current = { runtime, recording: recordingConnectors(runtime) };
    await previous?.runtime.close();
  }

  describe(action: string): ActionInfo | undefined {
    return this.current?.recording.describe(action);
  }

  execute(action: string, input: unknown, context: { conversationId: number; signal?: AbortSignal }): Promise<ActionResult> {
    if (!this.current) return Promise.resolve({ ok: false, error: 'No connectors are loaded.' });
    return this.current.recording.execute(action, input, context);
  }

  async close(): Promise<void> {
    await this.current?.runtime.close();
    this.current = null;
  }
}
