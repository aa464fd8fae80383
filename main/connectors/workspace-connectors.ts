// Connectors for a workspace: its connector definitions, live (gated by the grants its user made,
// secrets from its SecretStore) or mocked (starting from one of its mock worlds, keeping the world
// each conversation ends with).
//
//   const connectors = workspaceConnectors(workspace, { mode: 'mock', sandbox, onCall });
//   …run a conversation…
//   workspace.worlds.final(conversationId)   // what the run left behind
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import type { StaticMock } from './definition';
import { RuntimeConnectors, type ConnectorCallRecord, type ConnectorMode } from './runtime-connectors';

export interface WorkspaceConnectorsOptions {
  mode: ConnectorMode;
  /** Live mode: where secret values come from. */
  secrets?: SecretStore;
  /** Mock mode: runs the Python mock handlers. */
  sandbox?: CodeSandbox;
  /** Mock mode: the starting world's name. Default: "shop" if there is one, else the only world, else an empty world. */
  world?: string;
  /** Mock mode: a run's own static responses by `connector.action` (a simulation's). */
  extraMocks?: Record<string, StaticMock[]>;
  /** Mock mode: keep each conversation's world in the workspace as it changes (default true). */
  keepWorlds?: boolean;
  clock?: () => Date;
  onCall?: (call: ConnectorCallRecord) => void;
  log?: (line: string) => void;
}

export function workspaceConnectors(workspace: Workspace, options: WorkspaceConnectorsOptions): RuntimeConnectors {
  const definitions = workspace.connectors.list();
  let startedFrom: string | null = null;
  let world: Record<string, unknown> = {};
  if (options.mode === 'mock') {
    startedFrom = options.world ?? defaultWorld(workspace);
    if (startedFrom !== null) {
      const stored = workspace.worlds.get(startedFrom);
      if (!stored) throw new Error(`There is no mock world "${startedFrom}" in this workspace${listWorlds(workspace)}.`);
      world = stored.world;
    }
  }
  const keep = options.mode === 'mock' && (options.keepWorlds ?? true);
  return new RuntimeConnectors({
    definitions,
    mode: options.mode,
    world,
    // Read at each call, so an approval or a revocation counts at once.
    grants: (connector) => workspace.connectorGrants.list(connector),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    ...(options.extraMocks ? { extraMocks: options.extraMocks } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(keep ? { onWorldChange: (changed, conversationId) => conversationId !== null && workspace.worlds.saveFinal(conversationId, changed, startedFrom) } : {}),
  });
}

function defaultWorld(workspace: Workspace): string | null {
  const worlds = workspace.worlds.list().map((entry) => entry.name);
  if (worlds.includes('shop')) return 'shop';
  return worlds.length === 1 ? worlds[0]! : null;
}

function listWorlds(workspace: Workspace): string {
  const names = workspace.worlds.list().map((entry) => entry.name);
  return names.length > 0 ? ` (it has ${names.join(', ')})` : ' (it has none)';
}
