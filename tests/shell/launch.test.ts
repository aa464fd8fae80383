// `npm run serve` and `npm start` as a person runs them: one line with the URL and its token; and
// where Electron cannot start (as here), `npm start` says why and falls back to browser mode.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExampleWorkspace } from '../../main/app/open-workspace';
import { findElectron } from '../../scripts/electron-binary';
import { repoRoot } from '../support/paths';

const children: ChildProcess[] = [];
const homes: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function run(script: string, args: string[]) {
  const home = mkdtempSync(join(tmpdir(), 'stepwise-launch-'));
  homes.push(home);
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: repoRoot,
    env: { ...process.env, STEPWISE_HOME: home, DISPLAY: '', WAYLAND_DISPLAY: '' },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const urlLine = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after 50 s; stdout: ${out}; stderr: ${err}`)), 50_000);
    const check = () => {
      const line = out.split('\n').find((candidate) => candidate.includes('http://127.0.0.1:'));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out} ${err}`)));
  });
  urlLine.catch(() => {}); // awaited only by the tests that expect a URL
  return { home, urlLine, output: () => ({ out, err }), exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
}

describe('launching', () => {
  it('npm run serve prints one line with the URL and token, and creates the default workspace', async () => {
    const started = run('scripts/serve.ts', ['--port', '0']);
    const line = await started.urlLine;
    expect(line).toMatch(/^Stepwise is running in browser mode: open http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{40,}$/);
    expect(existsSync(join(started.home, 'workspace.stepwise'))).toBe(true);
    const url = new URL(line.slice(line.indexOf('http')));
    const token = url.hash.replace('#token=', '');
    const response = await fetch(`${url.origin}/api/call/app.info`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(await response.json()).toMatchObject({ ok: true, value: { mode: 'browser', workspaceName: 'workspace.stepwise' } });
  }, 60_000);

  it('npm run serve opens the workspace given with --workspace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-given-'));
    homes.push(dir);
    createExampleWorkspace(join(dir, 'given.stepwise')).close();
    const started = run('scripts/serve.ts', ['--workspace', join(dir, 'given.stepwise'), '--port', '0']);
    const line = await started.urlLine;
    const url = new URL(line.slice(line.indexOf('http')));
    const response = await fetch(`${url.origin}/api/call/app.info`, { method: 'POST', headers: { authorization: `Bearer ${url.hash.replace('#token=', '')}`, 'content-type': 'application/json' }, body: '{}' });
    expect(await response.json()).toMatchObject({ ok: true, value: { workspaceName: 'given.stepwise', workspacePath: join(dir, 'given.stepwise') } });
    expect(existsSync(join(started.home, 'workspace.stepwise'))).toBe(false); // the default one was not created
  }, 60_000);

  it('npm run serve refuses a workspace that does not exist, and bad arguments', async () => {
    const missing = run('scripts/serve.ts', ['--workspace', 'no-such.stepwise']);
    expect(await missing.exited).toBe(1);
    expect(missing.output().err).toContain('There is no workspace at');
    expect(missing.output().err).toContain('workspace init');
    const bad = run('scripts/serve.ts', ['--port', 'eighty']);
    expect(await bad.exited).toBe(1);
    expect(bad.output().err).toContain('--port takes a number');
  }, 60_000);

  it('npm start falls back to browser mode with a one-line reason where Electron cannot start', async () => {
    const started = run('scripts/start.ts', ['--port', '0']);
    const line = await started.urlLine;
    const lines = started.output().out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Electron cannot start here: .+\. Starting browser mode instead\.$/);
    expect(line).toContain('#token=');
    expect(existsSync(join(repoRoot, 'dist', 'electron', 'main.mjs'))).toBe(true);
    expect(existsSync(join(repoRoot, 'dist', 'electron', 'preload.cjs'))).toBe(true);
  }, 60_000);

  it('finds no Electron binary without trying to download one', () => {
    const lookup = findElectron(repoRoot, { DISPLAY: ':0' });
    if (lookup.ok) expect(existsSync(lookup.binary)).toBe(true);
    else expect(lookup.reason).toMatch(/Electron|electron/);
    expect(findElectron(repoRoot, { ELECTRON_OVERRIDE_DIST_PATH: '/nonexistent' })).toEqual({ ok: false, reason: expect.stringContaining('/nonexistent') });
    expect(findElectron('/nonexistent')).toEqual({ ok: false, reason: 'the electron package is not installed' });
  });
});
