// The suite report's wording, decided apart from the run: counts in words ("1 run", "1,000 runs",
// never "run(s)").
import { describe, expect, it } from 'vitest';
import { estimateLine, summaryLines, type Wording } from '../../main/cli/simulation-report';
import type { Comparison } from '../../main/simulations/comparison';
import type { CostEstimate } from '../../main/simulations/cost';
import type { CoverageReport } from '../../main/simulations/coverage';
import type { SuiteReport } from '../../main/simulations/suite';

const estimate = (runs: number, tokens: number): CostEstimate => ({ runs, tokens, usd: 0.25, fromLastRun: runs, fromLength: 0, unpricedModels: [], simulations: [] });

const suite = (over: Partial<SuiteReport>): SuiteReport => ({
  suiteId: 1,
  status: 'finished',
  k: 1,
  total: 1,
  passed: 1,
  failed: 0,
  errors: 0,
  skipped: 0,
  passHatK: 1,
  passRate: 1,
  simulations: [{ simulationId: 1, procedure: 'Refunds', name: 'Happy', tries: 1, passes: 1 }],
  runs: [],
  costUsd: 0.0123,
  tokens: 1500,
  estimatedUsd: null,
  wallMs: 1200,
  ...over,
});
const noComparison = { simulations: [], newlyFailing: [], newlyPassing: [], procedureChanges: [] } as unknown as Comparison;
const noCoverage = { procedures: [] } as unknown as CoverageReport;
const wording: Wording = { words: new Map(), withId: false };

describe('the suite report counts in words', () => {
  it('says one run, one simulation, one try', () => {
    expect(estimateLine(estimate(1, 900), 1, 1)).toContain('for 1 run (1 simulation × 1 try;');
  });

  it('says runs, simulations and tries in the plural, thousands grouped', () => {
    const line = estimateLine(estimate(1000, 1234567), 500, 2);
    expect(line).toContain('for 1,000 runs (500 simulations × 2 tries;');
    expect(line).toContain('about 1,234,567 tokens');
    expect(line).not.toContain('(s)');
  });

  it('says the results of one run and of many', () => {
    const one = summaryLines(suite({}), noComparison, noCoverage, { rate: 1, reviewed: 1, agreed: 1, overruled: 0 }, wording);
    expect(one).toContain('Results: 1 of 1 run passed.');
    expect(one).toContain('pass^1 = 1.000 (1 of 1 simulation passed all 1 try).');
    expect(one.join('\n')).toContain('of 1 reviewed verdict.');
    const many = summaryLines(suite({ total: 1000, passed: 999, failed: 1, tokens: 25000 }), noComparison, noCoverage, { rate: 0.5, reviewed: 2, agreed: 1, overruled: 1 }, wording);
    expect(many[0]).toBe('Results: 999 of 1,000 runs passed, 1 failed.');
    expect(many.join('\n')).toContain('25,000 tokens');
    expect(many.join('\n')).toContain('of 2 reviewed verdicts.');
    expect(many.join('\n')).not.toContain('(s)');
  });
});
