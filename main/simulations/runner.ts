// Plays one simulation: the customer model talks to the real conversation runtime until the
// customer is done, the conversation reaches an outcome, or the turn limit cuts it off; then the
// deterministic checks run, the judge rules on the criteria (seeing the trace), each failure is put
// down to one party, and everything is stored against the Procedure version the run ran on, with
// every model response recorded for exact replay.
import type { ModelCaller } from '../model/client';
import { plural } from '../../shared/plural';
import { createEngine } from '../assembly/engine';
import type { CompiledProcedure } from '../runtime/compiled-procedure';
import { endsAllProcedures } from '../runtime/frames';
import type { ConversationState, TraceEvent } from '../runtime/types';
import type { CodeSandbox } from '../sandbox/types';
import type { SecretStore } from '../secrets/secret-store';
import type { StoredSimulation } from '../store/simulations';
import type { Workspace } from '../store/workspace';
import { attribute, conformanceCheck } from './attribution';
import { actionCalls, attributeChecks, describeOutcome, expectedActionChecks, finalStatusCheck, forbiddenActionChecks, turnLimitCheck, worldChecks } from './checks';
import { CustomerSimulator, type TranscriptLine } from './customer';
import type { CheckOutcome, Party, SimulationDefinition } from './definition';
import { StructuredOutputError } from './forced-tool';
import { judge, type JudgeResult } from './judge';
import { RecordingModelCaller, ReplayDivergedError, totalCost, withSignal } from './model-recording';
import { SimulationPersistence } from './persistence';
import { PinnedCatalog, type PinnedProcedures } from './pinned-procedures';
import { procedureControlsCheck, proceduresOfTrace } from './procedure-controls';
import type { CustomerConformance, RunDetails } from './records';
import type { RunConnectors } from './run-connectors';
import { digestTrace } from './trace-digest';

export interface SimulationServices {
  workspace: Workspace;
  sandbox: CodeSandbox;
  /** Live connectors' secrets. */
  secrets?: SecretStore;
  /** Where a run's clock starts when the simulation does not fix it (default: now). */
  now?: () => Date;
}

export interface RunOutcome {
  runId: number;
  simulationId: number;
  procedure: string;
  simulation: string;
  attempt: number;
  status: 'passed' | 'failed' | 'error';
  summary: string;
  checks: CheckOutcome[];
  details: RunDetails;
}

export interface PlayInput {
  simulation: StoredSimulation;
  definition: SimulationDefinition;
  pinned: PinnedProcedures;
  catalog: PinnedCatalog;
  model: ModelCaller;
  clock: Date;
  connectors: (conversationId: () => number | null) => RunConnectors;
  attempt: number;
  suiteId: number | null;
  replayOf: number | null;
  signal?: AbortSignal;
}

/** A problem with the simulation itself (its setup), found before the conversation starts. */
export class SimulationSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationSetupError';
  }
}

type Phase = 'setup' | 'customer' | 'agent' | 'judge';

interface Played {
  conversationId: number | null;
  state: ConversationState | null;
  trace: TraceEvent[];
  turns: number;
  endedBy: RunDetails['endedBy'];
  error: { message: string; party: Party | null } | null;
}

export async function play(services: SimulationServices, input: PlayInput): Promise<RunOutcome> {
  const { workspace } = services;
  const { simulation, definition, pinned } = input;
  const started = performance.now();
  const procedureHash = pinned.hashes[simulation.procedure];
  if (!procedureHash) {
    throw new SimulationSetupError(
      pinned.draft ? `The Procedure "${simulation.procedure}" is not in the workspace.` : `"${simulation.procedure}" has no live version: publish it, or run the simulations on drafts.`,
    );
  }
  const live = workspace.procedures.get(simulation.procedure)?.live;
  const version = !pinned.draft && live?.contentHash === procedureHash ? live.version : null;
  const runId = workspace.recordActivity(() =>
    workspace.simulations.startRun(simulation.id, { procedureHash, version, suiteId: input.suiteId, attempt: input.attempt, replayOf: input.replayOf, definition }),
  );
  const recorder = new RecordingModelCaller(withSignal(input.model, input.signal));
  const played: Played = { conversationId: null, state: null, trace: [], turns: 0, endedBy: 'error', error: null };
  let connectors: RunConnectors | null = null;
  let phase: Phase = 'setup';
  let judged: JudgeResult | null = null;
  let finalWorld: Record<string, unknown> | null = null;
  try {
    await checkWorldAssertions(services.sandbox, definition);
    connectors = input.connectors(() => played.conversationId);
    // The run's connectors and the suite's sandbox belong to the run and the suite: nothing to close here.
    const { engine } = createEngine({
      workspace,
      model: recorder,
      draft: pinned.draft,
      catalog: input.catalog,
      connectors: connectors.connectors,
      sandbox: services.sandbox,
      persistence: new SimulationPersistence(workspace, { runId, procedure: simulation.procedure, procedureHash }),
      clock: () => input.clock,
    });
    played.conversationId = await engine.start({
      kind: 'simulation',
      ...(definition.start === 'procedure' ? { procedure: simulation.procedure } : {}),
      attributes: definition.context,
    });
    const customer = new CustomerSimulator(recorder, definition.customer);
    const id = played.conversationId;
    const transcript: TranscriptLine[] = [];
    for (;;) {
      input.signal?.throwIfAborted();
      if (played.turns >= definition.maxTurns) {
        played.endedBy = 'max_turns';
        break;
      }
      let message: string;
      if (played.turns === 0 && definition.customer.opening) message = definition.customer.opening;
      else {
        phase = 'customer';
        const turn = await customer.next(transcript);
        if (turn.done) {
          played.endedBy = 'customer_done';
          break;
        }
        message = turn.message!;
      }
      phase = 'agent';
      const result = await engine.send(id, message);
      played.turns += 1;
      transcript.push({ role: 'customer', text: message }, ...result.replies.map((text) => ({ role: 'agent' as const, text })));
      // A handoff or escalation, or the simulated Procedure's work complete (the conversation stays open, but this run is over).
      if (result.outcome || endsAllProcedures(result.trace)) {
        played.endedBy = 'outcome';
        break;
      }
    }
    played.state = await engine.state(id);
    played.trace = storedTrace(workspace, id);
    finalWorld = connectors.finalWorld();
    phase = 'judge';
    judged = await judge(recorder, {
      criteria: definition.criteria,
      customer: definition.customer,
      transcript: (played.state?.transcript ?? []).map((line) => `${line.role}: ${line.text}`).join('\n'),
      trace: digestTrace(played.trace.filter((event) => event.type !== 'customer_message' && event.type !== 'agent_message')),
      outcome: played.state ? describeOutcome(played.state) : 'never started',
      attributes: Object.fromEntries(Object.entries(played.state?.attributes ?? {}).map(([name, entry]) => [name, entry.value])),
    });
  } catch (error) {
    played.error = classify(error, phase, input.signal);
    played.endedBy = input.signal?.aborted ? 'cancelled' : 'error';
    // What the conversation did before the error is still checked against the Procedure's controls.
    if (played.conversationId !== null && played.trace.length === 0) played.trace = storedTrace(workspace, played.conversationId);
  } finally {
    // What the mocks left behind, even when the run failed part way (the world as it stood then).
    if (finalWorld === null && connectors) finalWorld = connectors.finalWorld();
    await connectors?.close().catch(() => undefined);
  }

  const procedures = await proceduresOfTrace(input.catalog, played.trace);
  const { checks, customer, attribution } = await evaluate(services, definition, played, judged, finalWorld, procedures);
  const usage = recorder.usage();
  const details: RunDetails = {
    conversationId: played.conversationId,
    clock: input.clock.toISOString(),
    draft: pinned.draft,
    procedures: pinned.hashes,
    world: connectors?.world ?? null,
    finalWorld: null,
    turns: played.turns,
    endedBy: played.endedBy,
    attribution,
    customer,
    usage,
    costUsd: totalCost(usage),
    error: played.error?.message ?? null,
    durationMs: Math.round(performance.now() - started),
  };
  const status: RunOutcome['status'] = played.error ? 'error' : checks.every((check) => check.passed) ? 'passed' : 'failed';
  const summary = summarize(status, checks, played);
  workspace.recordActivity(() =>
    workspace.transaction(() => {
      // Kept by content hash like the starting world: runs that end alike share one copy.
      if (finalWorld !== null && connectors?.world) details.finalWorld = { hash: workspace.simulations.recordings.snapshot('world', '(final world)', JSON.stringify(finalWorld)) };
      workspace.simulations.completeRun(runId, { status, summary, checks, details });
      workspace.simulations.recordings.saveModelCalls(runId, recorder.calls);
      if (connectors && connectors.recorded.length > 0) workspace.simulations.recordings.saveConnectorCalls(runId, connectors.recorded);
    }),
  );
  return { runId, simulationId: simulation.id, procedure: simulation.procedure, simulation: simulation.name, attempt: input.attempt, status, summary, checks, details };
}

async function evaluate(
  services: SimulationServices,
  definition: SimulationDefinition,
  played: Played,
  judged: JudgeResult | null,
  finalWorld: Record<string, unknown> | null,
  procedures: Map<string, CompiledProcedure>,
): Promise<{ checks: CheckOutcome[]; customer: CustomerConformance | null; attribution: Party | null }> {
  if (played.error) {
    const check: CheckOutcome = { name: 'the run completes', kind: 'run', passed: false, reason: played.error.message, party: played.error.party };
    const controls = procedureControlsCheck(procedures, played.trace);
    return { checks: [check, controls], customer: null, attribution: controls.passed ? played.error.party : 'agent' };
  }
  const state = played.state!;
  const calls = actionCalls(played.trace);
  const checks: CheckOutcome[] = [
    ...definition.criteria.map((criterion): CheckOutcome => {
      const verdict = judged?.verdicts.get(criterion.name);
      return {
        name: criterion.name,
        kind: 'criterion',
        passed: verdict?.passed ?? false,
        reason: verdict?.reasoning ?? 'The judge gave no verdict.',
        party: verdict?.passed ? null : (verdict?.party ?? 'judge'),
        evidence: { assertion: criterion.assertion },
      };
    }),
    ...expectedActionChecks(definition, calls),
    ...forbiddenActionChecks(definition, calls),
    ...finalStatusCheck(definition, state),
    ...attributeChecks(definition, state),
    ...(finalWorld !== null ? await worldChecks(definition, services.sandbox, finalWorld, state) : []),
    ...turnLimitCheck(definition, played.endedBy === 'max_turns'),
    procedureControlsCheck(procedures, played.trace),
    ...conformanceCheck(judged?.customer ?? null),
  ];
  const attributed = attribute(checks, judged?.customer ?? null);
  return { checks: attributed.checks, customer: judged?.customer ?? null, attribution: attributed.attribution };
}

/** Python assertions are checked for syntax and policy before anything runs. */
async function checkWorldAssertions(sandbox: CodeSandbox, definition: SimulationDefinition) {
  for (const assertion of definition.worldAssertions) {
    const issues = await sandbox.check(assertion.python, 'condition');
    if (issues.length > 0) {
      const first = issues[0]!;
      throw new SimulationSetupError(`The world assertion "${assertion.name}" is not valid Python: ${first.message} (line ${first.line}, column ${first.column}).`);
    }
  }
}

function classify(error: unknown, phase: Phase, signal: AbortSignal | undefined): { message: string; party: Party | null } {
  if (signal?.aborted) return { message: 'Cancelled before the run finished.', party: null };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SimulationSetupError || error instanceof ReplayDivergedError) return { message, party: null };
  if (error instanceof StructuredOutputError) return { message, party: error.role === 'customer' ? 'customer' : error.role === 'judge' ? 'judge' : 'agent' };
  const party: Record<Phase, Party | null> = { setup: null, customer: 'customer', agent: 'agent', judge: 'judge' };
  const where: Record<Phase, string> = { setup: 'Setting up the run failed', customer: 'The simulated customer failed', agent: 'The agent failed', judge: 'The judge failed' };
  return { message: `${where[phase]}: ${message}`, party: party[phase] };
}

function summarize(status: RunOutcome['status'], checks: CheckOutcome[], played: Played): string {
  if (status === 'error') return played.error!.message;
  const failed = checks.filter((check) => !check.passed);
  const turns = plural(played.turns, 'customer message');
  if (failed.length === 0) return `${checks.length === 1 ? '1 check' : `All ${plural(checks.length, 'check')}`} passed in ${turns}.`;
  return `${failed.length} of ${plural(checks.length, 'check')} failed in ${turns}: ${failed.map((check) => `${check.name} (${check.party ?? 'agent'})`).join('; ')}.`;
}

function storedTrace(workspace: Workspace, conversationId: number): TraceEvent[] {
  return workspace.traces.events(conversationId).map((event) => ({ type: event.type, stepId: event.stepId, payload: event.payload }));
}
