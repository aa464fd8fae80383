// Options of the Python sandbox, validated at the boundary.
import { z } from 'zod';

export const sandboxOptionsSchema = z.object({
  /**
   * Most interpreters at once. Each takes about 250 MB of RAM plus what code allocates, so the pool
   * keeps only `minInterpreters` and grows only while evaluations wait.
   */
  poolSize: z.int().min(1).max(16).default(2),
  /** Interpreters kept warm with no work. At most poolSize (a larger value is an error). */
  minInterpreters: z.int().min(1).max(16).default(1),
  /** An interpreter beyond minInterpreters that has had no work for this long is released. */
  idleReleaseMs: z.int().min(10).max(86_400_000).default(60_000),
  /** Cap on each interpreter's Python heap (WebAssembly memory), in MB. Past it, code gets MemoryError. */
  memoryLimitMb: z.int().min(64).max(4_096).default(256),
  /** Cap on each interpreter's JavaScript heap (V8 old space), in MB. */
  jsHeapLimitMb: z.int().min(32).max(4_096).default(128),
  /** Time limit of an evaluation when the request gives none. */
  defaultTimeoutMs: z.int().min(10).max(60_000).default(1_000),
  /** Longest text kept from print() per evaluation, in characters. */
  printedLimitChars: z.int().min(0).max(1_000_000).default(65_536),
  /** How long a new interpreter may take to start before it is abandoned. */
  startupTimeoutMs: z.int().min(1_000).max(300_000).default(30_000),
  /** Replace an interpreter after this many jobs (bounds slow leaks). */
  recycleAfterJobs: z.int().min(1).default(5_000),
  /** Replace an interpreter whose Python heap grew past this many MB. Default: 60% of memoryLimitMb. */
  recycleAboveMb: z.int().min(1).optional(),
  /**
   * Start replacement interpreters from a memory snapshot of the first one, taken before it ran any
   * code (about 0.4 s instead of 3 s). Falls back to full starts if a snapshot can't be made or used.
   */
  useSnapshot: z.boolean().default(true),
  /** The node binary that runs interpreters. In Electron: process.execPath with ELECTRON_RUN_AS_NODE=1. */
  nodeExecutable: z.string().min(1).optional(),
  /** Environment of the interpreter processes. Empty by default: they hold no secrets. */
  env: z.record(z.string(), z.string()).default({}),
  /** Node's permission model (read access to Pyodide and the sandbox's own files only). */
  permissionModel: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Folder of the `pyodide` npm package. Default: resolved from node_modules. */
  pyodideDir: z.string().min(1).optional(),
  /**
   * Put each interpreter back to its clean state after every evaluation, so that nothing one
   * evaluation does can be seen by the next (see docs/security.md). Turning it off is for the
   * benchmark that measures what isolation costs, and for the test that proves the isolation test can
   * fail; never in the app.
   */
  isolateEvaluations: z.boolean().default(true),
  /**
   * Tests only: start interpreters without the static policy check (layer 1), to prove that the
   * process layer holds on its own. Never set this in the app.
   */
  disablePolicyCheckForTesting: z.boolean().default(false),
});

export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;
export type ResolvedSandboxOptions = z.output<typeof sandboxOptionsSchema>;

export function parseSandboxOptions(options: SandboxOptions | undefined): ResolvedSandboxOptions {
  const parsed = sandboxOptionsSchema
    .refine((o) => o.minInterpreters <= o.poolSize, {
      message: 'minInterpreters must not be larger than poolSize',
      path: ['minInterpreters'],
    })
    .safeParse(options ?? {});
  if (!parsed.success) {
    throw new TypeError(`Invalid Python sandbox options: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
