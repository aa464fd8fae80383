// Entry point of one sandbox process: a Pyodide interpreter that runs Procedure Python.
//
// Plain JavaScript (no build step) so that it runs under plain `node` in tests, CI and Electron.
// The parent starts it with an empty environment, --disallow-code-generation-from-strings, a V8 heap
// limit and, where available, Node's permission model (read access to Pyodide and this folder only).
// See docs/security.md.
//
// Protocol (IPC, advanced serialization):
//   parent -> child  { type: 'boot', snapshot: Uint8Array | null, makeSnapshot: boolean }   (first, once)
//                    { type: 'job', id, op: 'check' | 'evaluate', payload: string, snippet?: { mode, code } }
//   child -> parent  { type: 'snapshot', bytes: Uint8Array }   (only when asked to make one)
//                    { type: 'ready', bootMs, heapBytes, python, fromSnapshot }
//                    { type: 'boot-error', message }
//                    { type: 'reply', id, body: string, heapBytes, memoryLimitHit, restoring }
//                    { type: 'restored', id }   (after an evaluation: the interpreter is clean again)
//                    { type: 'fatal', id, message, memoryLimitHit }
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { captureCleanState } from './clean-state.mjs';
import { lockModuleLoader, removeDangerousGlobals, shimProcessBinding } from './harden.mjs';
import { installMemoryCap } from './memory-cap.mjs';

const bootStarted = performance.now();

// Everything the child needs from `process` is captured now; the global goes away after boot.
const send = process.send ? process.send.bind(process) : null;
const exit = process.exit.bind(process);
const onProcess = process.on.bind(process);
const onceProcess = process.once.bind(process);
if (!send) {
  throw new Error('sandbox-child.mjs must be started by the sandbox pool (it needs an IPC channel)');
}

function sendThenExit(message, code) {
  try {
    send(message, () => exit(code));
  } catch {
    exit(code);
  }
  setTimeout(() => exit(code), 1_000).unref();
}

function describe(error) {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

const config = JSON.parse(process.argv[2] ?? '{}');
onProcess('disconnect', () => exit(0));
if (typeof config.pyodideDir !== 'string' || typeof config.memoryLimitBytes !== 'number') {
  sendThenExit({ type: 'boot-error', message: 'sandbox child started without a valid configuration' }, 2);
} else {
  onceProcess('message', (message) => {
    boot(message).catch((error) => {
      sendThenExit({ type: 'boot-error', message: describe(error) }, 1);
    });
  });
}

async function boot(bootMessage) {
  if (!bootMessage || bootMessage.type !== 'boot') throw new Error('expected a boot message first');
  const snapshot = bootMessage.snapshot instanceof Uint8Array ? bootMessage.snapshot : null;
  const makeSnapshot = bootMessage.makeSnapshot === true && snapshot === null;

  const here = path.dirname(fileURLToPath(import.meta.url));
  const pythonDir = path.join(here, '..', 'python');
  const memoryCap = installMemoryCap(config.memoryLimitBytes);
  shimProcessBinding(process, fs.constants, os.constants);

  const { loadPyodide } = await import(pathToFileURL(path.join(config.pyodideDir, 'pyodide.mjs')).href);
  const pyodide = await loadPyodide({
    indexURL: config.pyodideDir + path.sep,
    // The `js` module would be globalThis; give it an empty object with no prototype instead.
    jsglobals: Object.create(null),
    env: { PYTHONHASHSEED: '0', HOME: '/home/pyodide', TZ: 'UTC' },
    stdout: () => {},
    stderr: () => {},
    ...(snapshot ? { _loadSnapshot: snapshot } : {}),
    ...(makeSnapshot ? { _makeSnapshot: true } : {}),
  });
  const heap = () => pyodide._module.HEAPU8.length;

  // The runner's files, in the in-memory filesystem (a snapshot holds Python's memory, not the files).
  pyodide.FS.mkdirTree('/stepwise');
  for (const file of fs.readdirSync(pythonDir).filter((name) => name.endsWith('.py'))) {
    pyodide.FS.writeFile(`/stepwise/${file}`, fs.readFileSync(path.join(pythonDir, file), 'utf8'));
  }
  if (!snapshot) {
    // Full start: import and set up the runner. A snapshot already holds it, imported and set up.
    pyodide.runPython('import sys\nsys.path.insert(0, "/stepwise")\nimport sandbox_runner\nsandbox_runner.setup()');
    if (makeSnapshot) {
      // Taken before any job ran: the snapshot holds only Pyodide, the standard library and the runner.
      const bytes = pyodide.makeMemorySnapshot();
      send({ type: 'snapshot', bytes });
    }
  }
  const runner = pyodide.pyimport('sandbox_runner');
  const python = JSON.parse(runner.configure());
  const check = runner.check;
  // The switch lives here, out of Python's reach: code can't turn the policy check off for later jobs.
  const evaluate = config.skipPolicyCheck === true ? runner.evaluate_without_policy_check : runner.evaluate;
  const compileForCache = config.skipPolicyCheck === true ? runner.compile_for_cache_without_policy_check : runner.compile_for_cache;

  // Cut the Python -> JavaScript bridges: no `import js`, no `import pyodide_js`.
  pyodide.unregisterJsModule('js');
  pyodide.unregisterJsModule('pyodide_js');
  pyodide.pyimport('sandbox_harden').harden().destroy();
  // Pyodide's own stdout/stderr go nowhere: code output is collected by the runner itself. A writer
  // that takes whole buffers costs nothing per byte, however much is written.
  const discard = { write: (buffer) => buffer.length, isatty: false };
  pyodide.setStdout(discard);
  pyodide.setStderr(discard);

  lockModuleLoader(Module);
  const leftovers = removeDangerousGlobals(globalThis);
  if (leftovers.length > 0) {
    throw new Error(`could not remove globals: ${leftovers.join(', ')}`);
  }

  // Warm up the paths a conversation takes (first calls compile and import lazily).
  const warmClock = '2024-01-01T12:00:00Z';
  for (const [mode, code] of [
    ['condition', 'attributes["n"] <= 30'],
    ['code', 'from datetime import date\nimport decimal, re, json, math\nattributes["n"] = (today() - date(2023, 12, 1)).days\nreturn {"m": 1}'],
  ]) {
    evaluate(JSON.stringify({ mode, code, attributes: { n: 1 }, data: {}, now: warmClock, printedLimit: 1000 }));
  }
  memoryCap.reset();
  limitCStack(pyodide._module);
  // Taken last, after start-up and warm-up: every evaluation starts from exactly this state.
  const clean = config.isolateEvaluations === false ? null : captureCleanState(pyodide._module, pyodide.FS);

  // Without the restore, the runner's own cache lasts, and code could have changed what compiles.
  const compiled = clean === null ? null : new CompiledSnippets(compileForCache);
  onProcess('message', (message) => handle(message, { check, evaluate, compiled, memoryCap, heap, clean }));
  send({
    type: 'ready',
    bootMs: Math.round(performance.now() - bootStarted),
    heapBytes: heap(),
    python: python.python,
    fromSnapshot: snapshot !== null,
  });
}

/**
 * CPython stops deep C recursion (repr of a nested list, json.loads of "[[[[...", comparisons) by
 * watching its stack. In WebAssembly that is a stack in linear memory which such recursion barely
 * uses, while each level takes far more of the engine's native stack: without this, 10,000 levels
 * overflow the native stack first and Pyodide dies. So Python is told its stack is small (64 KiB from
 * here), and raises RecursionError well before the native stack runs out.
 * @param {any} module the Emscripten module
 */
function limitCStack(module) {
  const PYTHON_C_STACK_BYTES = 64 * 1024;
  const here = module._emscripten_stack_get_current();
  const status = module._PyUnstable_ThreadState_SetStackProtection(module._PyThreadState_Get(), here - PYTHON_C_STACK_BYTES, PYTHON_C_STACK_BYTES);
  if (status !== 0) throw new Error('could not set the Python stack limit');
}

/**
 * Compiled snippets, kept here because the restore after each evaluation wipes the runner's own cache
 * (compiling is most of a warm evaluation's time). Filled only by compile_for_cache, which runs before
 * any code of the job, in an interpreter just restored: what code does can't put anything in here.
 * Python can't reach this object.
 */
class CompiledSnippets {
  static MAX_ENTRIES = 256;
  static MAX_CHARS = 16_000_000;

  /** @param {(mode: string, code: string) => string} compile */
  constructor(compile) {
    this.compile = compile;
    /** @type {Map<string, string>} least recently used first */
    this.entries = new Map();
    this.chars = 0;
  }

  /**
   * The compiled form of a snippet for the runner, or '' to let it compile (and report issues) itself.
   * @param {{ mode: string, code: string } | undefined} snippet
   */
  lookup(snippet) {
    if (!snippet || typeof snippet.mode !== 'string' || typeof snippet.code !== 'string') return '';
    const key = `${snippet.mode}\0${snippet.code}`;
    let compiled = this.entries.get(key);
    if (compiled !== undefined) {
      this.entries.delete(key);
    } else {
      compiled = String(this.compile(snippet.mode, snippet.code));
      this.chars += key.length + compiled.length;
    }
    this.entries.set(key, compiled);
    while (this.entries.size > CompiledSnippets.MAX_ENTRIES || this.chars > CompiledSnippets.MAX_CHARS) {
      const [oldest, value] = this.entries.entries().next().value;
      this.entries.delete(oldest);
      this.chars -= oldest.length + value.length;
    }
    return compiled;
  }
}

function handle(message, runtime) {
  if (!message || message.type !== 'job' || typeof message.id !== 'number' || typeof message.payload !== 'string') {
    return;
  }
  const { id, op, payload } = message;
  runtime.memoryCap.reset();
  try {
    let body;
    if (op === 'check') body = runtime.check(payload);
    else if (op === 'evaluate') body = runtime.evaluate(payload, runtime.compiled?.lookup(message.snippet) ?? '');
    else throw new Error(`unknown job ${String(op)}`);
    // A check never runs the code, so only an evaluation needs the interpreter put back.
    const restoring = op === 'evaluate' && runtime.clean !== null;
    send({
      type: 'reply',
      id,
      body: String(body),
      heapBytes: runtime.heap(),
      memoryLimitHit: runtime.memoryCap.wasHit(),
      restoring,
    });
    if (restoring) {
      // After the reply, so the restore is not in the evaluation's latency; the pool sends this
      // interpreter nothing until it says it is clean.
      runtime.clean.restore();
      send({ type: 'restored', id });
    }
  } catch (error) {
    // A Python exception never reaches here (the runner catches them all); this is Pyodide itself
    // failing, e.g. a fatal error after a stack overflow. The interpreter is not trustworthy any more.
    sendThenExit({ type: 'fatal', id, message: describe(error), memoryLimitHit: runtime.memoryCap.wasHit() }, 70);
  }
}
