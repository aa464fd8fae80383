// Store figures: importing 50,000 articles of about 1 KB, search latency over them (p95 must be
// under 10 ms and at most 1.5× plain FTS5's with a snippet, measured in the same run), and
// trace-event write throughput in batches (at least 20,000 events/s).
// Run alone with: npx tsx bench/store.bench.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importKnowledge } from '../main/knowledge/import';
import { buildQuery } from '../main/store/knowledge-query';
import { Workspace } from '../main/store/workspace';
import { makeArticles, makeQueries } from './corpus';

const ARTICLES = 50_000;
const QUERIES = 2_000;
// Recall: how many of the first 200 queries find something (the any-term fallback must keep it).
const RECALL_QUERIES = 200;
const TRACE_BATCHES = 200;
const TRACE_BATCH_SIZE = 500;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

export async function run(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-'));
  const failures: string[] = [];
  try {
    const articles = makeArticles(ARTICLES);
    const averageBytes = Math.round(articles.reduce((sum, article) => sum + Buffer.byteLength(article.body), 0) / articles.length);
    const jsonFile = join(dir, 'articles.json');
    writeFileSync(jsonFile, JSON.stringify(articles));
    const workspace = Workspace.create(join(dir, 'bench.stepwise'));

    let started = performance.now();
    const report = importKnowledge(workspace.knowledge, jsonFile);
    const importSeconds = (performance.now() - started) / 1000;
    if (report.created !== ARTICLES) failures.push(`imported ${report.created} articles, expected ${ARTICLES}`);
    console.log(`knowledge import: ${ARTICLES.toLocaleString('en')} articles (~${averageBytes} B body each) from JSON in ${importSeconds.toFixed(2)} s (${Math.round(ARTICLES / importSeconds).toLocaleString('en')} articles/s)`);

    // The peer: plain FTS5, one query on every term with a snippet, on its own read-only connection,
    // interleaved query by query with ours so both see the same machine load.
    const peerDb = new Database(workspace.path, { readonly: true });
    const peer = peerDb.prepare(
      `SELECT rowid AS id, snippet(articles_fts, 1, '**', '**', '…', 24) AS snippet FROM articles_fts
       WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 8.0, 1.0, 4.0) LIMIT 5`,
    );
    const plain = (text: string): unknown[] => {
      const query = buildQuery(text);
      return query ? peer.all(query.all) : [];
    };
    const queries = makeQueries(QUERIES);
    for (const query of queries.slice(0, 50)) {
      workspace.search.search(query); // warm the page cache
      plain(query);
    }
    const times: number[] = [];
    const peerTimes: number[] = [];
    let empty = 0;
    let peerEmpty = 0;
    let recalled = 0;
    const loadBefore = loadavg()[0]!;
    for (const [index, query] of queries.entries()) {
      let begin = performance.now();
      const hits = workspace.search.search(query);
      times.push(performance.now() - begin);
      if (hits.length === 0) empty++;
      else if (index < RECALL_QUERIES) recalled++;
      begin = performance.now();
      if (plain(query).length === 0) peerEmpty++;
      peerTimes.push(performance.now() - begin);
    }
    const loadAfter = loadavg()[0]!;
    peerDb.close();
    times.sort((a, b) => a - b);
    peerTimes.sort((a, b) => a - b);
    const p50 = percentile(times, 0.5);
    const p95 = percentile(times, 0.95);
    const peerP50 = percentile(peerTimes, 0.5);
    const peerP95 = percentile(peerTimes, 0.95);
    console.log(
      `knowledge search: ${QUERIES} queries over ${ARTICLES.toLocaleString('en')} articles: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${times[times.length - 1]!.toFixed(2)} ms (${empty} with no hit; ${recalled} of the first ${RECALL_QUERIES} with hits)`,
    );
    console.log(
      `  peer, plain FTS5 with a snippet (all terms, top 5): p50 ${peerP50.toFixed(2)} ms, p95 ${peerP95.toFixed(2)} ms (${peerEmpty} with no hit); ours/peer p50 ${(p50 / peerP50).toFixed(2)}×, p95 ${(p95 / peerP95).toFixed(2)}× (load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} on ${availableParallelism()} cores)`,
    );
    if (p95 > 1.5 * peerP95) failures.push(`search p95 ${p95.toFixed(2)} ms is over 1.5× plain FTS5's ${peerP95.toFixed(2)} ms`);
    if (p95 >= 10) failures.push(`search p95 ${p95.toFixed(2)} ms is not under 10 ms`);

    // Traces are activity: measured at the strictest durability, every commit synced.
    const durable = Workspace.open(workspace.path, { activityDurability: 'full' });
    const conversation = durable.conversations.create({ kind: 'production' }).id;
    const batch = Array.from({ length: TRACE_BATCH_SIZE }, (_, index) => ({ type: 'model.turn', stepId: 'step:find-the-order', payload: { index, tokens: 123, note: 'x'.repeat(80) } }));
    started = performance.now();
    for (let index = 0; index < TRACE_BATCHES; index++) durable.traces.append(conversation, batch);
    durable.close();
    const traceSeconds = (performance.now() - started) / 1000;
    const perSecond = (TRACE_BATCHES * TRACE_BATCH_SIZE) / traceSeconds;
    console.log(`trace events: ${(TRACE_BATCHES * TRACE_BATCH_SIZE).toLocaleString('en')} in batches of ${TRACE_BATCH_SIZE}: ${Math.round(perSecond).toLocaleString('en')} events/s (activityDurability full: synchronous=FULL)`);
    if (perSecond < 20_000) failures.push(`trace throughput ${Math.round(perSecond)} events/s is under 20,000`);
    workspace.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Report, but let bench/run.ts go on to the other benchmarks.
  for (const failure of failures) console.log(`  FAIL: ${failure}`);
  console.log(`  ${failures.length === 0 ? 'PASS' : 'FAIL'}`);
  return failures.length === 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(
    (pass) => {
      process.exitCode = pass ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
