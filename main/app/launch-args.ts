// Command-line options of `npm start` and `npm run serve`.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LaunchError } from './open-workspace';

const LaunchArgsSchema = z.strictObject({
  port: z.coerce.number({ message: '--port takes a number' }).int('--port takes a whole number').min(0).max(65_535, '--port must be 65535 or less').default(0),
  workspace: z.string().min(1).optional(),
});

export type LaunchArgs = z.infer<typeof LaunchArgsSchema>;

export const LAUNCH_USAGE = 'Usage: npm run serve -- [--port <n>] [--workspace <file>]';

export function parseLaunchArgs(argv: string[], cwd: string = process.cwd()): LaunchArgs {
  let values: { port?: string; workspace?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, workspace: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new LaunchError(`${(error as Error).message}\n${LAUNCH_USAGE}`);
  }
  const parsed = LaunchArgsSchema.safeParse(values);
  if (!parsed.success) throw new LaunchError(`${parsed.error.issues[0]?.message}\n${LAUNCH_USAGE}`);
  return { ...parsed.data, ...(parsed.data.workspace ? { workspace: resolve(cwd, parsed.data.workspace) } : {}) };
}
