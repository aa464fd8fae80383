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

describe('an elastic pool', () => {
  it('refuses a minimum larger than the pool', () => {
    expect(() => createPythonSandbox({ poolSize: 1, minInterpreters: 2 })).toThrow(/minInterpreters must not be larger than poolSize/);
  });

  it('starts one interpreter, grows while work waits, releases the idle one, never goes below one, and stays isolated', async () => {
    const idleReleaseMs = 1_500;
    // The policy check is off so that an evaluation can plant state (see attacks-isolation.test.ts):
    // what must keep it from the next evaluation is the restore, on every interpreter.
    const sandbox = createPythonSandbox({ poolSize: 2, idleReleaseMs, disablePolicyCheckForTesting: true });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      // At rest: one interpreter, and it stays one (it is the minimum, never released).
      await waitFor(() => sandbox.stats().ready === 1, 30_000, 'the first interpreter');
      await sleep(idleReleaseMs + 500);
      expect(sandbox.stats()).toMatchObject({ ready: 1, starting: 0, released: 0 });
      const [firstPid] = sandbox.pids();
      expect(sandbox.pids()).toHaveLength(1);

      // A burst: while evaluations wait, a second interpreter starts and takes its share.
      const slow = request({ code: 'n = 0\nfor i in range(200_000):\n    n += i', timeoutMs: 20_000 });
      const burst: Array<ReturnType<typeof sandbox.evaluate>> = [];
      const started = Date.now();
      while (sandbox.stats().ready < 2 && Date.now() - started < 30_000) {
        while (sandbox.stats().queued < 4) burst.push(sandbox.evaluate(slow));
        await sleep(20);
      }
      expect(sandbox.stats().ready).toBe(2);
      for (const result of await Promise.all(burst)) expectOk(result);
      expect(sandbox.pids()).toHaveLength(2);
      expect(sandbox.pids()).toContain(firstPid);

      // Isolation holds on both, the grown one included: a planted attribute is gone afterwards.
      const plant = request({ code: 'today.planted = 1\nprint(hasattr(today, "planted"))' });
      const look = request({ code: 'print(hasattr(today, "planted"))' });
      const planted = await sandbox.evaluateOnEach(plant);
      expect(planted.map((run) => expectOk(run.result).printed)).toEqual(['True\n', 'True\n']);
      const looked = await sandbox.evaluateOnEach(look);
      expect(looked.map((run) => expectOk(run.result).printed)).toEqual(['False\n', 'False\n']);

      // No more work: after the idle period one interpreter is let go (and its process ends), not replaced.
      const both = sandbox.pids();
      await waitFor(() => sandbox.stats().released === 1 && sandbox.stats().ready === 1, 10_000, 'an idle interpreter to be released');
      const gone = both.find((pid) => !sandbox.pids().includes(pid))!;
      await waitFor(() => {
        try {
          process.kill(gone, 0);
          return false;
        } catch {
          return true;
        }
      }, 5_000, 'the released process to end');
      expect(sandbox.stats()).toMatchObject({ replaced: 0, starting: 0 });

      // Never below one, however long it stays idle; isolation still holds on the one that is left.
      await sleep(idleReleaseMs * 2);
      expect(sandbox.stats()).toMatchObject({ ready: 1, released: 1 });
      expect(expectOk(await sandbox.evaluate(plant)).printed).toBe('True\n');
      expect(expectOk(await sandbox.evaluate(look)).printed).toBe('False\n');
      expect(sandbox.pids()).toHaveLength(1); // back-to-back work waits for the restore, it doesn't grow the pool

      // After a kill the pool is whole again (one interpreter), and it answers.
      const last = sandbox.pids()[0]!;
      process.kill(last, 'SIGKILL');
      await waitFor(() => sandbox.stats().replaced === 1 && sandbox.stats().ready === 1, 30_000, 'a replacement');
      expect(sandbox.pids()).not.toContain(last);
      expect(expectOk(await sandbox.evaluate(condition('1 + 1 == 2'))).value).toBe(true);
      expect(sandbox.pids()).toHaveLength(1);

      // ready() asks for the full pool again, and gets it.
      await sandbox.ready();
      expect(sandbox.stats()).toMatchObject({ ready: 2, starting: 0 });
      expect(sandbox.pids()).toHaveLength(2);
    } finally {
      await sandbox.close();
    }
  }, 120_000);
});
