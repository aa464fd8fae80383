// A bad launch option is refused with the usage line of the command the user ran: `npm start` names
// npm start, not `npm run serve`.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { launchUsage, NPM_SERVE, NPM_START, parseLaunchArgs } from '../../main/app/launch-args';
import { LaunchError } from '../../main/app/open-workspace';
import { repoRoot } from '../support/paths';

const refusal = (argv: string[], command: string) => {
  try {
    parseLaunchArgs(argv, { command });
  } catch (error) {
    expect(error).toBeInstanceOf(LaunchError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('launch arguments', () => {
  it('names npm start in the usage line under npm start, and npm run serve under serve', () => {
    expect(refusal(['--port', 'eighty'], NPM_START)).toBe('--port takes a number\nUsage: npm start -- [--port <n>] [--workspace <file>]');
    expect(refusal(['--port', 'eighty'], NPM_SERVE)).toBe('--port takes a number\nUsage: npm run serve -- [--port <n>] [--workspace <file>]');
    expect(refusal(['--colour'], NPM_START)).toMatch(/--colour[\s\S]*\nUsage: npm start -- \[--port <n>\]/);
    expect(refusal(['--port', '70000'], 'Stepwise')).toBe('--port must be 65535 or less\nUsage: Stepwise [--port <n>] [--workspace <file>]');
  });

  it('reads good options, the workspace from the folder it was run in', () => {
    expect(parseLaunchArgs(['--port', '8080', '--workspace', 'shop.stepwise'], { command: NPM_START, cwd: '/tmp/here' })).toEqual({ port: 8080, workspace: '/tmp/here/shop.stepwise' });
    expect(launchUsage(NPM_SERVE)).toBe('Usage: npm run serve -- [--port <n>] [--workspace <file>]');
  });

  it('npm start refuses a bad option before building anything, naming npm start', () => {
    const started = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--port', 'eighty'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(started.status).toBe(1);
    expect(started.stderr).toContain('--port takes a number\nUsage: npm start -- [--port <n>] [--workspace <file>]');
    expect(started.stderr).not.toContain('npm run serve');
  }, 40_000);
});
