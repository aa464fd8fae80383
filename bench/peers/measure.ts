// Runs the damaged-order conversation through each agent, interleaved (A, B, C, A, B, C…) so the
// machine's load hits all alike, and samples every turn: wall time less model time, CPU, and the
// requests the fake server received. Each turn is checked against its script: every queued answer
// used, no request unanswered, the expected reply, and at the end the conversation's actions in
// order; anything else stops the run with the reason.
import type { InMemoryConnectors } from '../../tests/runtime/harness';
import type { FakeResponse } from '../../tests/support/fake-anthropic';
import { CONVERSATION } from '../support/damaged-order';
import type { PeerAgent } from './agent';
import { CONVERSATION_ACTIONS, type AgentEntry } from './agents';
import type { Taken } from './fake-process';
import type { ServedRequest } from './fake-protocol';
import type { ModelClock } from './model-clock';
import { cpuOf, descendants } from './process-tree';

/** What the bench needs of the fake server: queue a turn's answers, take the requests served. */
export interface ScriptedServer {
  pid?: number;
  queue(model: string, responses: FakeResponse[]): Promise<void>;
  take(model: string): Promise<Taken>;
}

export interface TurnSample {
  /** Wall time of the turn less the time spent in model calls. */
  overheadMs: number;
  modelMs: number;
  /** This process's CPU during the turn (µs precision). */
  cpuMs: number;
  /** CPU of the processes it started (Stepwise's interpreters), in 10 ms ticks. */
  childCpuMs: number;
  /** The requests the fake server received during the turn, in order. */
  requests: ServedRequest[];
}

export interface RunningAgent {
  entry: AgentEntry;
  agent: PeerAgent;
  /** The agent's connectors, which record every action it runs. */
  connectors: InMemoryConnectors;
}

export interface RunOptions {
  server: ScriptedServer;
  clock: ModelClock;
}

/** One whole conversation through one agent; its turns' samples. */
export async function runConversation({ entry, agent, connectors }: RunningAgent, { server, clock }: RunOptions): Promise<TurnSample[]> {
  const conversation = await agent.start();
  const actionsBefore = connectors.calls.length;
  const samples: TurnSample[] = [];
  const exclude = server.pid ? [server.pid] : [];
  for (const [index, turn] of CONVERSATION.entries()) {
    await server.queue(entry.model, entry.script[index]!);
    const children = descendants(exclude);
    const childCpu = cpuOf(children);
    const model = clock.elapsed();
    const cpu = process.cpuUsage();
    const started = performance.now();
    let reply: string | undefined;
    let failure: unknown;
    try {
      reply = await conversation.send(turn.customer);
    } catch (error) {
      failure = error;
    }
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const modelMs = clock.elapsed() - model;
    const childCpuMs = cpuOf(children) - childCpu;
    const { served, unexpected, left } = await server.take(entry.model);
    const where = `${entry.name}, turn ${index + 1} ("${turn.customer}")`;
    const failed = failure === undefined ? undefined : `the agent failed: ${failure instanceof Error ? failure.message : String(failure)}`;
    if (unexpected.length > 0) throw new Error(`${where}: ${unexpected.length} model call(s) beyond the script${failed ? ` (${failed})` : ''}`);
    if (failed) throw new Error(`${where}: ${failed}`, { cause: failure });
    if (left > 0) throw new Error(`${where}: ${left} scripted answer(s) never asked for`);
    if (reply !== entry.replies[index]) throw new Error(`${where}: replied ${JSON.stringify(reply)}, the script says ${JSON.stringify(entry.replies[index])}`);
    samples.push({ overheadMs: wall - modelMs, modelMs, cpuMs: (used.user + used.system) / 1000, childCpuMs, requests: served });
  }
  const actions = connectors.calls.slice(actionsBefore).map((call) => call.action);
  if (actions.join() !== CONVERSATION_ACTIONS.join()) {
    throw new Error(`${entry.name}: the conversation ran ${actions.join(', ') || 'no action'}; it should run ${CONVERSATION_ACTIONS.join(', ')}`);
  }
  return samples;
}

export interface InterleavedOptions extends RunOptions {
  agents: RunningAgent[];
  /** Measured conversations per agent. */
  runs: number;
  /** Conversations per agent run first and not kept (JIT, the sandbox's first evaluations). */
  warmup: number;
  /** No new round starts after this long (measured rounds), once `minRuns` rounds are measured: a loaded machine ends sooner. */
  budgetMs?: number;
  minRuns?: number;
}

/** Each agent's measured conversations (each a list of turn samples), keyed by agent name. */
export async function runInterleaved(options: InterleavedOptions): Promise<Map<string, TurnSample[][]>> {
  const kept = new Map<string, TurnSample[][]>(options.agents.map(({ entry }) => [entry.name, []]));
  let measuring = 0;
  for (let run = 0; run < options.warmup + options.runs; run++) {
    if (run === options.warmup) measuring = performance.now();
    const measured = run - options.warmup;
    if (options.budgetMs !== undefined && measured >= (options.minRuns ?? 1) && performance.now() - measuring > options.budgetMs) break;
    for (const running of options.agents) {
      const samples = await runConversation(running, options);
      if (run >= options.warmup) kept.get(running.entry.name)!.push(samples);
    }
  }
  return kept;
}

