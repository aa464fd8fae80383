// `stepwise improve`: asks the author model to improve a Procedure, or one of its simulations, from
// written feedback; shows the change as a diff and applies it only when the user accepts it.
import { createInterface } from 'node:readline';
import { applyProposal, proposeImprovement, type ImprovementTarget } from '../../authoring/improver';
import { describeDiagnostics } from '../../authoring/procedure-check';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';
import { wholeNumber } from '../model-args';
import { withSession } from '../session';
import { readTextFile } from './draft';

async function ask(io: CliIo, question: string): Promise<string> {
  io.out(question);
  if (!io.stdin) return '';
  const lines = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of lines) return line.trim();
    return '';
  } finally {
    lines.close();
  }
}

export const improveCommand: Command = {
  name: 'improve',
  summary: 'Improve a Procedure or a simulation from feedback: shows a diff, applies it when you accept',
  usage: 'improve --workspace <file> --procedure <name> [--simulation <name>] (--feedback <text> | --feedback-file <file>) [--run <run-id>] [--yes]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      workspace: { type: 'string' },
      procedure: { type: 'string' },
      simulation: { type: 'string' },
      feedback: { type: 'string' },
      'feedback-file': { type: 'string' },
      run: { type: 'string' },
      yes: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
    if (!values.procedure) throw new UsageError('Say which Procedure with --procedure <name>.');
    if ((values.feedback === undefined) === (values['feedback-file'] === undefined)) throw new UsageError('Give the feedback with --feedback <text> or --feedback-file <file>.');
    const feedback = values.feedback ?? readTextFile(io, values['feedback-file']!, 'feedback');
    const runId = values.run === undefined ? undefined : wholeNumber(values.run, '--run', 0, 1, Number.MAX_SAFE_INTEGER);
    const target: ImprovementTarget = values.simulation ? { kind: 'simulation', procedure: values.procedure, simulation: values.simulation } : { kind: 'procedure', procedure: values.procedure };
    return withSession(values.workspace, io, async ({ workspace, sandbox, model }) => {
      const { client } = await model();
      const proposal = await proposeImprovement({ workspace, model: client, sandbox }, target, feedback, runId === undefined ? {} : { runId });
      const what = target.kind === 'procedure' ? `"${target.procedure}"` : `the simulation "${target.simulation}" of "${target.procedure}"`;
      if (!proposal.valid) {
        io.err(`The proposed change to ${what} does not pass validate, so it cannot be applied:\n${describeDiagnostics(proposal.diagnostics, proposal.after)}`);
        io.out(proposal.patch);
        return 1;
      }
      if (proposal.patch === '') {
        io.out(`No change proposed for ${what}. ${proposal.summary}`.trim());
        return 0;
      }
      io.out(`Proposed change to ${what} (+${proposal.added} −${proposal.removed}): ${proposal.summary}`);
      io.out(proposal.patch);
      const accepted = values.yes || /^(y|yes)$/i.test(await ask(io, 'Apply this change? [y/N]'));
      if (!accepted) {
        io.out('Not applied.');
        return 0;
      }
      applyProposal(workspace, proposal);
      io.out(`Applied to ${what}${target.kind === 'procedure' ? ' (its draft)' : ''}.`);
      return 0;
    });
  },
};
