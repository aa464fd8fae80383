// Granting connectors their capabilities in a workspace (./capabilities.ts says what they are).
// A connector its author writes here (connectors add, an OpenAPI import, the example shop) is
// approved by that act; one that arrives in a bundle waits for the importer to approve each
// capability by name.
import type { Workspace } from '../store/workspace';
import { connectorCapabilities, covers, isReservedSecret, reservedSecretMessage, type Capability } from './capabilities';
import type { ConnectorDefinition, ConnectorDefinitionInput } from './definition';
import { secretNames } from './definition';

/** Thrown when a capability cannot be granted: a reserved secret, or one the connector does not ask for. */
export class GrantError extends Error {
  override name = 'GrantError';
}

/** What to approve for one connector: its command, some of its secrets, its internal hosts. */
export interface ApprovalRequest {
  command?: boolean;
  secrets?: readonly string[];
  internalHosts?: boolean;
}

/** Saves a connector written by the local user and grants everything it asks for, in one transaction. */
export function saveAuthoredConnector(workspace: Workspace, input: ConnectorDefinitionInput | unknown, grantedBy: string): ConnectorDefinition {
  return workspace.transaction(() => {
    const saved = workspace.connectors.save(input);
    assertNoReservedSecret(saved);
    grant(workspace, saved, connectorCapabilities(saved), grantedBy);
    return saved;
  });
}

/**
 * Saves a local edit of a connector (operations imported into it from OpenAPI). A new connector
 * is approved by that act. An existing one keeps the approvals it had, carried over to where the
 * edit points them (a new base URL, say), and gains none: an edit never approves what an import
 * left unapproved.
 */
export function saveEditedConnector(workspace: Workspace, input: ConnectorDefinitionInput | unknown, grantedBy: string): ConnectorDefinition {
  return workspace.transaction(() => {
    const name = (input as { name?: unknown } | null)?.name;
    const before = typeof name === 'string' ? workspace.connectors.get(name) : null;
    if (!before) return saveAuthoredConnector(workspace, input, grantedBy);
    const approvedBefore = approvalStatus(workspace, before).filter((entry) => entry.approved).map((entry) => entry.capability);
    const saved = workspace.connectors.save(input);
    assertNoReservedSecret(saved);
    const carried = connectorCapabilities(saved).filter((capability) => approvedBefore.some((old) => old.kind === capability.kind && old.name === capability.name));
    grant(workspace, saved, carried, grantedBy);
    return saved;
  });
}

/** Refuses a definition that names one of Stepwise's own secrets (the model's key). */
export function assertNoReservedSecret(connector: ConnectorDefinition): void {
  const reserved = secretNames(connector).find(isReservedSecret);
  if (reserved !== undefined) throw new GrantError(reservedSecretMessage(connector.name, reserved));
}

/** The capabilities a request names, each checked against what the connector asks for. */
export function selectCapabilities(connector: ConnectorDefinition, request: ApprovalRequest): Capability[] {
  const asked = connectorCapabilities(connector);
  const pick = (kind: Capability['kind'], name = ''): Capability => {
    const found = asked.find((capability) => capability.kind === kind && capability.name === name);
    if (found) return found;
    if (kind === 'secret' && isReservedSecret(name)) throw new GrantError(reservedSecretMessage(connector.name, name));
    const what = kind === 'command' ? 'runs no command' : kind === 'secret' ? `reads no secret "${name}"` : 'does not reach internal hosts';
    const has = asked.length > 0 ? `it asks to: ${asked.map((capability) => capability.description).join('; ')}` : 'it asks for nothing to approve';
    throw new GrantError(`Connector "${connector.name}" ${what}, so there is nothing to approve there (${has}).`);
  };
  return [
    ...(request.command ? [pick('command')] : []),
    ...(request.secrets ?? []).map((name) => pick('secret', name)),
    ...(request.internalHosts ? [pick('internal-hosts')] : []),
  ];
}

/** Grants capabilities of a stored connector, as they stand in its definition now. */
export function grant(workspace: Workspace, connector: ConnectorDefinition, capabilities: readonly Capability[], grantedBy: string): void {
  assertNoReservedSecret(connector);
  workspace.transaction(() => {
    for (const capability of capabilities) workspace.connectorGrants.grant({ connector: connector.name, kind: capability.kind, name: capability.name, scope: capability.scope, grantedBy });
  });
}

/** What a stored connector asks for, each with whether a grant covers it as it stands. */
export function approvalStatus(workspace: Workspace, connector: ConnectorDefinition): { capability: Capability; approved: boolean }[] {
  const grants = workspace.connectorGrants.list(connector.name);
  return connectorCapabilities(connector).map((capability) => ({ capability, approved: covers(grants, capability) }));
}
