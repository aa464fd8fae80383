// The connectors of one run. Mock mode: a fresh RuntimeConnectors over the run's starting world
// (the simulation's own, or a named world of the workspace), kept by content hash so a replay starts
// from the very same world. Live mode: the workspace's live connectors, with every result recorded;
// a replay of a live run serves those results back instead of calling anything.
import { createHash } from 'node:crypto';
import { RuntimeConnectors } from '../connectors/runtime-connectors';
import { workspaceConnectors } from '../connectors/workspace-connectors';
import { recordingConnectors } from '../runtime/recording-connectors';
import type { ActionResult, Connectors } from '../runtime/types';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import type { Workspace } from '../store/workspace';
import type { SimulationDefinition } from './definition';
import { ReplayDivergedError } from './model-recording';
import type { RecordedConnectorCall } from './records';

export interface RunConnectors {
  connectors: Connectors;
  /** Mock mode: the world as the run left it. */
  finalWorld(): Record<string, unknown> | null;
  /** Mock mode: the starting world's name (null for a simulation's own) and content hash. */
  world: { name: string | null; hash: string } | null;
  /** Live mode: every connector result, for replay. */
  recorded: RecordedConnectorCall[];
  close(): Promise<void>;
}

export interface RunConnectorOptions {
  sandbox: CodeSandbox;
  clock: () => Date;
  secrets?: SecretStore;
  /** Bound once the conversation exists, so each world change is kept with it. */
  conversationId: () => number | null;
}

const inputHash = (input: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(input ?? null)).digest('hex')}`;

/** The named world a mocked run starts from when the simulation does not say: "shop", or the only one. */
function defaultWorld(workspace: Workspace): string | null {
  const names = workspace.worlds.list().map((entry) => entry.name);
  if (names.includes('shop')) return 'shop';
  return names.length === 1 ? names[0]! : null;
}

/** Resolves and keeps the starting world of a mocked run. */
export function startingWorld(workspace: Workspace, definition: SimulationDefinition): { name: string | null; hash: string; world: Record<string, unknown> } {
  let name: string | null = null;
  let world: Record<string, unknown> = {};
  if (definition.connectors.initialWorld) world = definition.connectors.initialWorld as Record<string, unknown>;
  else {
    name = definition.connectors.world ?? defaultWorld(workspace);
    if (name !== null) {
      const stored = workspace.worlds.get(name);
      if (!stored) {
        const known = workspace.worlds.list().map((entry) => entry.name);
        throw new Error(`There is no mock world "${name}" in this workspace (${known.length > 0 ? `it has ${known.join(', ')}` : 'it has none'}).`);
      }
      world = stored.world;
    }
  }
  const hash = workspace.recordActivity(() => workspace.simulations.recordings.snapshot('world', name ?? '(simulation)', JSON.stringify(world)));
  return { name, hash, world };
}

export function mockRunConnectors(workspace: Workspace, definition: SimulationDefinition, options: RunConnectorOptions, start: { name: string | null; hash: string; world: Record<string, unknown> }): RunConnectors {
  const runtime = new RuntimeConnectors({
    definitions: workspace.connectors.list(),
    mode: 'mock',
    world: start.world,
    sandbox: options.sandbox,
    extraMocks: definition.connectors.mocks,
    clock: options.clock,
    onWorldChange: (world, conversationId) => {
      const id = conversationId ?? options.conversationId();
      if (id !== null) workspace.worlds.saveFinal(id, world, start.name);
    },
  });
  return {
    connectors: recordingConnectors(runtime),
    finalWorld: () => runtime.finalWorld(),
    world: { name: start.name, hash: start.hash },
    recorded: [],
    close: () => runtime.close(),
  };
}

export function liveRunConnectors(workspace: Workspace, options: RunConnectorOptions): RunConnectors {
  const runtime = workspaceConnectors(workspace, { mode: 'live', ...(options.secrets ? { secrets: options.secrets } : {}), clock: options.clock });
  const recorded: RecordedConnectorCall[] = [];
  const connectors = recordingConnectors({
    describe: (action) => runtime.describe(action),
    async call(action, input, context) {
      const outcome = await runtime.call(action, input, context);
      recorded.push({ seq: recorded.length + 1, action, inputHash: inputHash(input), result: JSON.parse(JSON.stringify({ ...outcome.result, record: outcome.call })) as RecordedConnectorCall['result'] });
      return outcome;
    },
  });
  return { connectors, finalWorld: () => null, world: null, recorded, close: () => runtime.close() };
}

/** A live run's connector results, served back in order; nothing is called. */
export function replayedRunConnectors(workspace: Workspace, recorded: readonly RecordedConnectorCall[]): RunConnectors {
  // Only describes actions: a live RuntimeConnectors calls nothing until asked to.
  const definitions = new RuntimeConnectors({ definitions: workspace.connectors.list(), mode: 'live' });
  const queue = [...recorded].sort((a, b) => a.seq - b.seq);
  const connectors = recordingConnectors({
    describe: (action) => definitions.describe(action),
    async call(action, input) {
      const next = queue.shift();
      if (!next || next.action !== action || next.inputHash !== inputHash(input)) {
        throw new ReplayDivergedError(`The replay called @${action} with input the recorded run did not use at that point${next ? ` (it called @${next.action})` : ''}.`);
      }
      const { record, ...result } = next.result as ActionResult & { record?: unknown };
      return { result: result as ActionResult, call: record ?? null };
    },
  });
  return { connectors, finalWorld: () => null, world: null, recorded: [], close: async () => undefined };
}
