// The property test of issue 12: whatever tool calls a model makes, the runtime keeps the
// Procedure's controls. fast-check generates adversarial agent models (adversary.ts): random
// sequences of valid and invalid tool calls with random customer messages. Each plays one
// conversation through the real ConversationEngine (the example shop's connectors mocked over its
// world, the real Python sandbox shared by every case), and the conformance checker must find no
// violation in its trace. On failure fast-check prints the seed and the shrunk plan.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConformance, describeViolation } from '../../main/conformance';
import { useSandbox } from '../support/fixtures';
import { planArbitrary } from './adversary';
import { ENFORCEMENT_PROCEDURES, procedureSet, runPlan, TEST_PROCEDURES, type ProcedureSet } from './driver';

const sandbox = useSandbox({ poolSize: 2 });

/** Conversations per set of Procedures (issue 12 asks for at least 2,000 in all): the examples, the tests' own, the runtime's fixtures. */
const RUNS = Number(process.env.CONFORMANCE_RUNS ?? 1000);
const SETS: { label: string; runs: number; make: () => ProcedureSet }[] = [
  { label: 'every example Procedure', runs: RUNS, make: () => procedureSet('examples') },
  { label: 'the Procedures in tests/', runs: RUNS, make: () => procedureSet('tests', TEST_PROCEDURES()) },
  { label: 'the runtime’s enforcement fixtures', runs: Math.ceil(RUNS / 2), make: () => procedureSet('enforcement', ENFORCEMENT_PROCEDURES()) },
];
// A fixed seed by default, so CI is reproducible; CONFORMANCE_SEED=random explores new cases (as
// seed -467341192 did: its case is now a named regression).
const SEED = process.env.CONFORMANCE_SEED === 'random' ? undefined : Number(process.env.CONFORMANCE_SEED ?? 20261129);

describe('no model can skip a Procedure’s controls', () => {
  const sets: ProcedureSet[] = [];
  beforeAll(() => {
    sets.push(...SETS.map((entry) => entry.make()));
  });
  afterAll(() => {
    for (const set of sets) set.workspace.close();
  });

  for (const [index, { label, runs }] of SETS.entries()) {
    it(`holds for ${label}, over ${runs} adversarial conversations`, { timeout: 600_000 }, async () => {
      const set = sets[index]!;
      let turns = 0;
      await fc.assert(
        fc.asyncProperty(planArbitrary, async (plan) => {
          const run = await runPlan(set, plan, sandbox);
          turns += run.turns;
          const violations = checkConformance(set.documents, run.trace);
          expect(violations.map(describeViolation), `starting in ${run.procedure}`).toEqual([]);
        }),
        { numRuns: runs, ...(SEED !== undefined ? { seed: SEED } : {}) },
      );
      expect(turns).toBeGreaterThan(runs);
    });
  }
});
