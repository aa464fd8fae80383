// `stepwise simulate`: runs a workspace's saved simulations (all, a Procedure's, or those with a
// tag), k times each with a concurrency limit, and exits 1 when any run does not pass, so authors
// can run it in their own CI. `--replay <run-id>` plays a recorded run again, offline.
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../files/atomic-write';
import { createPythonSandbox } from '../../sandbox';
import { compareWithPrevious } from '../../simulations/comparison';
import { estimateSuiteCost } from '../../simulations/cost';
import { runsCoverage } from '../../simulations/coverage';
import { junitXml } from '../../simulations/junit';
import { lazySandbox } from '../../simulations/lazy-sandbox';
import type { SimulationServices } from '../../simulations/runner';
import { replayRun } from '../../simulations/simulate';
import { runSuite } from '../../simulations/suite';
import type { Workspace } from '../../store/workspace';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import { requireModel, wholeNumber } from '../model-args';
import { estimateLine, failureDetails, junitCases, runLine, summaryLines } from '../simulation-report';
import { requireWorkspacePath, secretStoreFor, withWorkspace } from '../workspace-args';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'Run saved simulations (exits 1 when one fails); --replay a recorded run offline',
  usage: 'simulate --workspace <file> [--procedure <name>] [--tag <tag>]… [--repeat <k>] [--concurrency <n>] [--live] [--junit <out.xml>] [--json] [--replay <run-id>]',
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
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    const repeat = wholeNumber(values.repeat, '--repeat', 1, 1, 100);
    const concurrency = wholeNumber(values.concurrency, '--concurrency', 4, 1, 64);
    const path = requireWorkspacePath(values.workspace, io);
    const secrets = secretStoreFor(path);
    if (values.replay !== undefined) {
      if (values.procedure || values.tag || values.repeat || values.concurrency || values.live) throw new UsageError('--replay plays one recorded run: it takes no --procedure, --tag, --repeat, --concurrency or --live.');
      const runId = wholeNumber(values.replay, '--replay', 0, 1, Number.MAX_SAFE_INTEGER);
      return withWorkspace(path, io, (workspace) => replay(workspace, runId, io, { json: values.json }));
    }
    return withWorkspace(path, io, async (workspace) => {
      const tags = values.tag ?? [];
      const simulations = workspace.simulations.list(values.procedure).filter((simulation) => tags.length === 0 || simulation.definition.tags.some((tag) => tags.includes(tag)));
      if (simulations.length === 0) {
        io.err(`No simulations match${values.procedure ? ` in "${values.procedure}"` : ''}${tags.length > 0 ? ` with the tag ${tags.join(' or ')}` : ''}: nothing was run.`);
        return 1;
      }
      const { settings, client } = await requireModel(workspace, secrets, io);
      const log = values.json ? io.err : io.out;
      const estimate = estimateSuiteCost(workspace, simulations, { repeat, settings });
      log(estimateLine(estimate, simulations.length, repeat));
      const sandbox = lazySandbox(() => createPythonSandbox({ poolSize: Math.min(2, concurrency) }));
      const controller = new AbortController();
      const onInterrupt = () => {
        io.err('Cancelling: no new run starts; runs in flight stop at their next model call.');
        controller.abort();
      };
      process.once('SIGINT', onInterrupt);
      const services: SimulationServices = { workspace, sandbox, secrets };
      try {
        const report = await runSuite(services, simulations, {
          model: client,
          repeat,
          concurrency,
          draft: !values.live,
          signal: controller.signal,
          estimate,
          trigger: 'cli',
          onProgress: (event) => {
            if (event.type === 'run_finished') log(runLine(event.run, event.finished, event.total, repeat));
          },
        });
        const runIds = report.runs.map((run) => run.runId);
        const comparison = compareWithPrevious(workspace, runIds);
        const coverage = runsCoverage(workspace, runIds);
        const agreement = workspace.simulations.reviews.agreement();
        if (values.junit) {
          const out = resolve(io.cwd, values.junit);
          writeFileAtomic(out, junitXml(junitCases(workspace, report.runs, repeat)));
          log(`JUnit report written to ${out}.`);
        }
        if (values.json) {
          io.out(JSON.stringify({ estimate, report, comparison, coverage, agreement }, null, 2));
        } else {
          const failures = report.runs.filter((run) => run.status !== 'passed');
          if (failures.length > 0) {
            io.out('');
            io.out('Failures:');
            for (const run of failures) for (const line of failureDetails(workspace, run, repeat, values.workspace!)) io.out(line);
          }
          io.out('');
          for (const line of summaryLines(report, comparison, coverage, agreement)) io.out(line);
        }
        return report.status === 'finished' && report.passed === report.total ? 0 : 1;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
        await sandbox.close();
      }
    });
  },
};

async function replay(workspace: Workspace, runId: number, io: CliIo, options: { json: boolean }): Promise<number> {
  const sandbox = lazySandbox(() => createPythonSandbox({ poolSize: 1 }));
  try {
    const result = await replayRun({ workspace, sandbox }, runId);
    if (options.json) {
      io.out(JSON.stringify({ replayOf: runId, identical: result.identical, differences: result.differences, replay: result.replay }, null, 2));
    } else {
      io.out(`Replayed run ${runId} offline as run ${result.replay.runId}: ${result.replay.status} (${result.replay.summary})`);
      io.out(result.identical ? 'The replay reproduced the recorded run exactly.' : `The replay differs from the recorded run:\n${result.differences.map((line) => `  - ${line}`).join('\n')}`);
      if (result.replay.status !== 'passed') for (const line of failureDetails(workspace, result.replay, 1, null)) io.out(line);
    }
    return result.identical && result.replay.status === 'passed' ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}
