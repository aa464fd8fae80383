// pass^k, the τ-bench measure of reliability: the chance that all k tries of a simulation pass.
// With exactly k tries of each simulation it is the share of simulations that passed every try.
// With n ≥ k tries it is the unbiased estimate: the mean over simulations of C(c, k) / C(n, k),
// where c of the n tries passed.

/** Binomial coefficient C(n, k), exact for the small numbers used here. */
export function choose(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || n < 0) throw new RangeError(`C(${n}, ${k}) needs whole numbers ≥ 0.`);
  if (k > n) return 0;
  let result = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) result = (result * (n - i + 1)) / i;
  return Math.round(result);
}

/**
 * pass^k over simulations, each given as the outcomes of its tries (true = passed). Every
 * simulation needs at least k tries. Returns null when there are no simulations.
 */
export function passHatK(tries: readonly (readonly boolean[])[], k: number): number | null {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`pass^k needs k ≥ 1 (got ${k}).`);
  if (tries.length === 0) return null;
  let sum = 0;
  for (const [index, outcomes] of tries.entries()) {
    if (outcomes.length < k) throw new RangeError(`Simulation ${index + 1} has ${outcomes.length} tries; pass^${k} needs at least ${k}.`);
    sum += choose(outcomes.filter(Boolean).length, k) / choose(outcomes.length, k);
  }
  return sum / tries.length;
}

/** pass^1 … pass^k, each computed from the same tries. */
export function passHatCurve(tries: readonly (readonly boolean[])[], k: number): (number | null)[] {
  return Array.from({ length: k }, (_, index) => passHatK(tries, index + 1));
}
