// The built-in deterministic check every simulation run gets: the conformance checker
// (main/conformance) over the run's trace. A violation means the runtime let the conversation past
// one of the Procedure's controls, whatever the models did, so it fails the run on the agent's side
// whoever else failed, and the reason says it is the runtime's to fix.
import { checkConformance, describeViolation, type Violation } from '../conformance';
import type { CompiledProcedure } from '../runtime/compiled-procedure';
import type { TraceEvent } from '../runtime/types';
import type { CheckOutcome } from './definition';

/** What a failed check keeps, for reports that list the violations one by one. */
export interface ProcedureControlsEvidence {
  /** The party whose defect it is: stored runs only know agent, customer and judge, and the agent's side is the runtime's. */
  responsible: 'runtime';
  summary: string;
  violations: Violation[];
}

export function procedureControlsEvidence(evidence: unknown): ProcedureControlsEvidence | null {
  const candidate = evidence as Partial<ProcedureControlsEvidence> | null | undefined;
  return candidate && candidate.responsible === 'runtime' && typeof candidate.summary === 'string' && Array.isArray(candidate.violations) ? (candidate as ProcedureControlsEvidence) : null;
}

export const PROCEDURE_CONTROLS_CHECK = 'the runtime keeps the Procedure’s controls';
const LISTED = 5;

/** The Procedures a trace went through, loaded from the run's catalog (the pinned texts it ran on). */
export async function proceduresOfTrace(catalog: { load(name: string): Promise<CompiledProcedure | null> }, trace: readonly TraceEvent[]): Promise<Map<string, CompiledProcedure>> {
  const names = new Set(trace.filter((event) => event.type === 'procedure_start').map((event) => String(event.payload.procedure)));
  const procedures = new Map<string, CompiledProcedure>();
  for (const name of names) {
    const procedure = await catalog.load(name);
    if (procedure) procedures.set(name, procedure);
  }
  return procedures;
}

export function procedureControlsCheck(procedures: ReadonlyMap<string, CompiledProcedure>, trace: readonly TraceEvent[]): CheckOutcome {
  const violations: Violation[] = checkConformance(procedures, trace);
  if (violations.length === 0) {
    return { name: PROCEDURE_CONTROLS_CHECK, kind: 'conformance', passed: true, reason: `No violation in ${trace.length} trace events.`, party: null };
  }
  const listed = violations.slice(0, LISTED).map(describeViolation);
  const more = violations.length > LISTED ? ` …and ${violations.length - LISTED} more.` : '';
  const summary = `The runtime let the conversation past the Procedure's controls (${violations.length} violation${violations.length === 1 ? '' : 's'}): a runtime defect, whatever the model did`;
  const evidence: ProcedureControlsEvidence = { responsible: 'runtime', summary, violations };
  return { name: PROCEDURE_CONTROLS_CHECK, kind: 'conformance', passed: false, reason: `${summary}. ${listed.join('; ')}.${more}`, party: 'agent', evidence };
}
