// The production server under load, on 127.0.0.1 only and bounded in time. The server runs as its
// own process (`stepwise serve`, as deployed); the fake Messages API answers every call after
// 200 ms, through the real SDK; each conversation is created, then sends three messages one after
// the other (the first is routed: two model calls, 400 ms; the others one, 200 ms). Figures:
//   - added latency per turn: what the client waited minus the model time the server reports in
//     Server-Timing (the server's own work, its database writes and HTTP), p50/p95/p99
//     (target: p95 < 10 ms at 50 conversations);
//   - the same from the server's own clock (Server-Timing total minus model): what the server did,
//     without the HTTP round trip and the bench client's own delays;
//   - throughput in turns per second;
//   - RSS of each server process at the end (and its peak);
//   - so that a loaded machine shows for what it is: the load average before and after each load,
//     the server processes' CPU per turn (and how busy they were), and the bench client's own CPU
//     per turn and event-loop delay (the client also runs the fake model: if it lags, the figures
//     measure it, not the server).
// Each load is bounded: past LOAD_DEADLINE_MS its requests are aborted and counted as failed.
// The model time the server reports is the time from sending the model call to having its answer;
// a server stalled meanwhile (an fsync, another turn's CPU) shows up there rather than as added
// latency, so the added latency here is a lower bound of the server's own cost when it is loaded.
// On SQLite with one instance, then, when a PostgreSQL server is installed, on PostgreSQL with one
// and with two instances (round robin per request, as a load balancer does; target: two instances
// ≥ 1.7 × one when the model is the only bottleneck).
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { createApiKey } from '../main/production/api-keys';
import { PostgresConversationStore } from '../main/store/postgres/conversation-store';
import { Workspace } from '../main/store/workspace';
import { startFakeAnthropic, toolCall, toolCalls } from '../tests/support/fake-anthropic';
import { postgresBinDir, startPostgresCluster, type PostgresCluster } from '../tests/support/postgres';
import { newSigner, RETURNS_PROCEDURE, spawnServer, writeBundle } from '../tests/production/helpers';
import { percentile } from './stats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const MODEL_DELAY_MS = 200;
const TURNS_PER_CONVERSATION = 3;
/** STEPWISE_BENCH_LOADS=1,50 runs other loads; STEPWISE_BENCH_POSTGRES=0 skips PostgreSQL. */
const LOADS = (process.env.STEPWISE_BENCH_LOADS ?? '50,200').split(',').map(Number);
/** STEPWISE_BENCH_SQLITE=full runs SQLite at full durability only (relaxed, or 0 for neither). */
const SQLITE_RUNS = (process.env.STEPWISE_BENCH_SQLITE ?? 'full,relaxed').split(',').filter((value): value is 'full' | 'relaxed' => value === 'full' || value === 'relaxed');
/** STEPWISE_BENCH_SEQUENTIAL=N: first N conversations one at a time, for the CPU per turn alone (0: none). */
const SEQUENTIAL = Number(process.env.STEPWISE_BENCH_SEQUENTIAL ?? 60);
/** Each server's first turns compile the code paths they take (JIT): a few conversations first, not measured. */
const WARM_UP_CONVERSATIONS = 5;
/** A load that takes longer is cut short: its requests still running are aborted and counted as failed. */
const LOAD_DEADLINE_MS = Number(process.env.STEPWISE_BENCH_DEADLINE_MS ?? 120_000);

interface Figures {
  label: string;
  conversations: number;
  turns: number;
  failed: number;
  seconds: number;
  added: number[];
  /** Server-Timing total minus model, per turn: the server's own time. */
  serverAdded: number[];
  rss: { pid: number; rssMb: number; peakMb: number }[];
  /** CPU time the server processes spent during the load, per turn (user + system). */
  cpuMsPerTurn: number;
  /** The servers' CPU over the load's wall time (1 = one core busy throughout). */
  serverBusy: number;
  /** The bench process's own CPU per turn (client and fake model). */
  clientCpuMsPerTurn: number;
  /** The bench process's event-loop delay, p99 (ms). */
  clientLagP99: number;
  loadBefore: number;
  loadAfter: number;
  /** PostgreSQL's processes' CPU per turn (0 on SQLite). */
  databaseCpuMsPerTurn: number;
  /** Every process's CPU on the machine over the load's wall time, in cores (other sessions' too). */
  machineBusy: number;
}

export async function run(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-production-'));
  let replies = 0;
  let modelDelayMs = MODEL_DELAY_MS;
  const fake = await startFakeAnthropic((request) =>
    request.body.tools?.some((tool) => tool.name === 'route')
      ? { ...toolCall('route', { procedure: 'Returns', reason: 'return' }), delayMs: modelDelayMs }
      : { ...toolCalls(['reply', { message: `Which item would you like to return? (${++replies})` }]), delayMs: modelDelayMs },
  );
  /**
   * The server's CPU per turn with one conversation at a time and a model that answers at once:
   * nothing shares a turn of the event loop, so unlike the loads it does not change with how many
   * turns batch together, and a loaded machine changes it little (it is CPU time, not wall time).
   */
  const sequential = async (label: string, servers: { url: string; child: ChildProcess }[], key: string) => {
    if (SEQUENTIAL === 0) return;
    modelDelayMs = 0;
    try {
      const cpuBefore = servers.reduce((sum, server) => sum + cpuMsOf(server.child.pid!), 0);
      let turns = 0;
      for (let index = 0; index < SEQUENTIAL; index++) turns += (await load('sequential', servers, key, 1)).turns;
      const cpu = servers.reduce((sum, server) => sum + cpuMsOf(server.child.pid!), 0) - cpuBefore;
      console.log(`  ${label}: ${(cpu / turns).toFixed(2)} ms of server CPU per turn, ${turns} turns one at a time (model at once; load average ${loadavg()[0]!.toFixed(1)})`);
    } finally {
      modelDelayMs = MODEL_DELAY_MS;
    }
  };
  const signer = await newSigner(dir);
  const bundle = await writeBundle(signer, join(dir, 'shop.bundle'), [RETURNS_PROCEDURE]);
  const configFile = join(dir, 'server.json');
  // Neither the rate limit nor the no-progress escalation is what is measured here.
  writeFileSync(configFile, JSON.stringify({ rateLimit: { burst: 1_000_000, perSecond: 1_000_000 }, escalation: { noProgressTurns: 100, repeatThreshold: 100 }, logLevel: 'warn' }));
  const env = { ...process.env, ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: fake.url };
  // STEPWISE_BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (read
  // it with `npx tsx bench/production-profile.ts <file>`); the bench process itself is not profiled.
  const profileDir = process.env.STEPWISE_BENCH_CPU_PROF;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const children: ChildProcess[] = [];
  const relaxedConfig = join(dir, 'server-relaxed.json');
  writeFileSync(relaxedConfig, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), sqliteDurability: 'relaxed' }));
  const start = async (database: string, config = configFile) => {
    const server = await spawnServer(['serve', bundle, '--trust', signer.publicKeyFile, '--database', database, '--port', '0', '--config', config], env, nodeArgs);
    children.push(server.child);
    return server;
  };
  const stop = async () => {
    await Promise.all(children.splice(0).map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
  };
  const results: Figures[] = [];
  let cluster: PostgresCluster | null = null;
  try {
    console.log(`Production server: ${availableParallelism()} cores, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}; model answers after ${MODEL_DELAY_MS} ms`);

    // SQLite, one instance, at full durability then without an fsync per answer (sqliteDurability: relaxed).
    for (const durability of SQLITE_RUNS) {
      const file = join(dir, `${durability}.sqlite`);
      const key = await sqliteKeyFor(file);
      const one = await start(file, durability === 'full' ? configFile : relaxedConfig);
      await load('warm-up', [one], key, WARM_UP_CONVERSATIONS);
      await sequential(durability === 'full' ? 'SQLite' : 'SQLite relaxed', [one], key);
      for (const conversations of LOADS) results.push(await load(durability === 'full' ? 'SQLite, 1 instance' : 'SQLite relaxed, 1 inst.', [one], key, conversations));
      await stop();
    }

    // PostgreSQL, one instance then two.
    let havePostgres = process.env.STEPWISE_BENCH_POSTGRES !== '0';
    try {
      if (havePostgres) postgresBinDir();
    } catch {
      havePostgres = false;
      console.log('  (no PostgreSQL server installed: the PostgreSQL figures are skipped)');
    }
    if (havePostgres) {
      cluster = await startPostgresCluster();
      for (const instances of [1, 2]) {
        // STEPWISE_BENCH_PG_PARAMS=stepwise_pool_size=30 tries the store's own URL parameters (docs/production.md).
        const url = `${await cluster.createDatabase()}${process.env.STEPWISE_BENCH_PG_PARAMS ? `?${process.env.STEPWISE_BENCH_PG_PARAMS}` : ''}`;
        const store = await PostgresConversationStore.open({ url });
        const key = (await createApiKey(store.production, { name: 'bench', scope: 'conversations' })).token;
        await store.close();
        const servers = await Promise.all(Array.from({ length: instances }, () => start(url)));
        await load('warm-up', servers, key, WARM_UP_CONVERSATIONS * instances);
        await sequential(`PostgreSQL, ${instances} instance${instances === 1 ? '' : 's'}`, servers, key);
        for (const conversations of LOADS) results.push(await load(`PostgreSQL, ${instances} instance${instances === 1 ? '' : 's'}`, servers, key, conversations, cluster));
        await stop();
      }
    }
  } finally {
    await stop();
    await cluster?.stop();
    await fake.close();
    signer.close();
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('  setup                    convs  turns  failed  turns/s   added p50    p95     p99  server\'s own p50/p95  server CPU/turn (busy)  client CPU/turn, lag p99  db CPU/turn  machine busy  load before/after  RSS per instance (peak)');
  for (const figures of results) {
    const added = [...figures.added].sort((a, b) => a - b);
    const line = [
      figures.label.padEnd(24),
      String(figures.conversations).padStart(5),
      String(figures.turns).padStart(6),
      String(figures.failed).padStart(7),
      (figures.turns / figures.seconds).toFixed(1).padStart(8),
      `${percentile(added, 50).toFixed(1)} ms`.padStart(11),
      `${percentile(added, 95).toFixed(1)} ms`.padStart(8),
      `${percentile(added, 99).toFixed(1)} ms`.padStart(8),
      `${percentile([...figures.serverAdded].sort((a, b) => a - b), 50).toFixed(1)}/${percentile([...figures.serverAdded].sort((a, b) => a - b), 95).toFixed(1)} ms`.padStart(20),
      `${figures.cpuMsPerTurn.toFixed(1)} ms (${figures.serverBusy.toFixed(2)})`.padStart(23),
      `${figures.clientCpuMsPerTurn.toFixed(1)} ms, ${figures.clientLagP99.toFixed(0)} ms`.padStart(25),
      `${figures.databaseCpuMsPerTurn.toFixed(1)} ms`.padStart(12),
      `${figures.machineBusy.toFixed(2)} cores`.padStart(13),
      `${figures.loadBefore.toFixed(1)}/${figures.loadAfter.toFixed(1)}`.padStart(18),
      figures.rss.map((entry) => `${entry.rssMb.toFixed(0)} MB (${entry.peakMb.toFixed(0)})`).join(', ').padStart(18),
    ];
    console.log(`  ${line.join(' ')}`);
  }
  const at50 = results.find((figures) => figures.label.startsWith('SQLite') && figures.conversations === 50);
  const p95 = at50 ? percentile([...at50.added].sort((a, b) => a - b), 95) : NaN;
  console.log(`  target: p95 added latency under 10 ms at 50 conversations (SQLite): ${p95 < 10 ? 'met' : 'MISSED'} (${p95.toFixed(1)} ms)`);
  const largest = Math.max(...LOADS);
  const pg1 = results.find((figures) => figures.label === 'PostgreSQL, 1 instance' && figures.conversations === largest);
  const pg2 = results.find((figures) => figures.label === 'PostgreSQL, 2 instances' && figures.conversations === largest);
  if (pg1 && pg2) {
    const ratio = pg2.turns / pg2.seconds / (pg1.turns / pg1.seconds);
    console.log(`  two instances / one at ${largest} conversations (PostgreSQL): ${ratio.toFixed(2)}x (target ≥ 1.7x when the model is the only bottleneck)`);
    const demand = (largest * TURNS_PER_CONVERSATION) / ((MODEL_DELAY_MS / 1000) * (TURNS_PER_CONVERSATION + 1));
    console.log(`  one instance's ceiling from its CPU per turn: ${(1000 / pg1.cpuMsPerTurn).toFixed(0)} turns/s per core; ${largest} conversations on a 200 ms model ask for at most ${demand.toFixed(0)} turns/s`);
    // Everything a turn costs on this machine (servers, PostgreSQL, the bench client with the fake
    // model), against its cores. One instance runs on one thread: it serves at most 1000 / (its CPU
    // per turn) turns/s, using one core, while PostgreSQL and the client use their share of the
    // rest. Two instances share the machine's cores with those: at most cores × 1000 / (everything
    // per turn). Their ratio bounds what two instances can show over one when one is at its core.
    const perTurn = pg2.cpuMsPerTurn + pg2.databaseCpuMsPerTurn + pg2.clientCpuMsPerTurn;
    const machineCeiling = (availableParallelism() * 1000) / perTurn;
    const oneCeiling = 1000 / pg2.cpuMsPerTurn;
    const bound = machineCeiling / oneCeiling;
    console.log(
      `  CPU per turn with two instances: servers ${pg2.cpuMsPerTurn.toFixed(1)} + PostgreSQL ${pg2.databaseCpuMsPerTurn.toFixed(1)} + bench client and fake model ${pg2.clientCpuMsPerTurn.toFixed(1)} = ${perTurn.toFixed(1)} ms: ` +
        `${availableParallelism()} cores serve at most ${machineCeiling.toFixed(0)} turns/s with nothing else running; one instance at its one core ${oneCeiling.toFixed(0)}: two over one at most ${bound.toFixed(2)}x here${bound < 1.7 ? ' (below 1.7x: this machine cannot show the target)' : ''}`,
    );
  }
  const busiest = Math.max(...results.map((figures) => figures.loadAfter), ...results.map((figures) => figures.loadBefore));
  if (busiest > availableParallelism()) {
    console.log(`  the machine was loaded (load average up to ${busiest.toFixed(1)} on ${availableParallelism()} cores): a turn waited for a CPU as long as it ran, so the latencies above measure the machine more than the server; its CPU per turn is the figure that carries over`);
  }
  return results.every((figures) => figures.failed === 0);
}

async function sqliteKeyFor(database: string): Promise<string> {
  Workspace.create(database).close();
  const workspace = Workspace.open(database);
  try {
    return (await createApiKey(workspace.production, { name: 'bench', scope: 'conversations' })).token;
  } finally {
    workspace.close();
  }
}

/** `conversations` customers at once, each creating a conversation then sending its messages in turn. */
async function load(label: string, servers: { url: string; child: ChildProcess }[], key: string, conversations: number, database: PostgresCluster | null = null): Promise<Figures> {
  let next = 0;
  const base = () => servers[next++ % servers.length]!.url;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const added: number[] = [];
  const serverAdded: number[] = [];
  let failed = 0;
  let turns = 0;
  const deadline = AbortSignal.timeout(LOAD_DEADLINE_MS);
  const loadBefore = loadavg()[0]!;
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const clientBefore = process.cpuUsage();
  const cpuBefore = servers.reduce((sum, server) => sum + cpuMsOf(server.child.pid!), 0);
  const databaseBefore = database ? postgresCpuMs(database.port) : 0;
  const machineBefore = machineCpuMs();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: conversations }, async () => {
      let attempted = 0;
      try {
        const created = await fetch(`${base()}/v1/conversations`, { method: 'POST', headers, body: '{}', signal: deadline });
        if (created.status !== 201) {
          failed += TURNS_PER_CONVERSATION;
          return;
        }
        const { id } = (await created.json()) as { id: number };
        for (let turn = 1; turn <= TURNS_PER_CONVERSATION; turn++) {
          const sent = performance.now();
          const response = await fetch(`${base()}/v1/conversations/${id}/messages`, { method: 'POST', headers, body: JSON.stringify({ text: `I want to return a mug (${turn})` }), signal: deadline });
          await response.arrayBuffer();
          const elapsed = performance.now() - sent;
          attempted++;
          if (response.status !== 200) {
            failed++;
            continue;
          }
          turns++;
          // Every turn calls the model: a turn that did not (an escalation) would not measure the same thing.
          const timing = response.headers.get('server-timing') ?? '';
          const model = Number(/model;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
          const total = Number(/total;dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
          added.push(elapsed - model);
          serverAdded.push(total - model);
        }
      } catch (error) {
        if (!deadline.aborted) throw error;
        // Cut short by the deadline: this customer's turns not done count as failed.
        failed += TURNS_PER_CONVERSATION - attempted;
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = servers.reduce((sum, server) => sum + cpuMsOf(server.child.pid!), 0) - cpuBefore;
  const databaseCpu = database ? postgresCpuMs(database.port) - databaseBefore : 0;
  const machineCpu = machineCpuMs() - machineBefore;
  const client = process.cpuUsage(clientBefore);
  lag.disable();
  return {
    label,
    conversations,
    turns,
    failed,
    seconds: wallMs / 1000,
    added,
    serverAdded,
    rss: servers.map((server) => rssOf(server.child.pid!)),
    cpuMsPerTurn: cpu / Math.max(1, turns),
    serverBusy: cpu / wallMs,
    clientCpuMsPerTurn: (client.user + client.system) / 1000 / Math.max(1, turns),
    clientLagP99: lag.percentile(99) / 1e6,
    loadBefore,
    loadAfter: loadavg()[0]!,
    databaseCpuMsPerTurn: databaseCpu / Math.max(1, turns),
    machineBusy: machineCpu / wallMs,
  };
}

/** The process's CPU time so far (user + system), from /proc. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the command's ")".
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** CPU of PostgreSQL on `port`: its postmaster (with the children it has reaped) and its live children. */
function postgresCpuMs(port: number): number {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        return { pid: Number(pid), cmdline, fields };
      } catch {
        return null; // gone meanwhile
      }
    })
    .filter((entry) => entry !== null);
  const postmaster = stats.find((entry) => entry.cmdline.some((arg) => arg.endsWith('/postgres')) && entry.cmdline.includes('-p') && entry.cmdline[entry.cmdline.indexOf('-p') + 1] === String(port));
  if (!postmaster) return 0;
  const ticks = (fields: string[], from: number, count: number) => fields.slice(from, from + count).reduce((sum, value) => sum + Number(value), 0);
  // After ") ": ppid is field 1; utime, stime, cutime, cstime are 11 to 14.
  const children = stats.filter((entry) => Number(entry.fields[1]) === postmaster.pid);
  return ((ticks(postmaster.fields, 11, 4) + children.reduce((sum, child) => sum + ticks(child.fields, 11, 2), 0)) * 1000) / 100;
}

/** All CPU time spent on the machine so far (every core, every process), from /proc/stat. */
function machineCpuMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = fields.slice(0, 8).reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return (busy * 1000) / 100;
}

function rssOf(pid: number): { pid: number; rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { pid, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
