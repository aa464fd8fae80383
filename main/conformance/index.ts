// The conformance checker: does a conversation's trace keep the Procedure's controls?
export { checkConformance, type CheckedEvent, type ProcedureSource } from './check';
export { describeViolation, INVARIANTS, type Invariant, type Violation } from './violation';
