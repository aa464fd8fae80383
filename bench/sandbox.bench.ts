// Python sandbox figures: cold start of an interpreter (full, and from the pool's memory snapshot),
// warm evaluations end to end through the pool (budget: median under 5 ms), what isolating evaluations
// costs (the interpreter restored after every evaluation, against the same pool without it, measured
// side by side in this run), recovery after an evaluation is killed, and the memory (RSS) of the
// elastic pool at rest and in a burst, against a pool that keeps both interpreters warm (the old way).
// Run alone: npm run bench -- sandbox
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createPythonSandbox, type EvaluationRequest, type PythonSandbox } from '../main/sandbox/index';
import { ms, percentile } from './stats';

const BUDGET_MS = 5;

const declared: EvaluationRequest['declared'] = [
  { name: 'days_since_delivery', type: 'number' },
  { name: 'refund_amount', type: 'number' },
  { name: 'preferred_resolution', type: 'enum', values: ['refund', 'replacement'] },
];
const order = {
  delivered_on: '2024-04-20',
  items: [
    { sku: 'KETTLE-1', price: 39.9 },
    { sku: 'MUG-2', price: 12.5 },
  ],
  damaged_skus: ['KETTLE-1'],
};
const base = {
  attributes: { days_since_delivery: 20, preferred_resolution: 'refund' },
  data: { 'shop.get_order': order },
  declared,
  clock: { now: '2024-05-10T09:30:00Z' },
};
const claimWindow: EvaluationRequest = {
  ...base,
  mode: 'code',
  code: 'from datetime import date\ndelivered = date.fromisoformat(data["shop.get_order"]["delivered_on"])\nattributes["days_since_delivery"] = (today() - delivered).days',
};
const withinWindow: EvaluationRequest = { ...base, mode: 'condition', code: 'attributes["days_since_delivery"] <= 30' };
const refund: EvaluationRequest = {
  ...base,
  mode: 'code',
  code: 'order = data["shop.get_order"]\nattributes["refund_amount"] = sum(i["price"] for i in order["items"] if i["sku"] in order["damaged_skus"])',
};

function summary(samples: number[]): { median: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1]! };
}

async function timeReady(sandbox: PythonSandbox): Promise<number> {
  const started = performance.now();
  await sandbox.ready();
  return performance.now() - started;
}

async function warm(sandbox: PythonSandbox, request: EvaluationRequest, runs: number): Promise<number[]> {
  for (let i = 0; i < 20; i++) await sandbox.evaluate(request);
  return measure(sandbox, request, runs);
}

async function measure(sandbox: PythonSandbox, request: EvaluationRequest, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await sandbox.evaluate(request);
    samples.push(performance.now() - started);
    if (!result.ok) throw new Error(`benchmark evaluation failed: ${result.error.message}`);
  }
  return samples;
}

function rssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null; // not Linux
  }
}

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!predicate()) {
    if (performance.now() - started > timeoutMs) throw new Error('timed out waiting for the pool');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

function loadAverage(): string {
  return `load average ${os.loadavg().map((load) => load.toFixed(1)).join(' / ')} on ${os.cpus().length} cores`;
}

function sumRssMb(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (rssMb(pid) ?? 0), 0);
}

/**
 * RSS of this process and of the interpreters: at rest, while one caller runs evaluations back to back
 * (a simulation suite), during a burst of 4 callers, and after the idle period. Elastic (the app's
 * default: one at rest) against both interpreters kept warm (minInterpreters 2, how the pool was before).
 */
async function memoryFootprint(): Promise<void> {
  if (rssMb(process.pid) === null) return; // not Linux
  console.log(`  memory (RSS, MB): pool of at most 2; this process / the interpreters, ${loadAverage()}`);
  const idleReleaseMs = 2_000;
  const slow: EvaluationRequest = { ...base, mode: 'code', code: 'n = 0\nfor i in range(100_000):\n    n += i' };
  for (const [label, minInterpreters] of [['elastic (after)', 1], ['both kept warm (before)', 2]] as const) {
    const sandbox = createPythonSandbox({ poolSize: 2, minInterpreters, idleReleaseMs });
    try {
      await waitUntil(() => sandbox.stats().ready === minInterpreters && sandbox.stats().starting === 0, 60_000);
      for (let i = 0; i < 20; i++) await sandbox.evaluate(withinWindow);
      await new Promise((resolve) => setTimeout(resolve, idleReleaseMs + 500));
      const rest = `${rssMb(process.pid)!.toFixed(0)} / ${sumRssMb(sandbox.pids()).toFixed(0)} (${sandbox.pids().length} interpreter(s))`;
      let peak = 0;
      let most = 0;
      const poll = setInterval(() => {
        peak = Math.max(peak, sumRssMb(sandbox.pids()));
        most = Math.max(most, sandbox.pids().length);
      }, 20);
      for (let i = 0; i < 300; i++) await sandbox.evaluate(i % 2 ? withinWindow : claimWindow);
      const sequential = `${peak.toFixed(0)} (${most} interpreter(s))`;
      peak = 0;
      most = 0;
      await Promise.all([0, 1, 2, 3].map(async () => {
        for (let i = 0; i < 60; i++) await sandbox.evaluate(slow);
      }));
      clearInterval(poll);
      const burst = `${peak.toFixed(0)} (${most} interpreter(s)); this process ${rssMb(process.pid)!.toFixed(0)}`;
      await waitUntil(() => sandbox.pids().length === minInterpreters, idleReleaseMs * 5);
      const after = `${sumRssMb(sandbox.pids()).toFixed(0)} (${sandbox.pids().length})`;
      console.log(`    ${label}: at rest ${rest}; one caller back to back, peak ${sequential}; burst of 4 callers, peak ${burst}; ${idleReleaseMs / 1000} s after ${after}`);
    } finally {
      await sandbox.close();
    }
  }
}

/** Sequential warm evaluations on two sandboxes, alternating in batches so both see the same load. */
async function sideBySide(a: PythonSandbox, b: PythonSandbox, request: EvaluationRequest, runs: number): Promise<[number[], number[]]> {
  const batch = 25;
  const samples: [number[], number[]] = [[], []];
  for (const sandbox of [a, b]) await warm(sandbox, request, 0);
  for (let done = 0; done < runs; done += batch) {
    samples[0].push(...(await measure(a, request, batch)));
    samples[1].push(...(await measure(b, request, batch)));
  }
  return samples;
}

async function throughput(sandbox: PythonSandbox, request: EvaluationRequest, callers: number, perCaller: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: callers }, async () => {
    for (let i = 0; i < perCaller; i++) await sandbox.evaluate(request);
  }));
  return Math.round((callers * perCaller) / ((performance.now() - started) / 1000));
}

/**
 * Before and after the isolation change: the same pool with and without the restore after every
 * evaluation. Returns whether the isolated medians stay within the budget.
 */
async function isolationCost(): Promise<boolean> {
  console.log(`  isolation: each evaluation restored (after) vs not (before), side by side, ${loadAverage()}`);
  let withinBudget = true;
  for (const poolSize of [2, 1]) {
    const after = createPythonSandbox({ poolSize });
    const before = createPythonSandbox({ poolSize, isolateEvaluations: false });
    try {
      await after.ready();
      await before.ready();
      const cases: Array<[string, EvaluationRequest]> = poolSize === 2
        ? [['condition', withinWindow], ['code block claim window', claimWindow], ['code block refund', refund]]
        : [['condition, back to back', withinWindow]];
      for (const [label, request] of cases) {
        const [restored, kept] = await sideBySide(after, before, request, 300);
        const a = summary(restored);
        const b = summary(kept);
        if (a.median >= BUDGET_MS) withinBudget = false;
        console.log(`    pool of ${poolSize}, ${label}: after median ${ms(a.median)}, p95 ${ms(a.p95)} | before median ${ms(b.median)}, p95 ${ms(b.p95)} (${restored.length} runs each)`);
      }
      const callers = poolSize;
      const [tAfter, tBefore] = [await throughput(after, withinWindow, callers, 200), await throughput(before, withinWindow, callers, 200)];
      console.log(`    pool of ${poolSize}, throughput with ${callers} caller${callers > 1 ? 's' : ''}: after ${tAfter} evaluations/s | before ${tBefore} evaluations/s`);
    } finally {
      await after.close();
      await before.close();
    }
  }
  console.log(`    (${loadAverage()} at the end)`);
  return withinBudget;
}

export async function run(): Promise<boolean> {
  console.log(`Python sandbox (Pyodide in locked-down child processes), ${loadAverage()}`);

  // Cold start: one interpreter, full start (no snapshot).
  const cold = createPythonSandbox({ poolSize: 1, useSnapshot: false });
  const coldMs = await timeReady(cold);
  await cold.close();
  console.log(`  cold start, full (Pyodide load + runner setup + hardening): ${ms(coldMs)}`);

  // The pool: the first interpreter starts in full and takes a snapshot, the second starts from it.
  // A long idle period: this part measures a full pool of 2 throughout.
  const sandbox = createPythonSandbox({ poolSize: 2, idleReleaseMs: 600_000 });
  const poolMs = await timeReady(sandbox);
  console.log(`  pool of 2 ready (one full start, one from the snapshot): ${ms(poolMs)}`);

  try {
    const figures: Array<[string, number[]]> = [
      ['condition  attributes["days_since_delivery"] <= 30', await warm(sandbox, withinWindow, 500)],
      ['code block claim window (datetime)', await warm(sandbox, claimWindow, 500)],
      ['code block refund amount', await warm(sandbox, refund, 500)],
    ];
    let withinBudget = true;
    for (const [label, samples] of figures) {
      const s = summary(samples);
      if (s.median >= BUDGET_MS) withinBudget = false;
      console.log(`  warm evaluation, end to end through the pool, ${label}: median ${ms(s.median)}, p95 ${ms(s.p95)}, max ${ms(s.max)} (${samples.length} runs)`);
    }

    // Two callers at once: both interpreters busy.
    const parallelStarted = performance.now();
    const perCaller = 250;
    await Promise.all([0, 1].map(async () => {
      for (let i = 0; i < perCaller; i++) await sandbox.evaluate(withinWindow);
    }));
    const parallelMs = performance.now() - parallelStarted;
    console.log(`  throughput with 2 callers: ${Math.round((2 * perCaller) / (parallelMs / 1000))} evaluations/s`);

    for (const pid of sandbox.pids()) {
      const rss = rssMb(pid);
      if (rss !== null) console.log(`  interpreter ${pid} RSS: ${rss.toFixed(0)} MB (includes the ~30 MB clean copy of its memory used by the restore)`);
    }

    // The memory cap: a bomb against the default 256 MB limit on the Python (wasm) heap.
    const before = new Map(sandbox.pids().map((pid) => [pid, rssMb(pid)] as const));
    let peak = 0;
    const poll = setInterval(() => {
      for (const pid of sandbox.pids()) peak = Math.max(peak, rssMb(pid) ?? 0);
    }, 10);
    const bombStarted = performance.now();
    const bomb = await sandbox.evaluate({ ...base, mode: 'code', code: 'b = []\nwhile True:\n    b.append("x" * 1_000_000)', timeoutMs: 30_000 });
    const bombMs = performance.now() - bombStarted;
    clearInterval(poll);
    if (bomb.ok || bomb.error.kind !== 'memory') throw new Error('the memory bomb was not stopped by the memory cap');
    const baseline = Math.max(...[...before.values()].map((rss) => rss ?? 0));
    console.log(`  memory bomb stopped by the wasm heap cap after ${ms(bombMs)}; interpreter RSS peaked at ${peak.toFixed(0)} MB (about ${baseline.toFixed(0)} MB before)`);
    await waitUntil(() => sandbox.stats().ready === 2 && sandbox.stats().starting === 0, 60_000);

    // Recovery after a killed evaluation.
    const replacedBefore = sandbox.stats().replaced;
    const killStarted = performance.now();
    const killed = await sandbox.evaluate({ ...base, mode: 'code', code: 'while True:\n    pass', timeoutMs: 100 });
    const killedMs = performance.now() - killStarted;
    if (killed.ok || killed.error.kind !== 'timeout') throw new Error('the endless loop was not stopped');
    const nextStarted = performance.now();
    const next = await sandbox.evaluate(withinWindow);
    const nextMs = performance.now() - nextStarted;
    if (!next.ok) throw new Error('the pool did not answer after a kill');
    const fullMs = await waitUntil(
      () => sandbox.stats().replaced > replacedBefore && sandbox.stats().ready === 2 && sandbox.stats().starting === 0,
      60_000,
    );
    console.log(`  endless loop with a 100 ms limit stopped after ${ms(killedMs)}`);
    console.log(`  recovery: next evaluation answered in ${ms(nextMs)} (the other interpreter); pool back to 2 warm interpreters ${ms(nextMs + fullMs)} after the kill`);

    await sandbox.close();
    await memoryFootprint();
    const isolatedWithinBudget = await isolationCost();
    console.log(`  budget: warm median under ${BUDGET_MS} ms (evaluations isolated): ${withinBudget && isolatedWithinBudget ? 'met' : 'MISSED'}`);
    return withinBudget && isolatedWithinBudget;
  } finally {
    await sandbox.close();
  }
}
