// The peer bench's per-request figures (bench/peers/figures.ts): prefix reuse is the mean over a
// conversation's requests after its first (the first shares nothing by definition), and each
// customer turn's request sizes are listed call by call.
import { describe, expect, it } from 'vitest';
import { prefixReuse, turnSizes } from '../../bench/peers/figures';
import type { TurnSample } from '../../bench/peers/measure';

const request = (bytes: number, prefixShared: number) => ({ model: 'm', bytes, messages: 1, prefixShared });
const turn = (...requests: ReturnType<typeof request>[]): TurnSample => ({ overheadMs: 1, modelMs: 1, cpuMs: 1, childCpuMs: 0, requests });

describe('the peer bench figures', () => {
  it('prefix reuse leaves the first request out and averages the rest', () => {
    expect(prefixReuse([request(100, 0), request(120, 0.9), request(150, 0.8)])).toBeCloseTo(0.85, 10);
    expect(() => prefixReuse([request(100, 0)])).toThrow('two requests or more');
  });

  it('lists each turn’s request sizes in KB, a turn’s calls joined', () => {
    expect(turnSizes([turn(request(9_900, 0)), turn(request(14_600, 0.9), request(15_040, 0.97))])).toEqual(['9.9', '14.6+15.0']);
  });
});
