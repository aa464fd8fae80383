// Layer 2 on its own, without Pyodide: a process started the way the sandbox starts its interpreters
// can't read host files, write, start processes, generate code from strings or see the environment,
// and the child's own hardening (memory cap, module loader lock, globals removal) does what it says.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLaunchSpec, CHILD_ENTRY, lockdownFlags, permissionFlag, resolvePyodideDir } from '../../main/sandbox/launch';
import { parseSandboxOptions } from '../../main/sandbox/options';

const here = path.dirname(fileURLToPath(import.meta.url));
const probe = path.join(here, 'fixtures', 'lockdown-probe.mjs');
const childDir = path.dirname(CHILD_ENTRY);
const repoFile = path.resolve(here, '../../package.json');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'stepwise-lockdown-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Attempt {
  ok: boolean;
  value?: unknown;
  error?: string;
}

function runProbe(flags: string[]): Record<string, Attempt> & { leftoverGlobals: string[]; presentGlobals: string[] } {
  const target = path.join(scratch, `written-${Math.random().toString(36).slice(2)}`);
  const out = execFileSync(process.execPath, [...flags, probe, childDir, repoFile, target], { env: {}, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

describe('the locked-down node process', () => {
  const permission = permissionFlag();

  it('runs on a node that has the permission model', () => {
    expect(permission).not.toBeNull();
  });

  let results: ReturnType<typeof runProbe>;
  beforeAll(() => {
    results = runProbe(lockdownFlags({ jsHeapLimitMb: 64, permission, readable: [path.dirname(probe), childDir] }));
  });

  it('cannot read host files outside the folders it was given', () => {
    expect(results.readHostFile).toEqual({ ok: false, error: 'ERR_ACCESS_DENIED' });
  });

  it('cannot write files', () => {
    expect(results.writeFile).toEqual({ ok: false, error: 'ERR_ACCESS_DENIED' });
  });

  it('cannot start processes', () => {
    expect(results.spawnProcess).toEqual({ ok: false, error: 'ERR_ACCESS_DENIED' });
  });

  it('cannot generate code from strings', () => {
    expect(results.newFunction).toEqual({ ok: false, error: 'EvalError' });
    expect(results.indirectEval).toEqual({ ok: false, error: 'EvalError' });
  });

  it('has no __proto__ accessor', () => {
    expect(results.protoAccessor).toEqual({ ok: true, value: false });
  });

  it('starts with an empty environment', () => {
    expect(results.environment).toEqual({ ok: true, value: [] });
  });

  it('caps WebAssembly memory growth and remembers that the cap was hit', () => {
    expect(results.memoryCap).toEqual({ ok: true, value: { hit: true, error: 'RangeError', pages: 3 } });
  });

  it('refuses every require() once the loader is locked', () => {
    expect(results.requireAfterLock).toEqual({ ok: false, error: 'Error' });
  });

  it('removes the dangerous globals', () => {
    expect(results.leftoverGlobals).toEqual([]);
    expect(results.presentGlobals).toEqual([]);
  });

  it('proves the probe itself works: without the flags, the same attempts succeed', () => {
    const open = runProbe([]);
    expect(open.readHostFile!.ok).toBe(true);
    expect(open.spawnProcess!.ok).toBe(true);
    expect(open.newFunction).toEqual({ ok: true, value: 1 });
    expect(open.protoAccessor).toEqual({ ok: true, value: true });
  });
});

describe('buildLaunchSpec', () => {
  it('starts interpreters locked down, with an empty environment and read access to Pyodide and the sandbox only', () => {
    const spec = buildLaunchSpec(parseSandboxOptions({ memoryLimitMb: 200, jsHeapLimitMb: 96 }));
    expect(spec.env).toEqual({});
    expect(spec.permissionModel).toBe(true);
    expect(spec.args).toEqual(
      expect.arrayContaining([
        '--disallow-code-generation-from-strings',
        '--disable-proto=delete',
        '--max-old-space-size=96',
        `--allow-fs-read=${resolvePyodideDir()}`,
        `--allow-fs-read=${childDir}`,
      ]),
    );
    expect(spec.args.filter((arg) => arg.startsWith('--allow-fs-read='))).toHaveLength(3);
    expect(spec.args.some((arg) => /--allow-(fs-write|child-process|worker|addons)/.test(arg))).toBe(false);
    const config = JSON.parse(spec.args.at(-1)!);
    expect(config).toMatchObject({ memoryLimitBytes: 200 * 1024 * 1024, skipPolicyCheck: false });
    expect(existsSync(CHILD_ENTRY)).toBe(true);
  });

  it('can be told not to use the permission model (e.g. a node without it)', () => {
    const spec = buildLaunchSpec(parseSandboxOptions({ permissionModel: 'off' }));
    expect(spec.permissionModel).toBe(false);
    expect(spec.args.some((arg) => arg.includes('permission') || arg.startsWith('--allow-fs-read'))).toBe(false);
    expect(spec.args).toContain('--disallow-code-generation-from-strings');
  });
});
