// Stepwise against peers: the runtime bench's 7-turn damaged-order conversation run through
// Stepwise's engine, a LangGraph.js ReAct agent (createReactAgent, ChatAnthropic, the SQLite
// checkpointer) and the AI SDK (generateText with tools, history kept by the caller), with the same
// tool names and connectors, against one instant fake model server in a process of its own,
// interleaved (Stepwise, LangGraph.js, AI SDK, Stepwise, …) so the machine's load hits all alike.
// It prints each agent's figures and Stepwise's as ratios against each peer in the same run:
//   - overhead per turn: wall time less the time in model calls (timed at fetch for all three);
//   - CPU per turn: this process, and with its child processes (Stepwise's Python interpreters);
//   - model calls, per conversation and per customer turn;
//   - request bytes, per conversation and the first and last request (as the server received them);
//   - prompt-prefix reuse: the share of each request that the previous one began with;
//   - resident memory, one probe process per agent after a few conversations.
// Goals (issue 14): request bytes ≤ 1.0× each peer's, model calls per customer turn ≤ 1.15.
import { availableParallelism, loadavg } from 'node:os';
import { CONVERSATION as CONVERSATION_TURNS } from './support/damaged-order';
import { PEER_ACTIONS, type AgentName } from './peers/agent';
import { prefixReuse, ratio, ROWS, turnSizes, type AgentFigures } from './peers/figures';
import { runPeers } from './peers/run-peers';

const RUNS = 12;
const WARMUP = 1;
/** The measured rounds stop after this long (at least MIN_RUNS of them), so a loaded machine ends sooner. */
const BUDGET_MS = 12_000;
const MIN_RUNS = 3;
const MEMORY_CONVERSATIONS = 2;
const BYTES_GOAL = 1.0;
const CALLS_GOAL = 1.15;

export async function run(): Promise<boolean> {
  const loadBefore = loadavg()[0]!;
  const result = await runPeers({ runs: RUNS, warmup: WARMUP, budgetMs: BUDGET_MS, minRuns: MIN_RUNS, memoryConversations: MEMORY_CONVERSATIONS });
  const [stepwise, ...peers] = result.figures as [AgentFigures, ...AgentFigures[]];
  console.log(
    `peers: ${stepwise.turnsPerConversation}-turn damaged-order conversation × ${stepwise.conversations} per agent (+${WARMUP} warm-up), interleaved; one instant fake model server process; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
  );
  console.log(`  peers' prompt: the workspace's five example Procedures; tools: the ${PEER_ACTIONS.length} actions the conversation's Procedures name, same names as Stepwise's`);
  const header = ['figure', ...result.figures.map((f) => f.name), ...peers.map((peer) => `Stepwise ÷ ${peer.name}`)];
  const lines = ROWS.map((row) => [
    row.label,
    ...result.figures.map((figures) => {
      const value = row.value(figures);
      return value === undefined ? '–' : row.format(value);
    }),
    ...peers.map((peer) => {
      const value = ratio(stepwise, peer, row);
      return value === undefined ? '–' : `${value.toFixed(2)}×`;
    }),
  ]);
  printTable([header, ...lines]);
  const narrow = peers.map((peer) => {
    const bytes = result.narrowRequestBytes[peer.name as AgentName];
    return bytes === undefined ? '' : `${peer.name} ${(bytes / 1000).toFixed(1)} KB (Stepwise ${(stepwise.requestBytes / bytes).toFixed(2)}×)`;
  });
  console.log(`  request bytes per conversation with only the conversation's two Procedures in the peers' prompt: ${narrow.join(', ')}`);
  const narrowReuse = peers.flatMap((peer) => {
    const turns = result.narrowSamples.get(peer.name);
    if (!turns) return [];
    const reuse = prefixReuse(turns.flatMap((turn) => turn.requests));
    return [`${peer.name} ${(reuse * 100).toFixed(1)}% (Stepwise ${(stepwise.prefixReuse / reuse).toFixed(2)}×)`];
  });
  console.log(`  prompt-prefix reuse with only the two Procedures in the peers' prompt: ${narrowReuse.join(', ')}`);
  // Every conversation sends the same bytes (the script fixes the calls): the first one's sizes stand for all.
  console.log("  request sizes per customer turn, KB (a turn's calls joined with +):");
  const sizeRows = [
    ...result.figures.map((figures) => [figures.name, ...turnSizes(result.samples.get(figures.name)![0]!)]),
    ...peers.flatMap((peer) => {
      const turns = result.narrowSamples.get(peer.name);
      return turns ? [[`${peer.name}, two Procedures`, ...turnSizes(turns)]] : [];
    }),
  ];
  printTable([['agent', ...CONVERSATION_TURNS.map((_, index) => `turn ${index + 1}`)], ...sizeRows]);
  console.log(`  prefix reuse: the share of each request the previous one began with (tools, system, messages); the peers send no cache markers, so theirs is reusable only if they add them`);
  const { setup, conversations, memory } = result.phases;
  console.log(`  time: making the agents ${setup.toFixed(1)} s, the conversations ${conversations.toFixed(1)} s, the memory probes ${memory.toFixed(1)} s`);
  if (result.bare) console.log(`  RSS of a bare probe (Node, tsx, the bench's code): ${(result.bare.rss / 2 ** 20).toFixed(0)} MB`);

  const bytesRatios = peers.map((peer) => stepwise.requestBytes / peer.requestBytes);
  const bytesOk = bytesRatios.every((value) => value <= BYTES_GOAL);
  const callsOk = stepwise.callsPerCustomerTurn <= CALLS_GOAL;
  console.log(`  goal: request bytes ≤ ${BYTES_GOAL.toFixed(1)}× each peer's: ${bytesRatios.map((value) => `${value.toFixed(2)}×`).join(', ')} ${bytesOk ? 'ok' : 'MISSED'}`);
  console.log(`  goal: model calls per customer turn ≤ ${CALLS_GOAL}: ${stepwise.callsPerCustomerTurn.toFixed(2)} ${callsOk ? 'ok' : 'MISSED'}`);
  console.log(`  ${bytesOk && callsOk ? 'PASS' : 'FAIL'}`);
  return bytesOk && callsOk;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(`  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`);
}
