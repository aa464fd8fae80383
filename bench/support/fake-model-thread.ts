// Starts bench/support/fake-model-worker.ts in a worker thread and talks to it.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface FakeModelThread {
  url: string;
  requests(): Promise<number>;
  /** What the script module's `report()` returns (null without one). */
  report<T>(): Promise<T | null>;
  /** Passes options to the script module's `configure` (see fake-model-worker.ts). */
  configure(options: unknown): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeModelThread(scriptModule: URL): Promise<FakeModelThread> {
  const worker = new Worker(new URL('./fake-model-worker.mjs', import.meta.url), {
    workerData: { scriptModule: scriptModule.href },
  });
  const ask = async <T>(message: string | { configure: unknown }, key: string): Promise<T> => {
    worker.postMessage(message);
    for (;;) {
      const [reply] = (await once(worker, 'message')) as [Record<string, unknown>];
      if (key in reply) return reply[key] as T;
    }
  };
  const [ready] = (await Promise.race([once(worker, 'message'), once(worker, 'error').then(([error]) => Promise.reject(error as Error))])) as [{ url: string }];
  return {
    url: ready.url,
    requests: () => ask<number>('count', 'count'),
    report: <T>() => ask<T | null>('report', 'report'),
    configure: async (options) => {
      await ask({ configure: options }, 'configured');
    },
    close: async () => {
      await ask('close', 'closed');
      await worker.terminate();
    },
  };
}
