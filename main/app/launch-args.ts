// Command-line options of `npm start` and `npm run serve` (and of the packaged app, which takes the
// same). A bad option is refused with the usage line of the command the user actually ran.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LaunchError } from './open-workspace';

const LaunchArgsSchema = z.strictObject({
  port: z.coerce.number({ message: '--port takes a number' }).int('--port takes a whole number').min(0).max(65_535, '--port must be 65535 or less').default(0),
  workspace: z.string().min(1).optional(),
});

export type LaunchArgs = z.infer<typeof LaunchArgsSchema>;

/** The command as typed before its options: `npm start --`, `npm run serve --`, or the packaged app's program. */
export const NPM_START = 'npm start --';
export const NPM_SERVE = 'npm run serve --';

/** The usage line of the launch command the user ran. */
export function launchUsage(command: string): string {
  return `Usage: ${command} [--port <n>] [--workspace <file>]`;
}

export interface LaunchArgsOptions {
  /** The command the user ran, for the usage line (NPM_START, NPM_SERVE, or the packaged program). */
  command: string;
  cwd?: string;
}

export function parseLaunchArgs(argv: string[], options: LaunchArgsOptions): LaunchArgs {
  const usage = launchUsage(options.command);
  let values: { port?: string; workspace?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, workspace: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new LaunchError(`${(error as Error).message}\n${usage}`);
  }
  const parsed = LaunchArgsSchema.safeParse(values);
  if (!parsed.success) throw new LaunchError(`${parsed.error.issues[0]?.message}\n${usage}`);
  return { ...parsed.data, ...(parsed.data.workspace ? { workspace: resolve(options.cwd ?? process.cwd(), parsed.data.workspace) } : {}) };
}
