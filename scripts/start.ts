// npm start: builds the renderer and the Electron main and preload, then launches Electron. Where
// Electron cannot start, says why in one line and starts browser mode instead.
//   npm start -- [--port <n>] [--workspace <file>]
import { spawn } from 'node:child_process';
import { reportLaunchError, serve } from '../main/app/serve';
import { NPM_START, parseLaunchArgs } from '../main/app/launch-args';
import { buildElectron } from './build-electron';
import { findElectron } from './electron-binary';
import { buildRenderer, REPO_ROOT } from './build-renderer';

/** How long Electron must keep running to count as started. */
const STARTUP_GRACE_MS = 3_000;

async function launchElectron(binary: string, argv: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['.', '--', ...argv], { cwd: REPO_ROOT, stdio: 'inherit' });
    const timer = setTimeout(() => resolve(null), STARTUP_GRACE_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(`Electron failed to run (${error.message})`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(`Electron exited at startup (${signal ?? `code ${code}`})`);
      process.exitCode = code ?? 1;
    });
  });
}

const argv = process.argv.slice(2);
try {
  parseLaunchArgs(argv, { command: NPM_START }); // refuse bad arguments before building anything
  await buildRenderer({ log: (line) => console.error(line) });
  await buildElectron();
  const electron = findElectron(REPO_ROOT);
  const failure = electron.ok ? await launchElectron(electron.binary, argv) : electron.reason;
  if (failure) {
    process.exitCode = 0;
    await serve({ argv, command: NPM_START, note: `Electron cannot start here: ${failure}. Starting browser mode instead.` });
  }
} catch (error) {
  reportLaunchError(error);
}
