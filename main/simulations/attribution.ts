// Who a failure is put down to. Public benchmarks show that a large share of failures come from
// the simulated customer, not the agent, so each failed check names one party:
//   - the judge, when it gave no usable verdict on a criterion;
//   - the simulated customer, when the judge found that it broke its instructions or stopped early
//     (then the whole run says nothing about the agent), or blamed the customer for a criterion;
//   - the agent otherwise.
import type { CheckOutcome, Party } from './definition';
import type { CustomerConformance } from './records';

export function customerBrokeInstructions(customer: CustomerConformance | null): boolean {
  return customer !== null && (!customer.followedInstructions || customer.stoppedEarly);
}

/** The judge's finding on the simulated customer as a check: a run whose customer broke its instructions tested nothing. */
export function conformanceCheck(customer: CustomerConformance | null): CheckOutcome[] {
  if (!customer) return [];
  const broke = customerBrokeInstructions(customer);
  const what = !customer.followedInstructions ? 'broke its instructions' : 'stopped early';
  return [
    {
      name: 'the simulated customer keeps to its instructions',
      kind: 'customer_conformance',
      passed: !broke,
      reason: broke ? `The simulated customer ${what}: ${customer.reasoning}` : customer.reasoning,
      party: broke ? 'customer' : null,
      evidence: customer,
    },
  ];
}

export function attribute(checks: CheckOutcome[], customer: CustomerConformance | null): { checks: CheckOutcome[]; attribution: Party | null } {
  const broke = customerBrokeInstructions(customer);
  const attributed = checks.map((check): CheckOutcome => {
    if (check.passed) return { ...check, party: null };
    // A broken Procedure control is the runtime's, whatever the simulated customer did.
    if (check.party === 'judge' || check.kind === 'conformance') return check;
    return { ...check, party: broke ? 'customer' : (check.party ?? 'agent') };
  });
  const failed = attributed.filter((check) => !check.passed);
  if (failed.length === 0) return { checks: attributed, attribution: null };
  if (failed.some((check) => check.kind === 'conformance')) return { checks: attributed, attribution: 'agent' };
  if (broke) return { checks: attributed, attribution: 'customer' };
  for (const party of ['agent', 'judge', 'customer'] as const) if (failed.some((check) => check.party === party)) return { checks: attributed, attribution: party };
  return { checks: attributed, attribution: 'agent' };
}
