// Runs jobs with at most `concurrency` of them at a time, in order of the list. After `signal`
// aborts, no new job starts; the ones running finish (or stop) on their own.

export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<(R | undefined)[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`The concurrency must be a whole number ≥ 1 (got ${concurrency}).`);
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
