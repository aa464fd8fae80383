// A measurement, not a test (vitest runs *.test.ts only): what the conversation store adds to a
// turn, on SQLite and on a real PostgreSQL (a throwaway cluster: fsync off, so the figures leave
// out the disk). Each turn takes the conversation's lock, loads the state, waits 200 ms as for the
// model, and saves the turn; "added" is the turn's time minus those 200 ms. Conversations run at
// once; on two instances their turns alternate between the instances, as behind a load balancer.
//
//   node --import tsx tests/store/postgres-latency.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresConversationStore } from '../../main/store/postgres/conversation-store';
import type { ConversationStore } from '../../main/store/repositories';
import { Workspace } from '../../main/store/workspace';
import { startPostgresCluster } from '../support/postgres';

const MODEL_MS = 200;
const TURNS = 5;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function run(name: string, instances: ConversationStore[], conversations: number): Promise<void> {
  const ids = await Promise.all(Array.from({ length: conversations }, async () => (await instances[0]!.conversations.create({ kind: 'production' })).id));
  const added: number[] = [];
  let started = performance.now();
  await Promise.all(
    ids.map(async (id, c) => {
      const history: unknown[] = [];
      // Turn 0 warms up (the pools open their connections): not counted.
      for (let t = 0; t <= TURNS; t++) {
        if (t === 1 && c === 0) started = performance.now();
        const store = instances[(c + t) % instances.length]!;
        const begin = performance.now();
        await store.withConversationLock(id, async (repos) => {
          await repos.turns.load(id);
          await new Promise((resolve) => setTimeout(resolve, MODEL_MS));
          history.push({ role: 'user', content: `message ${t}` }, { role: 'assistant', content: 'a reply '.repeat(40) });
          await repos.turns.save(id, {
            state: { step: t, attributes: { order: '1234' } },
            history: [...history],
            status: 'waiting',
            newMessages: [{ role: 'customer', content: `message ${t}` }, { role: 'agent', content: 'a reply '.repeat(40) }],
            trace: Array.from({ length: 6 }, (_, i) => ({ type: 'step', stepId: `step:${i}`, payload: { i } })),
          });
        });
        if (t > 0) added.push(performance.now() - begin - MODEL_MS);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ms = (value: number) => value.toFixed(1).padStart(6);
  console.log(
    `${name.padEnd(44)} ${String(conversations).padStart(4)} conv  added p50 ${ms(percentile(added, 50))} ms  p95 ${ms(percentile(added, 95))} ms  p99 ${ms(percentile(added, 99))} ms  ${(added.length / seconds).toFixed(0).padStart(5)} turns/s`,
  );
}

const cluster = await startPostgresCluster();
const dir = mkdtempSync(join(tmpdir(), 'stepwise-latency-'));
try {
  console.log(`load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}; model ${MODEL_MS} ms; ${TURNS} turns per conversation`);
  for (const conversations of [50, 200]) {
    const path = join(dir, `sqlite-${conversations}.stepwise`);
    Workspace.create(path).close();
    const workspace = Workspace.open(path, { activityDurability: 'full' });
    await run('SQLite (synchronous=FULL), one instance', [workspace.conversationStore], conversations);
    workspace.close();
    for (const [label, count, lockPoolSize] of [
      ['PostgreSQL, one instance, 50 turn connections', 1, 50],
      ['PostgreSQL, one instance, 200 turn connections', 1, 200],
      ['PostgreSQL, two instances, 100 turn conns each', 2, 100],
    ] as const) {
      const url = await cluster.createDatabase();
      const instances = await Promise.all(Array.from({ length: count }, () => PostgresConversationStore.open({ url, lockPoolSize })));
      await run(label, instances, conversations);
      await Promise.all(instances.map((instance) => instance.close()));
    }
  }
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
