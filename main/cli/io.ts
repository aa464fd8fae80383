// What a CLI command may touch: its arguments, output streams and the working directory.
// Commands take it as a parameter so tests run them in-process without a subprocess.

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  cwd: process.cwd(),
};
