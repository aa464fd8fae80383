// The peer bench's run: one fake model server process, the three agents made side by side,
// warm-up conversations, then the measured ones interleaved; the peers once more with only the
// conversation's two Procedures in their prompt (request bytes only); then one memory probe per
// agent. Everything the agents opened is closed, failed or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InMemoryConnectors } from '../../tests/runtime/harness';
import { benchConnectors, type AgentName } from './agent';
import { AGENTS, type AgentEntry } from './agents';
import { startFakeModelProcess } from './fake-process';
import { agentFigures, type AgentFigures } from './figures';
import { runConversation, runInterleaved, type RunningAgent, type TurnSample } from './measure';
import { installModelClock } from './model-clock';
import { probeMemory, type Memory } from './rss';

export interface PeerRunOptions {
  /** Measured conversations per agent, at most. */
  runs: number;
  warmup: number;
  /** See InterleavedOptions. */
  budgetMs?: number;
  minRuns?: number;
  /** Conversations each memory probe runs before it reports; 0: no memory probes. */
  memoryConversations: number;
}

export interface PeerRun {
  figures: AgentFigures[];
  /** Peers' request bytes per conversation when their prompt carries only the conversation's two Procedures. */
  narrowRequestBytes: Partial<Record<AgentName, number>>;
  /** That conversation's samples, per peer. */
  narrowSamples: Map<AgentName, TurnSample[]>;
  /** The measured conversations' samples, per agent. */
  samples: Map<string, TurnSample[][]>;
  /** Each agent's connectors, with every action call they received. */
  connectors: Map<AgentName, InMemoryConnectors>;
  bare?: Memory;
  /** Seconds each phase took: making the agents, the conversations (warm-up included), the memory probes. */
  phases: { setup: number; conversations: number; memory: number };
}

export async function runPeers(options: PeerRunOptions): Promise<PeerRun> {
  const started = performance.now();
  const phases = { setup: 0, conversations: 0, memory: 0 };
  const clock = installModelClock();
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-peers-'));
  const opened: RunningAgent[] = [];
  const fake = await startFakeModelProcess().catch((error: unknown) => {
    clock.uninstall();
    throw error;
  });
  try {
    const connectors = new Map<AgentName, InMemoryConnectors>();
    const make = async (entry: AgentEntry, procedures: 'workspace' | 'conversation' = 'workspace'): Promise<RunningAgent> => {
      const own = benchConnectors();
      const agent = await entry.create({ url: fake.url, model: entry.model, connectors: own, dir, procedures });
      opened.push({ entry, agent, connectors: own });
      if (procedures === 'workspace') connectors.set(entry.name, own);
      return { entry, agent, connectors: own };
    };
    const agents: RunningAgent[] = [];
    for (const entry of AGENTS) agents.push(await make(entry));
    phases.setup = (performance.now() - started) / 1000;
    const samples = await runInterleaved({ server: fake, clock, agents, ...options });

    const narrowRequestBytes: PeerRun['narrowRequestBytes'] = {};
    const narrowSamples = new Map<AgentName, TurnSample[]>();
    for (const entry of AGENTS.filter((candidate) => candidate.name !== 'Stepwise')) {
      const narrow = await make({ ...entry, model: `${entry.model}-narrow` }, 'conversation');
      const turns = await runConversation(narrow, { server: fake, clock });
      narrowSamples.set(entry.name, turns);
      narrowRequestBytes[entry.name] = turns.flatMap((turn) => turn.requests).reduce((sum, request) => sum + request.bytes, 0);
    }
    await closeAll(opened);
    phases.conversations = (performance.now() - started) / 1000 - phases.setup;

    let bare: Memory | undefined;
    const memory = new Map<AgentName, Memory>();
    if (options.memoryConversations > 0) {
      // One at a time would take as long as the timed run; at once they only share the machine, which memory does not mind.
      const names = AGENTS.map((entry) => entry.name);
      const [baseline, ...probes] = await Promise.all([probeMemory(fake, 'bare', 0), ...names.map((name) => probeMemory(fake, name, options.memoryConversations))]);
      bare = baseline;
      names.forEach((name, index) => memory.set(name, probes[index]!));
    }
    phases.memory = (performance.now() - started) / 1000 - phases.setup - phases.conversations;
    const figures = AGENTS.map((entry) => agentFigures(entry.name, samples.get(entry.name)!, memory.get(entry.name), bare));
    return { figures, narrowRequestBytes, narrowSamples, samples, connectors, phases, ...(bare ? { bare } : {}) };
  } finally {
    await closeAll(opened);
    await fake.close();
    clock.uninstall();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function closeAll(running: RunningAgent[]): Promise<void> {
  for (const { agent } of running.splice(0)) await agent.close();
}
