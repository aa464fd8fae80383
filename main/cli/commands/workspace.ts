import { resolve } from 'node:path';
import { stepwiseCommand } from '../../../shared/shell-quote';
import { publishProcedure, SHIPPED_EXAMPLE } from '../../procedures/publish';
import { loadExamples, type ExampleReport } from '../../services/example-workspace';
import { Workspace } from '../../store/workspace';
import { parseCommandArgs, UsageError, type CliIo, type Command } from '../io';

export const workspaceCommand: Command = {
  name: 'workspace',
  summary: 'Create a workspace file (--example: with the example shop\'s Procedures, simulations, knowledge and connectors)',
  usage: 'workspace init <file> [--example]',
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { example: { type: 'boolean', default: false } });
    const [action, file, ...rest] = positionals;
    if (action !== 'init') throw new UsageError(action ? `Unknown workspace action "${action}".` : 'Say what to do: workspace init <file>.');
    if (!file || rest.length > 0) throw new UsageError('Name exactly one workspace file to create.');
    const path = resolve(io.cwd, file);
    let report: ExampleReport | null = null;
    const drafts: string[] = [];
    // The workspace is filled before it appears at `path`: an init killed halfway leaves nothing.
    const workspace = Workspace.create(path, (building) => {
      if (!values.example) return;
      report = loadExamples(building);
      for (const name of report.procedures) {
        try {
          publishProcedure(building, name, { note: 'Example', currentDraft: true }, SHIPPED_EXAMPLE);
        } catch (error) {
          drafts.push(`${name}: ${(error as Error).message}`);
        }
      }
    });
    workspace.close();
    if (report === null) {
      io.out(`Created an empty workspace at ${file}.`);
      return 0;
    }
    return printExampleReport(io, file, report, drafts);
  },
};

function printExampleReport(io: CliIo, file: string, report: ExampleReport, drafts: string[]): number {
  io.out(
    [
      `Created ${file} with the example shop:`,
      `  ${report.procedures.length} Procedures (${report.procedures.join(', ')})`,
      `  ${report.connectors.length} connectors (${report.connectors.join(', ')}), with mocks`,
      `  ${report.worlds.length} mock world${report.worlds.length === 1 ? '' : 's'} (${report.worlds.join(', ')})`,
      `  ${report.teams.length} teams`,
      `  ${report.simulations.length} simulations (run them with \`${stepwiseCommand(['simulate', '--workspace', file])}\`)`,
      `  ${report.knowledge.created} knowledge articles`,
    ].join('\n'),
  );
  for (const skipped of report.knowledge.skipped) io.err(`knowledge: skipped ${skipped.name}: ${skipped.reason}`);
  for (const draft of drafts) io.err(`left as a draft, not published: ${draft}`);
  return 0;
}
