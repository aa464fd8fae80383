// The simulation editor's pure parts: problems keyed by field path from the engine's schema, the
// raw YAML/JSON view round-tripping, field edits by path, and the list's filters and estimate words.
import { describe, expect, it } from 'vitest';
import { EMPTY_DEFINITION, fromYaml, problemAt, problemsOf, setAt, toYaml } from '../../renderer/src/simulations/definition-draft';
import { estimateWords, filterSimulations, passWords } from '../../renderer/src/simulations/list-filter';
import { SIMULATION } from '../api/simulations-fixtures';
import type { SimulationSummary } from '../../shared/api';

describe('the simulation draft', () => {
  it('names each wrong field by its path, as the engine would', () => {
    expect(problemsOf(SIMULATION)).toEqual({});
    const problems = problemsOf({ ...SIMULATION, maxTurns: 0, customer: { ...SIMULATION.customer, persona: ' ' }, surprise: 1, expectedActions: [{ action: 'not an action!' }] });
    expect(Object.keys(problems).sort()).toEqual(['customer.persona', 'expectedActions.0.action', 'maxTurns', 'surprise']);
    expect(problems['customer.persona']).toBe('describe the simulated customer');
    expect(problemAt(problems, 'expectedActions')).toContain('connector.action');
    // The blank new simulation is not yet valid: it needs a persona and a criterion.
    expect(Object.keys(problemsOf(EMPTY_DEFINITION))).toEqual(expect.arrayContaining(['customer.persona', 'criteria.0.name', 'criteria.0.assertion']));
  });

  it('round-trips through the raw view, and reads JSON pasted into it', () => {
    const yaml = toYaml(SIMULATION);
    expect(yaml).toContain('persona: Sam, in a hurry.');
    expect(fromYaml(yaml)).toEqual({ draft: SIMULATION });
    expect(fromYaml(JSON.stringify(SIMULATION, null, 2))).toEqual({ draft: SIMULATION });
    expect(fromYaml('customer: [unclosed')).toMatchObject({ error: expect.stringContaining('Not valid YAML or JSON') });
    expect(fromYaml('- a list')).toMatchObject({ error: expect.stringContaining('not a list') });
  });

  it('sets and removes fields by path without touching the original', () => {
    const edited = setAt(SIMULATION, 'customer.persona', 'Kim');
    expect((edited.customer as { persona: string }).persona).toBe('Kim');
    expect(SIMULATION.customer.persona).toBe('Sam, in a hurry.');
    const criterion = setAt(SIMULATION, 'criteria.0.name', 'renamed');
    expect(Array.isArray(criterion.criteria)).toBe(true);
    expect((criterion.criteria as { name: string }[])[0]!.name).toBe('renamed');
    expect('opening' in (setAt(SIMULATION, 'customer.opening', undefined).customer as object)).toBe(false);
  });
});

describe('the simulations list', () => {
  const row = (name: string, tags: string[], last: Partial<NonNullable<SimulationSummary['lastRun']>> | null): SimulationSummary => ({
    id: name.length,
    procedure: 'P',
    name,
    description: '',
    tags,
    updatedAt: '',
    lastRun: last && { runId: 1, status: 'passed', startedAt: '', finishedAt: '', procedureHash: 'abc', version: null, stale: false, tries: 1, passes: 1, cancelled: false, ...last },
  });
  const rows = [row('a', ['smoke'], { status: 'passed' }), row('b', ['smoke', 'refunds'], { status: 'failed', stale: true }), row('c', [], null)];

  it('filters by tag and by status', () => {
    expect(filterSimulations(rows, 'smoke', 'all').map((r) => r.name)).toEqual(['a', 'b']);
    expect(filterSimulations(rows, null, 'failed').map((r) => r.name)).toEqual(['b']);
    expect(filterSimulations(rows, 'refunds', 'passed')).toEqual([]);
    expect(filterSimulations(rows, null, 'never').map((r) => r.name)).toEqual(['c']);
    expect(filterSimulations(rows, null, 'stale').map((r) => r.name)).toEqual(['b']);
  });

  it('says the estimate in words, with what it is based on and the unpriced models', () => {
    expect(estimateWords({ runs: 3, tokens: 12000.4, usd: 0.042, fromLastRun: 1, fromLength: 2, unpricedModels: [] })).toBe('3 runs, about 12,000 tokens, $0.04 (estimated 1 from their last run, 2 from their length).');
    // Every model unpriced: the price is unknown, never "$0.00".
    const unknown = estimateWords({ runs: 1, tokens: 10, usd: 0, fromLastRun: 0, fromLength: 1, unpricedModels: ['m'] });
    expect(unknown).toBe('1 run, about 10 tokens, price unknown (estimated 1 from their length). No price is known for m.');
    expect(unknown).not.toContain('$0');
    expect(estimateWords({ runs: 2, tokens: 1500, usd: 0.5, fromLastRun: 2, fromLength: 0, unpricedModels: ['m'] })).toContain('$0.50 (estimated 2 from their last run). A model without a known price, not counted: m.');
  });

  it('says a simulation\'s last suite in words, with pass^k in brackets', () => {
    expect(passWords(10, 10)).toBe('passed 10 of 10 runs (pass^10)');
    expect(passWords(0, 1)).toBe('passed 0 of 1 run (pass^1)');
  });
});
