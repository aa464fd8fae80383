// The restore after each evaluation, checked byte for byte: an evaluation with full Python changes the
// runner, the standard library, the heap (it grows memory) and the file descriptors; after the restore
// the interpreter's memory is exactly the clean state again and it answers as before. Runs Pyodide in
// this process, set up the way the child sets it up (without the process lockdown, tested elsewhere).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHILD_ENTRY, PYTHON_DIR, resolvePyodideDir } from '../../main/sandbox/launch';

interface CleanState {
  restore(): void;
  differences(): number;
  bytes: number;
  layoutKnown: boolean;
}
type Callable = (...args: string[]) => string;

let clean: CleanState;
let evaluate: Callable;
let openStreams: () => number;

const request = (code: string, mode: 'code' | 'condition' = 'code', attributes: Record<string, unknown> = {}) =>
  JSON.stringify({ mode, code, attributes, data: {}, now: '2024-05-10T09:30:00Z', printedLimit: 10_000 });

beforeAll(async () => {
  const pyodideDir = resolvePyodideDir();
  const { loadPyodide } = (await import(pathToFileURL(path.join(pyodideDir, 'pyodide.mjs')).href)) as {
    loadPyodide(options: object): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep, jsglobals: Object.create(null), stdout: () => {}, stderr: () => {} });
  pyodide.FS.mkdirTree('/stepwise');
  for (const file of readdirSync(PYTHON_DIR).filter((name) => name.endsWith('.py'))) {
    pyodide.FS.writeFile(`/stepwise/${file}`, readFileSync(path.join(PYTHON_DIR, file), 'utf8'));
  }
  pyodide.runPython('import sys\nsys.path.insert(0, "/stepwise")\nimport sandbox_runner\nsandbox_runner.setup()');
  const runner = pyodide.pyimport('sandbox_runner');
  runner.configure();
  evaluate = runner.evaluate_without_policy_check;
  evaluate(request('attributes["n"] = 1'));
  const { captureCleanState } = (await import(pathToFileURL(path.join(path.dirname(CHILD_ENTRY), 'clean-state.mjs')).href)) as {
    captureCleanState(module: unknown, fs: unknown): CleanState;
  };
  clean = captureCleanState(pyodide._module, pyodide.FS);
  openStreams = () => (pyodide.FS.streams as unknown[]).filter(Boolean).length;
}, 60_000);

describe('the restore after an evaluation', () => {
  it('gives back exactly the clean memory, whatever the evaluation changed', () => {
    expect(clean.layoutKnown).toBe(true);
    expect(clean.differences()).toBe(0);
    const streams = openStreams();
    const attack = [
      'sys = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "catch_warnings"][0]()._module.sys',
      'json = sys.modules["json"]',
      'json.dumps = lambda *args, **kwargs: "forged"',
      'frame = sys._getframe()',
      'while "_reply" not in frame.f_globals:',
      '    frame = frame.f_back',
      'frame.f_globals["_kept"].append(b"x" * 50_000_000)',
      'kept_open = sys.modules["builtins"].open("/stepwise/sandbox_runner.py")',
      'frame.f_globals["_kept"].append(kept_open)',
    ].join('\n');
    expect(evaluate(request(attack))).toBe('forged'); // its own reply is forged: full Python
    expect(clean.differences()).toBeGreaterThan(50_000_000); // so that this test can fail
    expect(openStreams()).toBe(streams + 1);

    clean.restore();
    expect(clean.differences()).toBe(0);
    expect(openStreams()).toBe(streams);
    const reply = JSON.parse(evaluate(request('attributes["days"] <= 30', 'condition', { days: 45 }))) as { ok: boolean; value: boolean };
    expect(reply).toMatchObject({ ok: true, value: false });
    clean.restore();
    expect(clean.differences()).toBe(0);
  });
});
