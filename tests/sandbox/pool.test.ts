// The pool's own behaviour: start failures give clear errors, conversation work goes before editor
// work, interpreters are recycled after a number of jobs, a crashed interpreter costs only its own
// evaluation, and close() leaves no process behind.
import { describe, expect, it } from 'vitest';
import { createPythonSandbox, SandboxUnavailableError } from '../../main/sandbox/index';
import { condition, expectError, expectOk, request, waitFor } from './helpers';

describe('when interpreters cannot start', () => {
  it('refuses a missing Pyodide at once', () => {
    expect(() => createPythonSandbox({ pyodideDir: '/nonexistent/pyodide' })).toThrow(
      'Pyodide was not found in /nonexistent/pyodide (pyodide.mjs or pyodide.asm.wasm is missing); install the pyodide package',
    );
  });

  it('says so clearly, everywhere, when the interpreter process fails to start', async () => {
    const sandbox = createPythonSandbox({ poolSize: 1, nodeExecutable: '/nonexistent/node' });
    try {
      await expect(sandbox.ready()).rejects.toThrow('could not start the Python interpreter (/nonexistent/node): spawn /nonexistent/node ENOENT');
      const result = await sandbox.evaluate(condition('True'));
      expect(expectError(result, 'crash').message).toMatch(
        /^The Python sandbox can't run code right now: the Python sandbox could not start: could not start the Python interpreter/,
      );
      await expect(sandbox.check('x = 1', 'code')).rejects.toThrow(SandboxUnavailableError);
    } finally {
      await sandbox.close();
    }
  });
});

describe('a pool of one', () => {
  it('serves conversations before the editor, recycles after N jobs, replaces a crashed interpreter and closes cleanly', async () => {
    const sandbox = createPythonSandbox({ poolSize: 1, recycleAfterJobs: 4 });
    try {
      await sandbox.ready();
      const firstPid = sandbox.pids()[0]!;

      // Occupy the only interpreter, then queue editor work before a conversation evaluation.
      const order: string[] = [];
      const busy = sandbox.tryIt(request({ code: 'n = 0\nfor i in range(2_000_000):\n    n += i', timeoutMs: 20_000 })).then(() => order.push('busy'));
      const editor = [1, 2].map((i) => sandbox.tryIt(request({ code: `x = ${i}` })).then(() => order.push(`editor ${i}`)));
      const conversation = sandbox.evaluate(condition('1 < 2')).then((r) => {
        order.push('conversation');
        return r;
      });
      expect(expectOk(await conversation).value).toBe(true);
      await Promise.all([busy, ...editor]);
      expect(order).toEqual(['busy', 'conversation', 'editor 1', 'editor 2']);

      // Four jobs done: the interpreter is replaced (from the snapshot) and the next job still works.
      await waitFor(() => sandbox.stats().replaced === 1 && sandbox.stats().ready === 1, 30_000, 'a recycled interpreter');
      expect(sandbox.pids()[0]).not.toBe(firstPid);
      expect(expectOk(await sandbox.evaluate(condition('today().year == 2024'))).value).toBe(true);

      // A crash from outside (say, the OS killing the process): only the running evaluation fails.
      const crashedPid = sandbox.pids()[0]!;
      const running = sandbox.evaluate(request({ code: 'while True:\n    pass', timeoutMs: 20_000 }));
      await waitFor(() => sandbox.stats().busy === 1, 5_000, 'the evaluation to start');
      process.kill(crashedPid, 'SIGKILL');
      expect(expectError(await running, 'crash').message).toMatch(
        /^The Python interpreter stopped unexpectedly while running this code, and has been replaced \(the Python interpreter was killed \(SIGKILL\)\)/,
      );
      expect(expectOk(await sandbox.evaluate(condition('1 + 1 == 2'))).value).toBe(true);
      expect(sandbox.pids()).not.toContain(crashedPid);

      const pids = sandbox.pids();
      await sandbox.close();
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
      expect(expectError(await sandbox.evaluate(condition('True')), 'crash').message).toBe(
        "The Python sandbox can't run code right now: the Python sandbox is closed",
      );
      await expect(sandbox.ready()).rejects.toThrow('the Python sandbox is closed');
    } finally {
      await sandbox.close();
    }
  });
});
