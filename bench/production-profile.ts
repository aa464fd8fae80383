// Reads a V8 CPU profile (`node --cpu-prof`, or STEPWISE_BENCH_CPU_PROF with the production bench)
// and prints where the time went: the functions with the most self time, and the files (our own
// modules, by folder, and each dependency) with the most, so a cost spread over many small
// functions shows too; with --callers <name>, the stacks (a few callers up) of the functions so named.
//   npx tsx bench/production-profile.ts <file.cpuprofile> [--top 40] [--turns N] [--callers <name>] [--depth 6]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args[0]?.startsWith('--') ? undefined : args[0];
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
if (!file) {
  console.error('Usage: npx tsx bench/production-profile.ts <file.cpuprofile> [--top 40] [--turns N]');
  process.exit(2);
}
const top = option('top', 40);
const turns = option('turns', 0);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

// Self time per node from the samples and their time deltas (µs).
const selfUs = new Map<number, number>();
for (let index = 0; index < profile.samples.length; index++) {
  const id = profile.samples[index]!;
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
}
const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
/** A native function (no url: a binding such as better-sqlite3's, or a builtin) counts where its nearest caller with a url is. */
const placeOf = (id: number): string => {
  const node = byNode.get(id)!;
  if (node.callFrame.url) return where(node.callFrame.url);
  if (/^\(.*\)$/.test(node.callFrame.functionName)) return node.callFrame.functionName;
  for (let up = parentOf.get(id); up !== undefined; up = parentOf.get(up)) {
    const url = byNode.get(up)!.callFrame.url;
    if (url) return `${where(url)} (native)`;
  }
  return '(native)';
};
const where = (url: string) => {
  const path = url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '/');
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (dependency) return `dep ${dependency[1]}`;
  const own = /^\/(main|shared|bench|tests)\/(.*)$/.exec(path);
  if (own) return `${own[1]}/${own[2]!.split('/').slice(0, -1).join('/') || '.'}`;
  return path.startsWith('node:') ? 'node internals' : path || '(native / vm)';
};
const functions = new Map<string, number>();
const places = new Map<string, number>();
let total = 0;
for (const [id, us] of selfUs) {
  const node = byNode.get(id)!;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'}  ${url.replace(/^.*\/(node_modules\/|main\/|shared\/)/, '$1')}:${lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
  places.set(placeOf(id), (places.get(placeOf(id)) ?? 0) + us);
  total += us;
}
const idle = [...selfUs].filter(([id]) => byNode.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, us]) => sum + us, 0);
const busy = total - idle;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const perTurn = (us: number) => (turns > 0 ? `${(us / 1000 / turns).toFixed(3).padStart(8)} ms/turn` : '');
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy${turns > 0 ? `, ${turns} turns: ${(busy / 1000 / turns).toFixed(2)} ms busy per turn` : ''}`);
console.log('\nself time by place:');
for (const [name, us] of [...places].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}% ${perTurn(us)}  ${name}`);
console.log('\nself time by function:');
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}% ${perTurn(us)}  ${name}`);

const callers = args.includes('--callers') ? args[args.indexOf('--callers') + 1] : undefined;
if (callers) {
  const depth = option('depth', 6);
  const stacks = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byNode.get(id)!.callFrame.functionName !== callers) continue;
    const frames: string[] = [];
    for (let up = parentOf.get(id); up !== undefined && frames.length < depth; up = parentOf.get(up)) {
      const { functionName, url, lineNumber } = byNode.get(up)!.callFrame;
      frames.push(`${functionName || '(anonymous)'}@${url.replace(/^.*\//, '')}:${lineNumber + 1}`);
    }
    const key = frames.join(' < ');
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  console.log(`\ncallers of ${callers}:`);
  for (const [stack, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${perTurn(us)}  ${stack}`);
}

// --inclusive: functions by the time spent in them and what they call (each sample counted once per
// function on its stack; async functions count their synchronous stretches only).
if (args.includes('--inclusive')) {
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const { functionName, url, lineNumber } = byNode.get(at)!.callFrame;
      if (!url) continue;
      const name = `${functionName || '(anonymous)'}  ${url.replace(/^.*\/(node_modules\/|main\/|shared\/)/, '$1')}:${lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  console.log('\ninclusive time by function:');
  for (const [name, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${perTurn(us)}  ${name}`);
}
