// `stepwise simulations …`: import τ²-bench tasks, list simulations with their last result, show a
// run (checks, transcript, trace), review the judge's verdicts, and the judge–human agreement rate.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plural } from '../../../shared/plural';
import { finalWorldOf } from '../../services/simulation-reports';
import { SimulationService } from '../../services/simulations';
import { traceSayers } from '../../simulations/node-words';
import { describeEvent } from '../../simulations/trace-digest';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import { wholeNumber } from '../model-args';
import { withSession, type CliSession } from '../session';
import { finalWorldLines } from '../final-world-lines';
import { runsWording } from '../simulation-report';

const SUBCOMMANDS = ['add', 'import-tau2', 'generate', 'list', 'show', 'review', 'agreement'] as const;

export const simulationsCommand: Command = {
  name: 'simulations',
  summary: 'Add simulations from a YAML or JSON file, import τ²-bench tasks, list simulations, show a run, review verdicts',
  usage: `simulations <${SUBCOMMANDS.join('|')}> … --workspace <file>`,
  async run(args, io) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'add':
        return add(rest, io);
      case 'import-tau2':
        return importTau2(rest, io);
      case 'generate':
        return generate(rest, io);
      case 'list':
        return list(rest, io);
      case 'show':
        return show(rest, io);
      case 'review':
        return review(rest, io);
      case 'agreement':
        return agreement(rest, io);
      default:
        throw new UsageError(
          `${sub ? `Unknown subcommand "${sub}"` : 'Say what to do'}: simulations add <file.yaml|file.json> --workspace <file> [--procedure <name>] [--replace] | import-tau2 <tasks.json> --workspace <file> --procedure <name> | generate --procedure <name> [--save] | list [--procedure <name>] | show <run-id> | review <run-id> --criterion <name> (--agree | --overrule) [--note <text>] | agreement`,
        );
    }
  },
};

async function add(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, procedure: { type: 'string' }, replace: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError('Name one simulation file: simulations add <file.yaml|file.json> --workspace <file> [--procedure <name>] [--replace].');
  const file = resolve(io.cwd, positionals[0]!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  return withSimulations(values.workspace, io, (simulations) => {
    const added = simulations.addFromFile(text, positionals[0]!, { ...(values.procedure ? { procedure: values.procedure } : {}), replace: values.replace });
    for (const entry of added) io.out(`${entry.replaced ? 'Replaced' : 'Added'} ${entry.procedure} / ${entry.name}.`);
    return 0;
  });
}

async function importTau2(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, procedure: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('Name one τ²-bench tasks.json file: simulations import-tau2 <tasks.json> --workspace <file> --procedure <name>.');
  if (!values.procedure) throw new UsageError('Say which Procedure the simulations test with --procedure <name>.');
  const file = resolve(io.cwd, positionals[0]!);
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  return withSimulations(values.workspace, io, (simulations) => {
    const report = simulations.importTau2(values.procedure!, json, positionals[0]);
    io.out(`Created ${plural(report.created.length, 'simulation')} for "${values.procedure}" from ${positionals[0]}${report.updated.length > 0 ? `; updated ${report.updated.length} already there` : ''}.`);
    return 0;
  });
}

async function generate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, procedure: { type: 'string' }, save: { type: 'boolean', default: false } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  if (!values.procedure) throw new UsageError('Say which Procedure to write simulations for with --procedure <name>.');
  return withSimulations(values.workspace, io, async (simulations, session) => {
    const generated = await simulations.generate(values.procedure!, async () => (await session.model()).client);
    for (const entry of generated) io.out(`${entry.target}: ${entry.name} — ${entry.definition.customer.persona}`);
    if (values.save) {
      simulations.saveGenerated(values.procedure!, generated);
      io.out(`Saved ${plural(generated.length, 'simulation')} for "${values.procedure}", tagged "generated".`);
    } else io.out(`${plural(generated.length, 'simulation')} proposed; run again with --save to keep them.`);
    return 0;
  });
}

async function list(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, procedure: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  return withSimulations(
    values.workspace,
    io,
    (simulations) => {
      const listed = simulations.list(values.procedure);
      if (listed.length === 0) io.out('No simulations yet.');
      for (const { simulation, lastRun: last } of listed) {
        const tags = simulation.definition.tags.length > 0 ? ` [${simulation.definition.tags.join(', ')}]` : '';
        io.out(`${simulation.procedure} / ${simulation.name}${tags}: ${last ? `${last.status} (run ${last.id}, ${last.finishedAt})` : 'never run'}`);
      }
      return 0;
    },
    { readonly: true },
  );
}

async function show(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError('Name one run: simulations show <run-id> --workspace <file>.');
  const runId = wholeNumber(positionals[0], 'The run id', 0, 1, Number.MAX_SAFE_INTEGER);
  return withSimulations(
    values.workspace,
    io,
    (simulations, session) => {
      const { run, simulation, checks, reviewedStatus, transcript, trace } = simulations.show(runId);
      const finalWorld = finalWorldOf(session.workspace, run);
      if (values.json) {
        io.out(JSON.stringify({ run: { ...run, checks }, reviewedStatus, transcript, finalWorld, trace }, null, 2));
        return 0;
      }
      io.out(`Run ${run.id} of ${simulation ? `${simulation.procedure} / ${simulation.name}` : `simulation ${run.simulationId}`}${run.attempt > 1 ? ` (try ${run.attempt})` : ''}: ${run.status}${reviewedStatus !== run.status ? ` (${reviewedStatus} after review)` : ''}`);
      io.out(`  on ${run.version ? `version ${run.version}` : 'the draft'} ${run.procedureHash}; ${run.summary}`);
      if (run.details?.attribution) io.out(`  put down to the ${run.details.attribution}`);
      for (const check of checks) {
        const review = check.review ? ` — reviewed: ${check.review.decision}${check.review.note ? ` ("${check.review.note}")` : ''}` : '';
        io.out(`  ${check.effectivePassed ? '✓' : '✗'} [${check.kind}] ${check.name}: ${check.reason}${check.party ? ` (${check.party})` : ''}${review}`);
      }
      io.out('Transcript:');
      for (const line of transcript) io.out(`  ${line.role}: ${line.text}`);
      for (const line of finalWorldLines(finalWorld)) io.out(line);
      io.out('Trace:');
      const { words } = runsWording(session.workspace, [run.id], values.verbose);
      const says = traceSayers(trace, words, { withId: values.verbose });
      for (const [index, event] of trace.entries()) {
        const line = describeEvent({ type: event.type, stepId: event.stepId, payload: event.payload }, says[index]);
        if (line && event.type !== 'customer_message' && event.type !== 'agent_message') io.out(`  ${line}`);
      }
      return 0;
    },
    { readonly: true },
  );
}

async function review(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    workspace: { type: 'string' },
    criterion: { type: 'string' },
    agree: { type: 'boolean', default: false },
    overrule: { type: 'boolean', default: false },
    note: { type: 'string' },
    reviewer: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('Name one run: simulations review <run-id> --criterion <name> (--agree | --overrule).');
  if (values.agree === values.overrule) throw new UsageError('Give exactly one of --agree and --overrule.');
  if (!values.criterion) throw new UsageError('Say which criterion with --criterion <name>.');
  const runId = wholeNumber(positionals[0], 'The run id', 0, 1, Number.MAX_SAFE_INTEGER);
  return withSimulations(values.workspace, io, (simulations) => {
    const { status, agreement: rate } = simulations.review(runId, values.criterion!, values.agree ? 'agree' : 'overrule', values.note ?? '', values.reviewer ?? null);
    io.out(`Recorded: you ${values.agree ? 'agree with' : 'overrule'} the judge on "${values.criterion}". Run ${runId} now counts as ${status}.`);
    io.out(`Judge–human agreement in this workspace: ${((rate.rate ?? 0) * 100).toFixed(0)}% of ${plural(rate.reviewed, 'reviewed verdict')}.`);
    return 0;
  });
}

async function agreement(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { workspace: { type: 'string' }, json: { type: 'boolean', default: false } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  return withSimulations(
    values.workspace,
    io,
    (simulations) => {
      const rate = simulations.agreement();
      if (values.json) io.out(JSON.stringify(rate));
      else if (rate.rate === null) io.out('No verdict has been reviewed yet in this workspace.');
      else io.out(`Judge–human agreement: ${(rate.rate * 100).toFixed(0)}% (${rate.agreed} agreed, ${rate.overruled} overruled, of ${rate.reviewed}).`);
      return 0;
    },
    { readonly: true },
  );
}

/** The simulation service over the --workspace file, for the length of one subcommand. */
function withSimulations<T>(workspaceArg: string | undefined, io: CliIo, work: (simulations: SimulationService, session: CliSession) => Promise<T> | T, options: { readonly?: boolean } = {}): Promise<T> {
  return withSession(workspaceArg, io, (session) => work(new SimulationService({ workspace: session.workspace, sandbox: session.sandbox, secrets: session.secrets }), session), options);
}
