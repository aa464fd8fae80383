// How `stepwise simulate` shows a suite: the estimate, a line per finished run, then each failure
// with its failed checks (which criterion, the judge's reason, whose failure), the transcript and the
// trace, and the totals (pass^k, cost, comparison with the previous runs, coverage).
import { stepwiseCommand } from '../../shared/shell-quote';
import { formatCount, plural } from '../../shared/plural';
import { describeViolation } from '../conformance';
import type { Comparison } from '../simulations/comparison';
import { costCoverage, costInWords, estimateInWords, usd, type CostEstimate } from '../simulations/cost';
import type { ModelSettings } from '../model/settings';
import type { CoverageReport } from '../simulations/coverage';
import type { JunitCase } from '../simulations/junit';
import type { RunOutcome } from '../simulations/runner';
import { procedureControlsEvidence } from '../simulations/procedure-controls';
import type { SuiteReport } from '../simulations/suite';
import { runsTexts } from '../simulations/coverage';
import { sayNode, traceSayers, wordsOfTexts, type ProcedureWords } from '../simulations/node-words';
import { describeEvent } from '../simulations/trace-digest';
import type { Workspace } from '../store/workspace';
import type { ConversationRecord } from '../services/simulations';
import type { Agreement } from '../store/simulation-reviews';

/** A run's stored conversation (the simulation service's `conversation`). */
export type ConversationLookup = (conversationId: number | null) => ConversationRecord;


export function estimateLine(estimate: CostEstimate, simulations: number, k: number): string {
  const basis = [estimate.fromLastRun > 0 ? `${estimate.fromLastRun} from its last run` : '', estimate.fromLength > 0 ? `${estimate.fromLength} from its length` : ''].filter(Boolean).join(', ');
  const cost = estimateInWords(estimate);
  // Said once: in the figure when none of it is known, else after it.
  const unpriced = cost.known && estimate.unpricedModels.length > 0 ? ` Not counted (no price in the settings): ${estimate.unpricedModels.join(', ')}.` : '';
  return `Estimated cost: ${cost.text} for ${plural(estimate.runs, 'run')} (${plural(simulations, 'simulation')} × ${plural(k, 'try', 'tries')}; ${basis}), about ${formatCount(estimate.tokens)} tokens.${unpriced}`;
}

export const runLabel = (run: Pick<RunOutcome, 'procedure' | 'simulation' | 'attempt'>, k: number) => `${run.procedure} / ${run.simulation}${k > 1 ? ` (try ${run.attempt})` : ''}`;

/** The models each role called, from the settings: they name a cost with no price. */
export type RoleModels = ModelSettings['models'];

export function runLine(run: RunOutcome, finished: number, total: number, k: number, models: RoleModels): string {
  const mark = run.status === 'passed' ? 'PASS' : run.status === 'failed' ? 'FAIL' : 'ERROR';
  const detail =
    run.status === 'passed'
      ? `${plural(run.details.turns, 'customer message')}, ${runCost(run, models)}`
      : run.status === 'failed'
        ? `${run.checks.filter((check) => !check.passed).length} of ${plural(run.checks.length, 'check')} failed (put down to the ${run.details.attribution ?? 'agent'})`
        : run.summary;
  return `[${finished}/${total}] ${mark} ${runLabel(run, k)}: ${detail}`;
}

function runCost(run: RunOutcome, models: RoleModels): string {
  const cost = costInWords(run.details.costUsd, costCoverage([run.details.usage], models));
  return cost.known ? cost.text : `cost ${cost.text}`;
}

/**
 * How the report says the Procedures' nodes: a step by its title, a branch by its step and test in
 * words; `withId` (`--verbose`) adds the id for an engineer.
 */
export interface Wording {
  words: ProcedureWords;
  withId: boolean;
}

/** The wording for stored runs: the texts they ran on, and every Procedure they entered. */
export function runsWording(workspace: Workspace, runIds: readonly number[], withId: boolean): Wording {
  return { words: wordsOfTexts(runsTexts(workspace, runIds).texts), withId };
}

/** Why a run failed: its failed checks, the transcript and the trace. */
export function failureDetails(conversation: ConversationLookup, run: RunOutcome, k: number, workspaceArg: string | null, wording: Wording): string[] {
  const lines = [`✗ ${runLabel(run, k)}, run ${run.runId}: ${run.status}${run.details.attribution ? `, put down to the ${run.details.attribution === 'customer' ? 'simulated customer' : run.details.attribution}` : ''}`];
  for (const check of run.checks.filter((candidate) => !candidate.passed)) {
    const controls = check.kind === 'conformance' ? procedureControlsEvidence(check.evidence) : null;
    if (controls) {
      // Each violation on its own line: the invariant, the graph node and the trace event.
      lines.push(`    ✗ ${check.name} (runtime) — check: ${controls.summary}.`);
      for (const violation of controls.violations) lines.push(`      · ${describeViolation(violation)}`);
      continue;
    }
    const who = check.kind === 'criterion' ? 'judge' : 'check';
    lines.push(`    ✗ ${check.kind === 'criterion' ? `criterion "${check.name}"` : check.name} (${check.party ?? 'agent'}) — ${who}: ${check.reason}`);
  }
  if (run.details.conversationId !== null) {
    const { transcript, trace } = conversation(run.details.conversationId);
    lines.push('    transcript:');
    for (const message of transcript) lines.push(`      ${message.role}: ${message.text}`);
    lines.push('    trace:');
    const says = traceSayers(trace, wording.words, { withId: wording.withId });
    for (const [index, event] of trace.entries()) {
      if (event.type === 'customer_message' || event.type === 'agent_message') continue;
      const line = describeEvent({ type: event.type, stepId: event.stepId, payload: event.payload }, says[index]);
      if (line) lines.push(`      ${line}`);
    }
  }
  if (workspaceArg !== null) lines.push(`    replay it offline: ${stepwiseCommand(['simulate', '--workspace', workspaceArg, '--replay', String(run.runId)])}`);
  return lines;
}

export function summaryLines(report: SuiteReport, comparison: Comparison, coverage: CoverageReport, agreement: Agreement, wording: Wording, models: RoleModels): string[] {
  const lines: string[] = [];
  const allTries = report.simulations.filter((score) => score.tries >= report.k && score.passes === score.tries).length;
  lines.push(
    `Results: ${report.passed} of ${plural(report.total, 'run')} passed${report.failed > 0 ? `, ${report.failed} failed` : ''}${report.errors > 0 ? `, ${report.errors} ended in an error` : ''}${report.skipped > 0 ? `, ${report.skipped} never started (cancelled)` : ''}.`,
  );
  if (report.passHatK !== null) lines.push(`pass^${report.k} = ${report.passHatK.toFixed(3)} (${allTries} of ${plural(report.simulations.length, 'simulation')} passed all ${plural(report.k, 'try', 'tries')}).`);
  lines.push(
    `Cost: ${costInWords(report.costUsd, costCoverage(report.runs.map((run) => run.details.usage), models)).text}${report.estimatedUsd ? ` (estimated ${usd(report.estimatedUsd)})` : ''}; ${formatCount(report.tokens)} tokens; ${(report.wallMs / 1000).toFixed(1)} s.`,
  );
  const changed = comparison.simulations.filter((entry) => entry.previous !== null);
  if (changed.length > 0) {
    const names = (list: Comparison['newlyFailing']) => (list.length > 0 ? ` (${list.map((entry) => `${entry.procedure} / ${entry.name}`).join('; ')})` : '');
    lines.push(`Compared with the previous runs: ${comparison.newlyFailing.length} newly failing${names(comparison.newlyFailing)}, ${comparison.newlyPassing.length} newly passing${names(comparison.newlyPassing)}.`);
    for (const change of comparison.procedureChanges) lines.push(`  ${change.procedure} changed since: ${plural(change.added, 'line')} added, ${formatCount(change.removed)} removed.`);
  }
  for (const entry of coverage.procedures) {
    const words = wording.words.get(entry.procedure);
    const unreached = entry.unreached.length > 0 ? `; never reached: ${entry.unreached.map((id) => sayNode(words, id, { withId: wording.withId })).join(', ')}` : '';
    lines.push(`Coverage of ${entry.procedure}: ${entry.visitedSteps}/${entry.steps.length} steps, ${entry.visitedBranches}/${entry.branches.length} branches${unreached}.`);
  }
  if (agreement.rate !== null) lines.push(`Judge–human agreement in this workspace: ${(agreement.rate * 100).toFixed(0)}% of ${plural(agreement.reviewed, 'reviewed verdict')}.`);
  return lines;
}

export function junitCases(conversation: ConversationLookup, runs: readonly RunOutcome[], k: number): JunitCase[] {
  return runs.map((run) => ({
    procedure: run.procedure,
    name: `${run.simulation}${k > 1 ? ` (try ${run.attempt})` : ''}`,
    seconds: run.details.durationMs / 1000,
    status: run.status,
    summary: run.summary,
    failures: run.checks.filter((check) => !check.passed).map((check) => `${check.name} [${check.party ?? 'agent'}]: ${check.reason}`),
    output:
      run.details.conversationId === null
        ? ''
        : conversation(run.details.conversationId)
            .transcript.map((message) => `${message.role}: ${message.text}`)
            .join('\n'),
  }));
}
