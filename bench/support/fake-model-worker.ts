// The fake Messages API in a worker thread, so the benchmark's process spends its own CPU only on
// Stepwise (a real model runs elsewhere too). The worker loads a script module that exports
// `script(request)` (and, optionally, `configure(options)`), starts the fake server with it and posts
// its URL; it answers "count" with the number of requests served, and `{ configure }` by passing the
// options to the module (a bench changing the model's delay between phases), and "report" with
// what the module's `report()` returns.
import { parentPort, workerData } from 'node:worker_threads';
import { startFakeAnthropic, type Script } from '../../tests/support/fake-anthropic';

const { scriptModule } = workerData as { scriptModule: string };
const { script, configure, report } = (await import(scriptModule)) as { script: Script; configure?: (options: unknown) => void; report?: () => unknown };
const fake = await startFakeAnthropic(script);
parentPort!.on('message', async (message: string | { configure: unknown }) => {
  if (typeof message === 'object') {
    configure?.(message.configure);
    parentPort!.postMessage({ configured: true });
    return;
  }
  if (message === 'count') parentPort!.postMessage({ count: fake.requests.length });
  if (message === 'report') parentPort!.postMessage({ report: report?.() ?? null });
  if (message === 'close') {
    await fake.close();
    parentPort!.postMessage({ closed: true });
  }
});
parentPort!.postMessage({ url: fake.url });
