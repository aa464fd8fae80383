// The peer bench's figures, from the turn samples (pure): per agent, then Stepwise's as ratios
// against each peer measured in the same run.
import { percentile } from '../stats';
import type { AgentName } from './agent';
import type { TurnSample } from './measure';
import type { Memory } from './rss';

export interface AgentFigures {
  name: AgentName;
  conversations: number;
  turnsPerConversation: number;
  overheadMedianMs: number;
  overheadP95Ms: number;
  /** This process's CPU per turn, median. */
  cpuMedianMs: number;
  /** With the processes it started (Stepwise's interpreters), mean over all turns. */
  cpuWithChildrenMeanMs: number;
  /** Per conversation (every conversation makes the same calls: the script checks it). */
  modelCalls: number;
  callsPerCustomerTurn: number;
  /** Bytes of every request of one conversation, mean over the conversations. */
  requestBytes: number;
  firstRequestBytes: number;
  lastRequestBytes: number;
  /** Mean share of each request after a conversation's first that the previous request began with. */
  prefixReuse: number;
  memory?: Memory;
  /** Resident memory above the bare probe (Node, tsx and the bench's code): what the framework adds. */
  memoryAboveBare?: number;
}

export function agentFigures(name: AgentName, conversations: TurnSample[][], memory?: Memory, bare?: Memory): AgentFigures {
  if (conversations.length === 0) throw new Error(`No conversation of ${name} was measured`);
  const turns = conversations.flat();
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const overheads = sorted(turns.map((turn) => turn.overheadMs));
  const requests = conversations.map((conversation) => conversation.flatMap((turn) => turn.requests));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const calls = requests[0]!.length;
  if (requests.some((list) => list.length !== calls)) throw new Error(`${name}'s conversations made different numbers of model calls`);
  return {
    name,
    conversations: conversations.length,
    turnsPerConversation: conversations[0]!.length,
    overheadMedianMs: percentile(overheads, 50),
    overheadP95Ms: percentile(overheads, 95),
    cpuMedianMs: percentile(sorted(turns.map((turn) => turn.cpuMs)), 50),
    cpuWithChildrenMeanMs: mean(turns.map((turn) => turn.cpuMs + turn.childCpuMs)),
    modelCalls: calls,
    callsPerCustomerTurn: calls / conversations[0]!.length,
    requestBytes: mean(requests.map((list) => list.reduce((sum, request) => sum + request.bytes, 0))),
    firstRequestBytes: mean(requests.map((list) => list[0]!.bytes)),
    lastRequestBytes: mean(requests.map((list) => list.at(-1)!.bytes)),
    prefixReuse: mean(requests.map(prefixReuse)),
    ...(memory ? { memory } : {}),
    ...(memory && bare ? { memoryAboveBare: memory.rss - bare.rss } : {}),
  };
}

/** Mean share of each request after the first that the previous request began with. */
export function prefixReuse(requests: readonly { prefixShared: number }[]): number {
  const later = requests.slice(1);
  if (later.length === 0) throw new Error('Prefix reuse needs two requests or more');
  return later.reduce((sum, request) => sum + request.prefixShared, 0) / later.length;
}

/** Each customer turn's request sizes, in KB, as `9.9` or `14.4+14.8` when the turn made several calls. */
export function turnSizes(turns: readonly TurnSample[]): string[] {
  return turns.map((turn) => turn.requests.map((request) => (request.bytes / 1000).toFixed(1)).join('+'));
}

export interface Row {
  label: string;
  value(figures: AgentFigures): number | undefined;
  format(value: number): string;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const kb = (value: number) => `${(value / 1000).toFixed(1)} KB`;
const mb = (value: number) => `${(value / 2 ** 20).toFixed(0)} MB`;
const count = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

export const ROWS: Row[] = [
  { label: 'overhead per turn, median', value: (f) => f.overheadMedianMs, format: ms },
  { label: 'overhead per turn, p95', value: (f) => f.overheadP95Ms, format: ms },
  { label: 'CPU per turn, median', value: (f) => f.cpuMedianMs, format: ms },
  { label: 'CPU per turn with child processes, mean', value: (f) => f.cpuWithChildrenMeanMs, format: ms },
  { label: 'model calls per conversation', value: (f) => f.modelCalls, format: count },
  { label: 'model calls per customer turn', value: (f) => f.callsPerCustomerTurn, format: count },
  { label: 'request bytes per conversation', value: (f) => f.requestBytes, format: kb },
  { label: 'first request', value: (f) => f.firstRequestBytes, format: kb },
  { label: 'last request', value: (f) => f.lastRequestBytes, format: kb },
  { label: 'prompt-prefix reuse, mean', value: (f) => f.prefixReuse, format: (value) => `${(value * 100).toFixed(1)}%` },
  { label: 'RSS with child processes', value: (f) => f.memory?.rss, format: mb },
  { label: 'RSS above bare Node', value: (f) => f.memoryAboveBare, format: mb },
];

/** Stepwise's figure ÷ the peer's, or undefined when either is missing or the peer's is 0. */
export function ratio(stepwise: AgentFigures, peer: AgentFigures, row: Row): number | undefined {
  const ours = row.value(stepwise);
  const theirs = row.value(peer);
  if (ours === undefined || theirs === undefined || theirs === 0) return undefined;
  return ours / theirs;
}
