import { parseArgs } from 'node:util';
// What a CLI command may touch: its arguments, output streams and the working directory.
// Commands take it as a parameter so tests run them in-process without a subprocess.

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  /** Input for interactive commands (chat). */
  stdin?: NodeJS.ReadableStream;
  /** The environment (model key and endpoint); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** The terminal's width, when the output is a terminal (help fits its table to it). */
  columns?: number;
}

/** A mistake in how the command was called: exit code 2, with the command's usage. */
export class UsageError extends Error {}

/**
 * The command was called right but cannot do its work here (no model configured…): exit code 1,
 * the message alone. The usage text would only suggest the arguments were wrong.
 */
export class CommandFailure extends Error {}

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
  stdin: process.stdin,
  env: process.env,
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

type ParseArgsConfig = NonNullable<Parameters<typeof parseArgs>[0]>;

/** `parseArgs` with positionals allowed, turning its errors into usage errors (exit 2). */
export function parseCommandArgs<T extends ParseArgsConfig['options']>(args: string[], options: T) {
  try {
    return parseArgs({ args, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
