// `stepwise simulate --mutate`: mutation testing of a Procedure's suite. Shows the mutants and the
// cost estimate, asks (or takes --yes; without a terminal and without --yes it refuses), runs the
// suite on the Procedure and on each mutant, and reports each mutant killed or survived with the
// mutation score; --suggest asks the simulation generator for simulations that would catch the
// survivors (proposals only: `simulations add` keeps one).
import { terminalAsk } from '../terminal-ask';
import { plural } from '../../../shared/plural';
import { estimateInWords, usd } from '../../simulations/cost';
import type { MutantOutcome, MutationPlan, MutationReport } from '../../simulations/mutation-run';
import { SimulationService } from '../../services/simulations';
import { processIo } from '../io';
import type { CliSession } from '../session';
import type { AskingIo } from './bundles';

export interface MutateOptions {
  procedure: string;
  tags: string[];
  concurrency: number;
  yes: boolean;
  suggest: boolean;
  json: boolean;
}

export async function mutate(session: CliSession, io: AskingIo, options: MutateOptions): Promise<number> {
  const simulations = new SimulationService({ workspace: session.workspace, sandbox: session.sandbox, secrets: session.secrets });
  const { settings, client } = await session.model();
  const plan = simulations.planMutations(options.procedure, { tags: options.tags, settings });
  const log = options.json ? io.err : io.out;
  const { estimate } = plan;
  log(`Mutation testing of "${plan.procedure}": ${plural(plan.mutants.length, 'mutant')} to run${plan.invalid.length > 0 ? ` (${plan.invalid.length} more do not validate and are not run)` : ''}, against ${plural(plan.simulations.length, 'simulation')}.`);
  log(mutationEstimateLine(estimate));
  if (plan.mutants.length === 0) {
    log('No mutant to run: the Procedure has no comparison, condition, handoff, end or connector call to change.');
    return 0;
  }
  if (!options.yes) {
    const ask = io.ask ?? (io === processIo && process.stdin.isTTY ? terminalAsk : undefined);
    if (!ask) {
      io.err('Nothing was run: mutation testing runs only with consent to its cost. Run again with --yes to accept the estimate.');
      return 1;
    }
    const cost = estimateInWords(estimate);
    if (!/^(y|yes)$/i.test((await ask(`Run the suite on ${plural(plan.mutants.length, 'mutant')} ${cost.known ? `for about ${cost.text}` : `(cost ${cost.text})`}? [y/N] `)).trim())) {
      io.err('Nothing was run.');
      return 1;
    }
  }
  const controller = new AbortController();
  const onInterrupt = () => {
    io.err('Cancelling: no new mutant starts; runs in flight stop at their next model call.');
    controller.abort();
  };
  process.once('SIGINT', onInterrupt);
  let report: MutationReport;
  try {
    report = await simulations.runMutations(plan, {
      model: client,
      concurrency: options.concurrency,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'mutant_finished') log(mutantLine(event.outcome, event.index, event.total));
      },
    });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  const survivors = report.mutants.filter((outcome) => outcome.status === 'survived').map((outcome) => outcome.mutant);
  const suggestions = options.suggest && survivors.length > 0 ? await simulations.suggestForSurvivors(plan.procedure, survivors, async () => client) : [];
  if (options.json) io.out(JSON.stringify({ estimate, report, suggestions }, null, 2));
  else for (const line of [...reportLines(report, estimate.unpricedModels), ...suggestions.map((entry) => `Suggested for ${entry.target.replace(/^mutant-/, '')}: ${entry.name} — ${entry.definition.customer.persona}`)]) io.out(line);
  if (options.suggest && suggestions.length > 0 && !options.json) io.out('These are proposals: save one to a file and add it with `simulations add <file>`.');
  return report.status === 'finished' ? 0 : 1;
}

/** The estimate before consent; a cost with no price is "not known", never $0.0000. */
export function mutationEstimateLine(estimate: MutationPlan['estimate']): string {
  const cost = estimateInWords(estimate);
  const runs = `for ${plural(estimate.runs, 'run')}: the suite once on the Procedure, then once on each mutant`;
  if (!cost.known) return `Estimated cost: ${cost.text} ${runs}.`;
  const unpriced = estimate.unpricedModels.length > 0 ? ` Not counted (no price in the settings): ${estimate.unpricedModels.join(', ')}.` : '';
  return `Estimated cost: ${cost.text} ${runs} (${usd(estimate.usdPerSuite)} a suite).${unpriced}`;
}

function mutantLine(outcome: MutantOutcome, index: number, total: number): string {
  const { mutant } = outcome;
  const what = `${mutant.id} ${mutant.operator}, line ${mutant.line}: ${mutant.description}`;
  if (outcome.status === 'killed') return `[${index}/${total}] KILLED ${what} (by ${outcome.killedBy.join(', ')})`;
  if (outcome.status === 'survived') return `[${index}/${total}] SURVIVED ${what}`;
  return `[${index}/${total}] ${outcome.status.toUpperCase()} ${what}${outcome.errors.length > 0 ? ` (${outcome.errors.join('; ')})` : ''}`;
}

/** The report after the runs; `unpricedModels` (the estimate's) had no price, so their calls are not in the cost. */
export function reportLines(report: MutationReport, unpricedModels: readonly string[] = []): string[] {
  const lines: string[] = [''];
  if (report.status === 'baseline_failed') {
    lines.push(`No simulation passes on "${report.procedure}" as it is (${report.baseline.failed.join(', ')}): a mutant cannot be told apart. Make the suite pass first.`);
    return lines;
  }
  if (report.baseline.failed.length > 0) lines.push(`Left out, since they fail on the Procedure as it is: ${report.baseline.failed.join(', ')}.`);
  const errors = report.mutants.filter((outcome) => outcome.status === 'error').length;
  lines.push(`Mutation score: ${report.score === null ? 'n/a' : report.score.toFixed(3)} (${report.killed} killed, ${report.survived} survived${errors > 0 ? `, ${errors} with errors` : ''}${report.status === 'cancelled' ? '; cancelled' : ''}).`);
  const survivors = report.mutants.filter((outcome) => outcome.status === 'survived');
  if (survivors.length > 0) {
    lines.push('Surviving mutants: no simulation really tests these places.');
    // The place in the Procedure's words (a branch by its step and test, a step by its title).
    for (const { mutant } of survivors) lines.push(`  ${mutant.id} line ${mutant.line}${mutant.place ? `, ${mutant.branchId ? 'branch' : 'step'} ${mutant.place}` : ''}: ${mutant.description}`);
    lines.push('  `--suggest` proposes a simulation that would catch each.');
  }
  for (const { mutant, errors: why } of report.invalid) lines.push(`Not run (does not validate): ${mutant.id} ${mutant.description}: ${why.join('; ')}`);
  const overhead = report.suitesWallMs > 0 ? (report.overheadMs / report.suitesWallMs) * 100 : 0;
  const cost = report.costUsd === 0 && unpricedModels.length > 0 ? `not known (no price set for ${unpricedModels.join(', ')})` : `${usd(report.costUsd)}${unpricedModels.length > 0 ? ` (not counted: ${unpricedModels.join(', ')}, no price set)` : ''}`;
  lines.push(`Cost: ${cost}. Time: ${(report.wallMs / 1000).toFixed(1)} s, of which ${(report.overheadMs / 1000).toFixed(2)} s (${overhead.toFixed(1)}%) over running the suite once per mutant.`);
  lines.push(report.replayNote);
  return lines;
}
