// What the conformance checker reports: which invariant of the enforcement model (docs/runtime.md)
// a conversation's trace broke, at which node of the Procedure's graph, and at which trace event.

export const INVARIANTS = ['no-skipped-gate', 'action-out-of-reach', 'branch-not-binding', 'subprocedure-before-action', 'refusal-not-visible'] as const;
export type Invariant = (typeof INVARIANTS)[number];

export interface Violation {
  invariant: Invariant;
  /** The Procedure whose rule was broken, when the event happened inside one. */
  procedure: string | null;
  /** Graph id (toGraph) of the node concerned: the step entered, the action run, the handoff made… */
  nodeId: string | null;
  /** The trace event that shows it: its index in the trace, its stored id when it has one, its type. */
  event: { index: number; id?: number | string; type: string };
  /** Unevaluated gates or untaken branches that stood in the way, by graph id. */
  blockedBy: string[];
  message: string;
}

/** One line per violation, for the CLI and the simulation checks. */
export function describeViolation(violation: Violation): string {
  const where = [violation.procedure, violation.nodeId].filter(Boolean).join(' › ');
  return `${violation.invariant}${where ? ` at ${where}` : ''} (trace event #${violation.event.index} ${violation.event.type}): ${violation.message}`;
}
