// Running a stored simulation, and replaying a recorded run exactly and offline.
import type { ModelCaller } from '../model/client';
import { plural } from '../../shared/plural';
import type { StoredSimulation } from '../store/simulations';
import { StoreError } from '../store/errors';
import type { DetailedRun } from '../store/simulations';
import { ReplayingModelCaller } from './model-recording';
import { PinnedCatalog, type PinnedProcedures } from './pinned-procedures';
import { liveRunConnectors, mockRunConnectors, replayedRunConnectors, startingWorld } from './run-connectors';
import { play, type RunOutcome, type SimulationServices } from './runner';

export interface RunRequest {
  model: ModelCaller;
  pinned: PinnedProcedures;
  /** Shared by the runs of a suite, so each Procedure is compiled once. */
  catalog?: PinnedCatalog;
  attempt?: number;
  suiteId?: number | null;
  signal?: AbortSignal;
}

export function runSimulation(services: SimulationServices, simulation: StoredSimulation, request: RunRequest): Promise<RunOutcome> {
  const definition = simulation.definition;
  const clock = definition.clock ? new Date(definition.clock) : (services.now ?? (() => new Date()))();
  const options = (conversationId: () => number | null) => ({ sandbox: services.sandbox, clock: () => clock, ...(services.secrets ? { secrets: services.secrets } : {}), conversationId });
  return play(services, {
    simulation,
    definition,
    pinned: request.pinned,
    catalog: request.catalog ?? new PinnedCatalog(services.workspace, request.pinned),
    model: request.model,
    clock,
    connectors: (conversationId) =>
      definition.connectors.mode === 'mock'
        ? mockRunConnectors(services.workspace, definition, options(conversationId), startingWorld(services.workspace, definition))
        : liveRunConnectors(services.workspace, options(conversationId)),
    attempt: request.attempt ?? 1,
    suiteId: request.suiteId ?? null,
    replayOf: null,
    ...(request.signal ? { signal: request.signal } : {}),
  });
}

export interface ReplayResult {
  original: DetailedRun;
  replay: RunOutcome;
  /** Same status, checks, verdicts and transcript, with every recorded response used. */
  identical: boolean;
  differences: string[];
}

/**
 * Plays a recorded run again with no model: every model response comes from the recording (and,
 * for a live run, every connector result), on the Procedure texts, starting world, definition and
 * clock the run had. The replay is stored as a run of its own, marked as a replay.
 */
export async function replayRun(services: SimulationServices, runId: number): Promise<ReplayResult> {
  const { workspace } = services;
  const original = workspace.simulations.requireRun(runId);
  if (original.replayOf !== null) throw new StoreError(`Run ${runId} is itself a replay of run ${original.replayOf}: replay that one.`, 'invalid');
  const details = original.details;
  const definition = original.definition;
  if (!details || !definition) throw new StoreError(`Run ${runId} was not recorded for replay (it was made before recording, or elsewhere).`, 'invalid');
  const calls = workspace.simulations.recordings.modelCalls(runId);
  const simulation = workspace.simulations.byId(original.simulationId);
  if (!simulation) throw new StoreError(`The simulation of run ${runId} no longer exists.`, 'not-found');
  for (const [name, hash] of Object.entries(details.procedures)) {
    if (!workspace.simulations.recordings.hasSnapshot(hash)) throw new StoreError(`The text of "${name}" that run ${runId} ran on was not kept, so it cannot be replayed.`, 'not-found');
  }
  const pinned: PinnedProcedures = { draft: details.draft, hashes: details.procedures };
  const model = new ReplayingModelCaller(calls);
  const clock = new Date(details.clock);
  const world = details.world;
  const replay = await play(services, {
    simulation,
    definition,
    pinned,
    catalog: new PinnedCatalog(workspace, pinned),
    model,
    clock,
    connectors: (conversationId) => {
      if (definition.connectors.mode === 'live') return replayedRunConnectors(workspace, workspace.simulations.recordings.connectorCalls(runId));
      const text = world ? workspace.simulations.recordings.snapshotText(world.hash) : null;
      if (!world || text === null) throw new StoreError(`The starting world of run ${runId} was not kept, so it cannot be replayed.`, 'not-found');
      return mockRunConnectors(workspace, definition, { sandbox: services.sandbox, clock: () => clock, conversationId }, { name: world.name, hash: world.hash, world: JSON.parse(text) as Record<string, unknown> });
    },
    attempt: original.attempt,
    suiteId: null,
    replayOf: runId,
  });
  const differences = compareRuns(services, original, replay);
  if (model.remaining() > 0) differences.push(`${plural(model.remaining(), 'recorded model response')} ${model.remaining() === 1 ? 'was' : 'were'} never asked for.`);
  return { original, replay, identical: differences.length === 0, differences };
}

function compareRuns(services: SimulationServices, original: DetailedRun, replay: RunOutcome): string[] {
  const differences: string[] = [];
  if (original.status !== replay.status) differences.push(`status: ${original.status} then, ${replay.status} now`);
  const before = original.checks.map((check) => `${check.name}: ${check.passed ? 'pass' : 'fail'} (${check.party ?? '-'}) ${check.reason}`);
  const after = replay.checks.map((check) => `${check.name}: ${check.passed ? 'pass' : 'fail'} (${check.party ?? '-'}) ${check.reason}`);
  const length = Math.max(before.length, after.length);
  for (let index = 0; index < length; index++) if (before[index] !== after[index]) differences.push(`check ${index + 1}: "${before[index] ?? '(none)'}" then, "${after[index] ?? '(none)'}" now`);
  const finalWorld = (details: { finalWorld?: { hash: string } | null } | null | undefined) => details?.finalWorld?.hash ?? null;
  // A run from before final worlds were kept has nothing to compare with.
  if (original.details?.finalWorld !== undefined && finalWorld(original.details) !== finalWorld(replay.details)) differences.push('the final world differs');
  const messages = (conversationId: number | null | undefined) =>
    conversationId ? services.workspace.conversations.messages(conversationId).map((message) => `${message.role}: ${message.content}`) : [];
  const then = messages(original.details?.conversationId);
  const now = messages(replay.details.conversationId);
  if (JSON.stringify(then) !== JSON.stringify(now)) {
    const index = then.findIndex((line, i) => line !== now[i]);
    differences.push(`transcript differs from message ${(index < 0 ? then.length : index) + 1}`);
  }
  return differences;
}
