// Conversation runtime figures, on a scripted damaged-order conversation against the fake Messages
// API (instant answers) through the real SDK, with the real Python sandbox and a real workspace file
// (every turn's state, transcript and trace are written to SQLite):
//   - runtime overhead per turn, excluding model time (budget: median < 2 ms);
//   - prompt-prefix stability: the share of each request's bytes that the previous request of the
//     same conversation already sent, which prompt caching can reuse (budget: >= 90%);
//   - model calls per customer turn (goal: <= 1.15), and how often routing needed its own call;
//   - the conformance checker's cost per turn: checking a whole conversation's stored trace against
//     its Procedures, as a production monitor would after each conversation, divided by its turns.
import { availableParallelism, loadavg } from 'node:os';
import type { ModelCaller } from '../main/model/client';
import { ModelClient } from '../main/model/client';
import { ModelSettingsSchema } from '../main/model/settings';
import { createEngine } from '../main/assembly/engine';
import { checkConformance, describeViolation } from '../main/conformance';
import { parse } from '../shared/procedure';
import type { ConversationPersistence } from '../main/runtime/types';
import { createPythonSandbox } from '../main/sandbox';
import { startFakeAnthropic, type FakeResponse, type RecordedRequest } from '../tests/support/fake-anthropic';
import { WorkspacePersistence } from '../main/runtime/workspace-services';
import { Workspace } from '../main/store/workspace';
import { exampleWorkspace, shopConnectors } from '../tests/runtime/harness';
import { ms, percentile } from './stats';
import { BENCH_NOW, CONVERSATION } from './support/damaged-order';

const RUNS = 30;
/** The check takes well under a millisecond: repeated to be measurable. */
const CHECK_REPEATS = 20;
const cpus_count = () => availableParallelism();

export async function run(): Promise<boolean> {
  let queue: FakeResponse[] = [];
  const fake = await startFakeAnthropic(() => queue.shift() ?? { status: 500 });
  const sandbox = createPythonSandbox({ poolSize: 1 });
  const client = new ModelClient(ModelSettingsSchema.parse({ apiKey: 'bench', baseURL: fake.url, maxRetries: 0 }));
  let modelTime = 0;
  let modelCpu = 0;
  const timed: ModelCaller = {
    async call(request, options) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      try {
        return await client.call(request, options);
      } finally {
        modelTime += performance.now() - started;
        const used = process.cpuUsage(cpu);
        modelCpu += (used.user + used.system) / 1000;
      }
    },
  };
  const synchronous = process.env.STEPWISE_BENCH_SYNCHRONOUS === 'FULL' ? 'FULL' : 'NORMAL';
  const example = exampleWorkspace();
  const workspace = Workspace.open(example.path, { activityDurability: synchronous === 'FULL' ? 'full' : 'relaxed' });
  example.close();
  const store = new WorkspacePersistence(workspace);
  let saveTime = 0;
  const persistence: ConversationPersistence = {
    create: (kind) => store.create(kind),
    load: (id) => store.load(id),
    async saveTurn(...args) {
      const started = performance.now();
      await store.saveTurn(...args);
      saveTime += performance.now() - started;
    },
  };
  // The sandbox is started up front and shared: the first run warms it, the others are measured.
  const { engine } = createEngine({
    workspace,
    model: timed,
    draft: true,
    // As the workspace declares them: shop.get_order is a GET, read-only, so the runtime may look it up itself.
    connectors: shopConnectors({}, { declared: true }),
    sandbox,
    persistence,
    clock: () => BENCH_NOW,
  });

  const documents = new Map(workspace.procedures.list().map((record) => [record.name, parse(record.draftText).document]));
  const checks: number[] = [];
  let firstCheck = 0;
  const violations = new Set<string>();
  const overheads: number[] = [];
  const saves: number[] = [];
  const cpus: number[] = [];
  let calls = 0;
  let turns = 0;
  let routedTurns = 0;
  let routingCallTurns = 0;
  const stability: number[] = [];
  let requestBytes: number[] = [];
  let agentRequestBytes: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const firstRequest = fake.requests.length;
      const id = await engine.start({ kind: 'simulation' });
      for (const turn of CONVERSATION) {
        queue = [...turn.model];
        modelTime = 0;
        modelCpu = 0;
        saveTime = 0;
        const started = performance.now();
        const cpu = process.cpuUsage();
        const result = await engine.send(id, turn.customer);
        const wall = performance.now() - started;
        const used = process.cpuUsage(cpu);
        if (run > 0) {
          // The first run warms the sandbox and the JIT.
          overheads.push(wall - modelTime);
          saves.push(saveTime);
          cpus.push((used.user + used.system) / 1000 - modelCpu);
        }
        calls += result.modelCalls;
        turns += 1;
        // A turn that routed: by a clear trigger match (no call), or by the routing call.
        const routes = result.trace.filter((event) => event.type === 'route' && event.payload.valid === true);
        if (routes.length > 0) {
          routedTurns += 1;
          if (routes.some((event) => event.payload.method !== 'match')) routingCallTurns += 1;
        }
      }
      if (run === 0) stability.push(...prefixStability(fake.requests.slice(firstRequest)));
      if (run === 0) {
        const bytes = (request: RecordedRequest) => Buffer.byteLength(JSON.stringify(request.body));
        requestBytes = fake.requests.slice(firstRequest).map(bytes);
        agentRequestBytes = agentRequests(fake.requests.slice(firstRequest)).map(bytes);
      }
      const trace = workspace.traces.events(id).map((event) => ({ type: event.type, stepId: event.stepId, payload: event.payload }));
      if (run === 0) {
        // The first check also builds each Procedure's graph (kept per document afterwards).
        const started = performance.now();
        for (const violation of checkConformance(documents, trace)) violations.add(describeViolation(violation));
        firstCheck = performance.now() - started;
      } else {
        const started = performance.now();
        for (let repeat = 0; repeat < CHECK_REPEATS; repeat++) checkConformance(documents, trace);
        checks.push((performance.now() - started) / CHECK_REPEATS / CONVERSATION.length);
      }
    }
  } finally {
    await sandbox.close();
    await fake.close();
    workspace.close();
  }
  overheads.sort((a, b) => a - b);
  saves.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  checks.sort((a, b) => a - b);
  const median = percentile(overheads, 50);
  const meanStability = stability.reduce((sum, value) => sum + value, 0) / stability.length;
  const minStability = Math.min(...stability);
  const callsPerTurn = calls / turns;
  const pass = median < 2 && meanStability >= 0.9 && callsPerTurn <= 1.15;
  console.log(`runtime: ${CONVERSATION.length}-turn damaged-order conversation × ${RUNS} (instant fake model over HTTP, real SDK and sandbox; load average ${loadavg()[0]!.toFixed(1)} on ${cpus_count()} cores)`);
  console.log(`  overhead per turn, excluding model time  median ${ms(median)}  p95 ${ms(percentile(overheads, 95))}  (budget: median < 2 ms)`);
  console.log(`    engine CPU time per turn, excluding model calls  median ${ms(percentile(cpus, 50))}  (the sandbox process and disk waits not included)`);
  console.log(`    of which saving the turn (SQLite, synchronous=${synchronous})   median ${ms(percentile(saves, 50))}  (STEPWISE_BENCH_SYNCHRONOUS=FULL to compare)`);
  console.log(
    `  conformance check per turn (whole trace ÷ turns)  median ${ms(percentile(checks, 50))}  p95 ${ms(percentile(checks, 95))}  (first conversation, graphs built: ${ms(firstCheck / CONVERSATION.length)} per turn); ${violations.size} violation(s)`,
  );
  for (const violation of violations) console.log(`    ${violation}`);
  console.log(`  prompt-prefix stability                  mean ${(meanStability * 100).toFixed(1)}%  min ${(minStability * 100).toFixed(1)}% over ${stability.length} consecutive agent calls (budget: >= 90%)`);
  console.log(
    `  request bytes per conversation           ${kb(requestBytes.reduce((sum, bytes) => sum + bytes, 0))} over ${requestBytes.length} model calls; one agent request ${kb(agentRequestBytes[0] ?? 0)} (first) → ${kb(agentRequestBytes.at(-1) ?? 0)} (last)`,
  );
  console.log(`  model calls per customer turn            ${callsPerTurn.toFixed(2)} (${calls / RUNS} calls for ${CONVERSATION.length} turns, routing included; goal: <= 1.15)`);
  console.log(`    routing call needed                    ${routingCallTurns} of ${routedTurns} routed turns (${routedTurns > 0 ? ((routingCallTurns / routedTurns) * 100).toFixed(0) : 0}%); the others routed by a clear trigger match`);
  console.log(`  ${pass ? 'PASS' : 'FAIL'}`);
  return pass;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** For each agent call after the first, the share of its bytes that the previous call sent first. */
function prefixStability(requests: RecordedRequest[]): number[] {
  const serialized = agentRequests(requests).map((request) => canonical(request.body));
  const shares: number[] = [];
  for (let i = 1; i < serialized.length; i++) {
    const previous = serialized[i - 1]!;
    const current = serialized[i]!;
    let common = 0;
    while (common < previous.length && common < current.length && previous[common] === current[common]) common += 1;
    // Reusable: the part of the previous request that this one repeats, up to where the previous
    // one's moving state began (its last message), which is never reused.
    shares.push(common / current.length);
  }
  return shares;
}

function agentRequests(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.body.tool_choice && (request.body.tool_choice as { type: string }).type === 'any');
}

/** The request in the order the API caches it (tools, system, messages), without cache markers. */
function canonical(body: RecordedRequest['body']): string {
  const strip = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, inner) => (key === 'cache_control' ? undefined : inner));
  return JSON.stringify([strip(body.tools), strip(body.system), strip(body.messages)]);
}
