// The suite report's wording, decided apart from the run: counts in words ("1 run", "1,000 runs",
// never "run(s)"), and a cost with no price said as not known, never $0.0000.
import { describe, expect, it } from 'vitest';
import { mutationEstimateLine, reportLines } from '../../main/cli/commands/simulate-mutate';
import { estimateLine, summaryLines, type Wording } from '../../main/cli/simulation-report';
import { REPLAY_NOTE, type MutationReport } from '../../main/simulations/mutation-run';
import type { Comparison } from '../../main/simulations/comparison';
import { costCoverage, costInWords, type CostEstimate } from '../../main/simulations/cost';
import type { CoverageReport } from '../../main/simulations/coverage';
import type { SuiteReport } from '../../main/simulations/suite';
import { ROLE_MODELS } from '../simulations/helpers';

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
    const one = summaryLines(suite({}), noComparison, noCoverage, { rate: 1, reviewed: 1, agreed: 1, overruled: 0 }, wording, ROLE_MODELS);
    expect(one).toContain('Results: 1 of 1 run passed.');
    expect(one).toContain('pass^1 = 1.000 (1 of 1 simulation passed all 1 try).');
    expect(one.join('\n')).toContain('of 1 reviewed verdict.');
    const many = summaryLines(suite({ total: 1000, passed: 999, failed: 1, tokens: 25000 }), noComparison, noCoverage, { rate: 0.5, reviewed: 2, agreed: 1, overruled: 1 }, wording, ROLE_MODELS);
    expect(many[0]).toBe('Results: 999 of 1,000 runs passed, 1 failed.');
    expect(many.join('\n')).toContain('25,000 tokens');
    expect(many.join('\n')).toContain('of 2 reviewed verdicts.');
    expect(many.join('\n')).not.toContain('(s)');
  });
});

describe('the cost in words', () => {
  const role = (calls: number, unpriced: number, costUsd: number) => ({ inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, calls, unpriced, costUsd });

  it('prints a priced cost as dollars', () => {
    const coverage = costCoverage([{ agent: role(2, 0, 0.01), judge: role(1, 0, 0.0023) }], ROLE_MODELS);
    expect(coverage).toEqual({ calls: 3, unpriced: 0, unpricedModels: [] });
    expect(costInWords(0.0123, coverage)).toEqual({ known: true, text: '$0.0123' });
  });

  it('says not known, naming the models, when no call had a price, never $0.0000', () => {
    const coverage = costCoverage([{ agent: role(2, 2, 0) }, { agent: role(1, 1, 0), customer: role(1, 1, 0) }], ROLE_MODELS);
    expect(coverage).toEqual({ calls: 4, unpriced: 4, unpricedModels: ['agent-model', 'customer-model'] });
    expect(costInWords(0, coverage)).toEqual({ known: false, text: 'not known (no price set for agent-model, customer-model)' });
  });

  it('gives the priced part and counts the calls missing from it', () => {
    const coverage = costCoverage([{ agent: role(3, 0, 0.02), judge: role(1, 1, 0) }], ROLE_MODELS);
    expect(costInWords(0.02, coverage).text).toBe('$0.0200 + 1 call of unknown cost (no price set for judge-model)');
  });

  it('says an estimate with no price is not known, and keeps a priced one in dollars', () => {
    const unknown = estimateLine({ ...estimate(2, 900), usd: 0, unpricedModels: ['agent-model'] }, 2, 1);
    expect(unknown).toContain('Estimated cost: not known (no price set for agent-model) for 2 runs');
    expect(unknown).not.toContain('$0.0000');
    const partly = estimateLine({ ...estimate(2, 900), usd: 0.5, unpricedModels: ['judge-model'] }, 2, 1);
    expect(partly).toContain('Estimated cost: $0.5000 for 2 runs');
    expect(partly).toContain('Not counted (no price in the settings): judge-model.');
  });
});

describe('mutation testing says a cost with no price as not known', () => {
  const plan = (usd: number, unpricedModels: string[]) => ({ suites: 3, runs: 6, usd, tokens: 9000, usdPerSuite: usd / 3, unpricedModels });
  const report: MutationReport = {
    procedure: 'Refunds',
    status: 'finished',
    baseline: { passed: ['Happy'], failed: [], wallMs: 10, costUsd: 0 },
    mutants: [],
    invalid: [],
    killed: 1,
    survived: 1,
    score: 0.5,
    costUsd: 0,
    wallMs: 1000,
    suitesWallMs: 900,
    overheadMs: 100,
    replayNote: REPLAY_NOTE,
  };

  it('in the estimate and the total when no model had a price', () => {
    expect(mutationEstimateLine(plan(0, ['agent-model', 'judge-model']))).toBe('Estimated cost: not known (no price set for agent-model, judge-model) for 6 runs: the suite once on the Procedure, then once on each mutant.');
    const cost = reportLines(report, ['agent-model']).find((line) => line.startsWith('Cost:'));
    expect(cost).toMatch(/^Cost: not known \(no price set for agent-model\)\. Time: 1\.0 s/);
  });

  it('keeps a priced cost in dollars, and names the models left out of a partly priced one', () => {
    expect(mutationEstimateLine(plan(0.3, []))).toBe('Estimated cost: $0.3000 for 6 runs: the suite once on the Procedure, then once on each mutant ($0.1000 a suite).');
    expect(mutationEstimateLine(plan(0.3, ['judge-model']))).toContain('($0.1000 a suite). Not counted (no price in the settings): judge-model.');
    expect(reportLines({ ...report, costUsd: 0.25 }, []).find((line) => line.startsWith('Cost:'))).toMatch(/^Cost: \$0\.2500\. Time:/);
    expect(reportLines({ ...report, costUsd: 0.25 }, ['judge-model']).find((line) => line.startsWith('Cost:'))).toMatch(/^Cost: \$0\.2500 \(not counted: judge-model, no price set\)\. Time:/);
  });
});
