// `stepwise simulate`: runs a workspace's saved simulations (all, a Procedure's, or those with a
// tag), k times each with a concurrency limit, and exits 1 when any run does not pass, so authors
// can run it in their own CI. `--replay <run-id>` plays a recorded run again, offline. `--mutate`
// checks the suite's strength on a Procedure's mutants (after the cost estimate and consent). The rules
// are the simulation service's (main/services/simulations.ts); this reads arguments and prints.
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../files/atomic-write';
import { junitXml } from '../../simulations/junit';
import { nothingMatches, SimulationService } from '../../services/simulations';
import type { Workspace } from '../../store/workspace';
import type { AskingIo } from './bundles';
import { mutate } from './simulate-mutate';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import { wholeNumber } from '../model-args';
import { withSession } from '../session';
import { estimateLine, failureDetails, junitCases, runLine, runsWording, summaryLines } from '../simulation-report';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Run saved simulations (exits 1 when one fails); --replay a recorded run offline',
  usage: 'simulate --workspace <file> [--procedure <name>] [--tag <tag>]… [--repeat <k>] [--concurrency <n>] [--live] [--junit <out.xml>] [--json] [--verbose] [--replay <run-id>] | --mutate --procedure <name> [--tag <tag>]… [--concurrency <n>] [--yes] [--suggest] [--json]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      procedure: { type: 'string' },
      tag: { type: 'string', multiple: true },
      repeat: { type: 'string' },
      concurrency: { type: 'string' },
      live: { type: 'boolean', default: false },
      junit: { type: 'string' },
      json: { type: 'boolean', default: false },
      replay: { type: 'string' },
      mutate: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      suggest: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    const repeat = wholeNumber(values.repeat, '--repeat', 1, 1, 100);
    const concurrency = wholeNumber(values.concurrency, '--concurrency', 4, 1, 64);
    if (values.mutate) {
      if (!values.procedure) throw new UsageError('--mutate makes mutants of one Procedure: say which with --procedure <name>.');
      if (values.replay !== undefined || values.repeat || values.live || values.junit) throw new UsageError('--mutate runs the draft once per mutant: it takes no --replay, --repeat, --live or --junit.');
      const options = { procedure: values.procedure, tags: values.tag ?? [], concurrency, yes: values.yes, suggest: values.suggest, json: values.json };
      return withSession(values.workspace, io, (session) => mutate(session, io as AskingIo, options), { poolSize: Math.min(2, concurrency) });
    }
    if (values.yes || values.suggest) throw new UsageError('--yes and --suggest go with --mutate.');
    if (values.replay !== undefined) {
      if (values.procedure || values.tag || values.repeat || values.concurrency || values.live) throw new UsageError('--replay plays one recorded run: it takes no --procedure, --tag, --repeat, --concurrency or --live.');
      const runId = wholeNumber(values.replay, '--replay', 0, 1, Number.MAX_SAFE_INTEGER);
      return withSession(values.workspace, io, ({ workspace, sandbox }) => replay(workspace, new SimulationService({ workspace, sandbox }), runId, io, { json: values.json, verbose: values.verbose }));
    }
    return withSession(
      values.workspace,
      io,
      async ({ workspace, sandbox, secrets, model }) => {
        const simulations = new SimulationService({ workspace, sandbox, secrets });
        const filter = { ...(values.procedure ? { procedure: values.procedure } : {}), tags: values.tag ?? [] };
        const selected = simulations.select(filter);
        if (selected.length === 0) {
          io.err(nothingMatches(filter));
          return 1;
        }
        const { settings, client } = await model();
        const log = values.json ? io.err : io.out;
        const estimate = simulations.estimate(selected, { repeat, settings });
        log(estimateLine(estimate, selected.length, repeat));
        const controller = new AbortController();
        const onInterrupt = () => {
          io.err('Cancelling: no new run starts; runs in flight stop at their next model call.');
          controller.abort();
        };
        process.once('SIGINT', onInterrupt);
        try {
          const result = await simulations.runSuite(selected, {
            model: client,
            repeat,
            concurrency,
            live: values.live,
            signal: controller.signal,
            estimate,
            trigger: 'cli',
            onProgress: (event) => {
              if (event.type === 'run_finished') log(runLine(event.run, event.finished, event.total, repeat, settings.models));
            },
          });
          const { report } = result;
          const conversation = (id: number | null) => simulations.conversation(id);
          if (values.junit) {
            const out = resolve(io.cwd, values.junit);
            writeFileAtomic(out, junitXml(junitCases(conversation, report.runs, repeat)));
            log(`JUnit report written to ${out}.`);
          }
          if (values.json) {
            io.out(JSON.stringify({ estimate, report, comparison: result.comparison, coverage: result.coverage, agreement: result.agreement }, null, 2));
          } else {
            const failures = report.runs.filter((run) => run.status !== 'passed');
            const wording = runsWording(workspace, report.runs.map((run) => run.runId), values.verbose);
            if (failures.length > 0) {
              io.out('');
              io.out('Failures:');
              for (const run of failures) for (const line of failureDetails(conversation, run, repeat, values.workspace!, wording)) io.out(line);
            }
            io.out('');
            for (const line of summaryLines(report, result.comparison, result.coverage, result.agreement, wording, settings.models)) io.out(line);
          }
          return report.status === 'finished' && report.passed === report.total ? 0 : 1;
        } finally {
          process.removeListener('SIGINT', onInterrupt);
        }
      },
      { poolSize: Math.min(2, concurrency) },
    );
  },
};

async function replay(workspace: Workspace, simulations: SimulationService, runId: number, io: CliIo, options: { json: boolean; verbose: boolean }): Promise<number> {
  const result = await simulations.replay(runId);
  if (options.json) {
    io.out(JSON.stringify({ replayOf: runId, identical: result.identical, differences: result.differences, replay: result.replay }, null, 2));
  } else {
    io.out(`Replayed run ${runId} offline as run ${result.replay.runId}: ${result.replay.status} (${result.replay.summary})`);
    io.out(result.identical ? 'The replay reproduced the recorded run exactly.' : `The replay differs from the recorded run:\n${result.differences.map((line) => `  - ${line}`).join('\n')}`);
    if (result.replay.status !== 'passed') for (const line of failureDetails((id) => simulations.conversation(id), result.replay, 1, null, runsWording(workspace, [result.replay.runId], options.verbose))) io.out(line);
  }
  return result.identical && result.replay.status === 'passed' ? 0 : 1;
}
