// The publish gate: what to warn about before a Procedure text goes live, so the author confirms
// knowingly. It never refuses by itself: the command line asks (or wants --force) and the app shows
// a dialog. Warned about: no simulations; simulations that failed on this very text, or were never
// run on it (stale); the starter text's placeholders still in it. `publishWarnings` is the pure
// decision; `gatherPublishFacts` reads what it needs from the workspace.
import type { Workspace } from '../store/workspace';
import { contentHash } from '../store/hash';
import { reviewedChecks, reviewedStatus } from '../simulations/review';

/** Words of the starter text (main/services/procedures.ts) and of graph edits, meant to be replaced. */
export const PLACEHOLDERS = [
  'Say when this Procedure runs, in the words a customer would use.',
  'Say what this sub-procedure does for the Procedures that call it.',
  'Say what the agent should do first.',
  'Say what the agent should do in this case.',
] as const;

export type PublishWarningCode = 'no_simulations' | 'failing_simulations' | 'stale_simulations' | 'placeholders';

export interface PublishWarning {
  code: PublishWarningCode;
  message: string;
  /** The simulations concerned (failing or stale ones). */
  simulations?: string[];
  /** 1-based lines of the placeholders. */
  lines?: number[];
}

/** What the gate decides from: the text to publish and each simulation's last result on it. */
export interface PublishFacts {
  name: string;
  text: string;
  simulations: { name: string; lastOnThisText: 'passed' | 'failed' | 'error' | null; everRun: boolean }[];
}

export function publishWarnings(facts: PublishFacts): PublishWarning[] {
  const warnings: PublishWarning[] = [];
  if (facts.simulations.length === 0) {
    warnings.push({ code: 'no_simulations', message: `"${facts.name}" has no simulations: nothing has tested how it behaves with a customer.` });
  }
  const failing = facts.simulations.filter((simulation) => simulation.lastOnThisText === 'failed' || simulation.lastOnThisText === 'error').map((simulation) => simulation.name);
  if (failing.length > 0) {
    warnings.push({ code: 'failing_simulations', message: `${failing.length} ${failing.length === 1 ? 'simulation' : 'simulations'} of "${facts.name}" ${failing.length === 1 ? 'fails' : 'fail'} on this text: ${failing.join(', ')}.`, simulations: failing });
  }
  const stale = facts.simulations.filter((simulation) => simulation.lastOnThisText === null).map((simulation) => simulation.name);
  if (stale.length > 0) {
    warnings.push({ code: 'stale_simulations', message: `${stale.length} ${stale.length === 1 ? 'simulation' : 'simulations'} of "${facts.name}" ${stale.length === 1 ? 'has' : 'have'} not run on this text since it changed (or never ran): ${stale.join(', ')}.`, simulations: stale });
  }
  const lines = placeholderLines(facts.text);
  if (lines.length > 0) {
    warnings.push({ code: 'placeholders', message: `"${facts.name}" still holds the starter text's placeholders (line ${lines.join(', ')}): say what it really does first.`, lines });
  }
  return warnings;
}

export function placeholderLines(text: string): number[] {
  return text
    .split(/\r\n|\r|\n/)
    .flatMap((line, index) => (PLACEHOLDERS.some((placeholder) => line.includes(placeholder)) ? [index + 1] : []));
}

/**
 * Each simulation of the Procedure with its latest run on exactly this text (by content hash), as
 * reviewed: a failure the human overruled counts as passed. A later run on another text makes the
 * simulation stale for this one.
 */
export function gatherPublishFacts(workspace: Workspace, name: string, text: string): PublishFacts {
  const hash = contentHash(text);
  const simulations = workspace.simulations.list(name).map((simulation) => {
    const last = workspace.simulations.lastRun(simulation.id);
    if (!last || last.procedureHash !== hash) return { name: simulation.name, lastOnThisText: null, everRun: last !== null };
    const run = workspace.simulations.requireRun(last.id);
    const status = reviewedStatus(run, reviewedChecks(run.checks, workspace.simulations.reviews.forRun(run.id)));
    return { name: simulation.name, lastOnThisText: status === 'running' ? null : status, everRun: true };
  });
  return { name, text, simulations };
}
