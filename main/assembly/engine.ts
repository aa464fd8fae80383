// The one assembly of the conversation runtime: a ConversationEngine over a workspace, with its
// Procedures (drafts or live), its knowledge hub, its conversation store, the connectors (the
// workspace's own, live behind the approvals its user made, or mocked over a world) and a Python
// sandbox started on first use. The app's preview, `stepwise chat`, the simulations and the
// benchmarks all build their engine here, so they run the very same runtime.
import { workspaceConnectors } from '../connectors/workspace-connectors';
import type { ModelCaller } from '../model/client';
import { ConversationEngine } from '../runtime/engine';
import { recordingConnectors } from '../runtime/recording-connectors';
import type { Connectors, ConversationPersistence, ProcedureCatalog } from '../runtime/types';
import { WorkspaceCatalog, WorkspaceKnowledge, WorkspacePersistence, workspaceEscalationPolicy } from '../runtime/workspace-services';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import { lazyPythonSandbox } from './lazy-sandbox';

/** The workspace's connectors: live (each call through the approval gate, secrets from `secrets`) or mocked over a world. */
export interface WorkspaceConnectorChoice {
  mode: 'live' | 'mock';
  /** Mock mode: the starting world's name (default: "shop", or the only world). */
  world?: string;
  /** Live mode: where secret values come from. */
  secrets?: SecretStore;
}

type RuntimeOptions = ConstructorParameters<typeof ConversationEngine>[0];

export interface CreateEngineOptions {
  workspace: Workspace;
  model: ModelCaller;
  /** Drafts (previews, simulations on drafts) or live versions. */
  draft: boolean;
  /** The workspace's connectors as chosen, or connectors the caller built (a simulation run's, a benchmark's). */
  connectors: WorkspaceConnectorChoice | Connectors;
  /** A sandbox the caller shares and closes; without one, the engine starts its own on first use and closes it. */
  sandbox?: CodeSandbox;
  /** Default: the workspace's Procedures (drafts or live, as `draft` says). */
  catalog?: ProcedureCatalog;
  /** Default: conversations stored in the workspace. */
  persistence?: ConversationPersistence;
  clock?: RuntimeOptions['clock'];
  limits?: RuntimeOptions['limits'];
  /** Over the workspace's own escalation policy (its settings), key by key. */
  escalation?: RuntimeOptions['escalation'];
  stream?: boolean;
  /** Route a message that clearly matches one trigger without the routing call (default true; runtime/trigger-match.ts). */
  routeByTriggerMatch?: boolean;
}

export interface AssembledEngine {
  engine: ConversationEngine;
  /** Closes what the assembly opened (the workspace connectors, its own sandbox); never the workspace. */
  close(): Promise<void>;
}

export function createEngine(options: CreateEngineOptions): AssembledEngine {
  const { workspace } = options;
  // Read first: a stored policy that is not valid stops here, before anything is started.
  const escalation = { ...workspaceEscalationPolicy(workspace), ...options.escalation };
  const ownSandbox = options.sandbox ? null : lazyPythonSandbox();
  const sandbox = options.sandbox ?? ownSandbox!;
  const built = isChoice(options.connectors)
    ? workspaceConnectors(workspace, {
        mode: options.connectors.mode,
        sandbox,
        ...(options.connectors.secrets ? { secrets: options.connectors.secrets } : {}),
        ...(options.connectors.world !== undefined ? { world: options.connectors.world } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      })
    : null;
  const engine = new ConversationEngine({
    model: options.model,
    catalog: options.catalog ?? new WorkspaceCatalog(workspace, options.draft),
    // Every call carries its full (redacted) record into the trace.
    connectors: built ? recordingConnectors(built) : (options.connectors as Connectors),
    sandbox,
    knowledge: new WorkspaceKnowledge(workspace),
    persistence: options.persistence ?? new WorkspacePersistence(workspace),
    draft: options.draft,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    escalation,
    ...(options.stream !== undefined ? { stream: options.stream } : {}),
    ...(options.routeByTriggerMatch !== undefined ? { routeByTriggerMatch: options.routeByTriggerMatch } : {}),
  });
  return {
    engine,
    async close() {
      await built?.close();
      await ownSandbox?.close();
    },
  };
}

function isChoice(connectors: WorkspaceConnectorChoice | Connectors): connectors is WorkspaceConnectorChoice {
  return typeof (connectors as Connectors).describe !== 'function';
}
