// Dispatches `stepwise <command> …` to its command; returns the exit code.
import { ProcedureFileError } from '../files/procedure-files';
import { commands } from './commands';
import { helpWidth, renderHelp } from './help';
import { CommandFailure, UsageError, type CliIo } from './io';

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText(io));
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${helpText(io)}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ProcedureFileError) {
      io.err(`${error.message}\nUsage: stepwise ${command.usage}`);
      return 2;
    }
    if (error instanceof CommandFailure) {
      io.err(error.message);
      return 1;
    }
    io.err(`stepwise ${name} failed: ${(error as Error).message}`);
    return 1;
  }
}

function helpText(io: CliIo): string {
  return renderHelp(commands, helpWidth(io.columns));
}
