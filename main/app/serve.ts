// `npm run serve -- [--port <n>] [--workspace <file>]`: browser mode. Prints one line with the URL
// that opens the app, its launch token included.
import { fileURLToPath } from 'node:url';
import { launchBrowserMode } from './browser-mode';
import { appHome } from './home';
import { NPM_SERVE, parseLaunchArgs } from './launch-args';
import { LaunchError } from './open-workspace';

export const DEFAULT_STATIC_ROOT = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

export interface ServeOptions {
  argv: string[];
  /** The command the user ran, named in the usage line of a bad option (default `npm run serve --`). */
  command?: string;
  staticRoot?: string;
  /** Printed before the URL line, e.g. why Electron did not start. */
  note?: string;
}

export async function serve(options: ServeOptions) {
  const args = parseLaunchArgs(options.argv, { command: options.command ?? NPM_SERVE });
  const mode = await launchBrowserMode({
    home: appHome(),
    staticRoot: options.staticRoot ?? DEFAULT_STATIC_ROOT,
    ...(args.workspace ? { workspace: args.workspace } : {}),
    port: args.port,
  });
  if (options.note) console.log(options.note);
  if (mode.createdWorkspace) console.error(`Created your workspace from the example shop: ${mode.engine.workspace.path}`);
  console.log(`Stepwise is running in browser mode: open ${mode.server.url}`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void mode.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return mode;
}

export function reportLaunchError(error: unknown): never {
  if (error instanceof LaunchError) console.error(error.message);
  else console.error(`Stepwise could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
