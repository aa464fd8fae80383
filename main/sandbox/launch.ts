// How an interpreter process is started: the node flags, the environment and the file access it gets.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedSandboxOptions } from './options';

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Whether Node's permission model restricts the process. */
  permissionModel: boolean;
}

const SANDBOX_DIR = path.dirname(fileURLToPath(import.meta.url));
export const CHILD_ENTRY = path.join(SANDBOX_DIR, 'child', 'sandbox-child.mjs');
export const PYTHON_DIR = path.join(SANDBOX_DIR, 'python');

export function resolvePyodideDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('pyodide/package.json'));
}

/** The permission flag the running node understands, if any. */
export function permissionFlag(): string | null {
  const flags = process.allowedNodeEnvironmentFlags;
  if (flags.has('--permission')) return '--permission';
  if (flags.has('--experimental-permission')) return '--experimental-permission';
  return null;
}

/**
 * Node flags for a locked-down process. `readable` lists the only paths it may read; it may not write,
 * start processes or workers, or load native addons.
 */
export function lockdownFlags(options: {
  jsHeapLimitMb: number;
  permission: string | null;
  readable: string[];
}): string[] {
  const flags = [
    '--no-warnings',
    '--disallow-code-generation-from-strings',
    '--disable-proto=delete',
    `--max-old-space-size=${options.jsHeapLimitMb}`,
  ];
  if (options.permission) {
    flags.push(options.permission);
    // One flag per path: Node 20.20 no longer accepts a comma-separated list.
    for (const readable of options.readable) flags.push(`--allow-fs-read=${readable}`);
  }
  return flags;
}

export function buildLaunchSpec(options: ResolvedSandboxOptions): LaunchSpec {
  const command = options.nodeExecutable ?? process.execPath;
  const pyodideDir = options.pyodideDir ?? resolvePyodideDir();
  if (!existsSync(path.join(pyodideDir, 'pyodide.mjs')) || !existsSync(path.join(pyodideDir, 'pyodide.asm.wasm'))) {
    throw new Error(`Pyodide was not found in ${pyodideDir} (pyodide.mjs or pyodide.asm.wasm is missing); install the pyodide package`);
  }
  let permission: string | null;
  if (options.permissionModel === 'off') permission = null;
  else if (options.permissionModel === 'on') permission = permissionFlag() ?? '--experimental-permission';
  else permission = command === process.execPath ? permissionFlag() : null;

  const config = {
    pyodideDir,
    memoryLimitBytes: options.memoryLimitMb * 1024 * 1024,
    skipPolicyCheck: options.disablePolicyCheckForTesting,
    isolateEvaluations: options.isolateEvaluations,
  };
  const args = [
    ...lockdownFlags({
      jsHeapLimitMb: options.jsHeapLimitMb,
      permission,
      readable: [pyodideDir, path.dirname(CHILD_ENTRY), PYTHON_DIR],
    }),
    CHILD_ENTRY,
    JSON.stringify(config),
  ];
  const env: Record<string, string> = { ...options.env };
  if (process.platform === 'win32' && process.env.SYSTEMROOT && !env.SYSTEMROOT) {
    env.SYSTEMROOT = process.env.SYSTEMROOT; // Windows can't start a process without it.
  }
  return { command, args, env, cwd: pyodideDir, permissionModel: permission !== null };
}
