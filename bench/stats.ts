// Small timing helpers shared by the benchmarks.

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Timing {
  median: number;
  p95: number;
  min: number;
  runs: number;
}

/** Runs `fn` `warmup` times untimed, then `runs` times, and returns times in milliseconds. */
export function time(fn: () => void, runs = 200, warmup = 20): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { median: percentile(samples, 50), p95: percentile(samples, 95), min: samples[0]!, runs };
}

export const ms = (value: number) => `${value.toFixed(3)} ms`;
