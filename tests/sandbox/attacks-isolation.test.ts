// The attacks of issue 13: one line of allowed Python that reached the host's globals, the policy
// switch, the bridge brought back through _imp, a runner patched to forge or spy on later evaluations,
// classes through type(type(1)), values nested too deeply, and returned keys like "__proto__".
//
// Each runs with every layer on, and again with the policy check off and full Python, where what must
// hold is what lies below it: withheld members, the run-time checks, and above all the restore of the
// interpreter after every evaluation. A control with the restore off shows that the persistence attack
// is real, so that its test can fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonSandbox, type EvaluationRequest, type PythonSandbox } from '../../main/sandbox/index';
import { condition, expectError, expectHealthy, expectOk, request, useSandboxWithEveryLayer } from './helpers';

type Kind = Extract<Awaited<ReturnType<PythonSandbox['evaluate']>>, { ok: false }>['error']['kind'];

async function refusedWith(sandbox: PythonSandbox, req: EvaluationRequest, kind: Kind, message: RegExp): Promise<string> {
  const error = expectError(await sandbox.evaluate(req), kind);
  expect(error.message).toMatch(message);
  expect(error.message).not.toContain('[object Object]');
  return error.message;
}

/** The red team's line: copies the globals of the host function today() into the snippet's own. */
const COPY_TODAY_GLOBALS = 'import functools\ndef f():\n    pass\nfunctools.update_wrapper(f, today, assigned=(), updated=("__globals__",))';
/** With the host's globals copied, this was real exec: it switched the policy off and forged replies. */
const FORGE_WITH_REAL_EXEC = [
  'sys.modules["builtins"].exec("""',
  'import sys',
  'r = sys.modules["sandbox_runner"]',
  'r._state["skip_policy"] = True',
  'r._cache.clear()',
  'original = r._reply',
  'def forged(run, body, original=original):',
  '    if body.get("ok") and body.get("value") is False:',
  '        body["value"] = True',
  '    return original(run, body)',
  'r._reply = forged',
  '""")',
].join('\n');

const LATE = condition('attributes["days_since_delivery"] <= 30', { attributes: { days_since_delivery: 45 } });

describe('with every layer on', () => {
  const POOL_SIZE = 2;
  const sandbox = useSandboxWithEveryLayer(POOL_SIZE);

  it('refuses functools.update_wrapper and functools.wraps copying a host function\'s globals', async () => {
    await refusedWith(sandbox, request({ code: `${COPY_TODAY_GLOBALS}\n${FORGE_WITH_REAL_EXEC}` }), 'policy', /functools\.update_wrapper isn't available: it copies functions' internals by name/);
    await refusedWith(
      sandbox,
      request({ code: 'import functools, statistics\ndef f():\n    pass\nfunctools.wraps(statistics.mean, assigned=(), updated=("__globals__",))(f)\nprint(sys.modules)' }),
      'policy',
      /functools\.wraps isn't available/,
    );
    await refusedWith(sandbox, request({ code: 'from functools import update_wrapper' }), 'policy', /functools\.update_wrapper isn't available/);
    await refusedWith(sandbox, request({ code: 'from functools import singledispatch' }), 'policy', /evaluates type annotations as code/);
    await refusedWith(sandbox, request({ code: 'x = ("__glob" "als__",)' }), 'policy', /The text '__globals__' names an internal of Python/);
    await expectHealthy(sandbox, POOL_SIZE);
  });

  it('offers no member that copies internals by name, at run time too', async () => {
    const result = expectOk(await sandbox.evaluate(request({ code: 'import functools\nprint(sorted(name for name in dir(functools) if not name.startswith("_")))' })));
    expect(result.printed).toBe("['cache', 'cmp_to_key', 'lru_cache', 'partial', 'reduce']\n");
    // The allowed ones still work.
    const used = expectOk(await sandbox.evaluate(request({ code: 'import functools\nattributes["refund_amount"] = functools.reduce(lambda a, b: a + b, [1, 2, 3])' })));
    expect(used.attributeWrites).toEqual({ refund_amount: 6 });
  });

  it('can\'t have the policy switched off or later replies forged', async () => {
    const runs = await sandbox.evaluateOnEach(request({ code: `${COPY_TODAY_GLOBALS}\n${FORGE_WITH_REAL_EXEC}` }));
    for (const run of runs) expectError(run.result, 'policy');
    for (const run of await sandbox.evaluateOnEach(LATE)) expect(expectOk(run.result).value).toBe(false);
    const issues = await sandbox.check('import os', 'code');
    expect(issues[0]?.message).toMatch(/'os' can't be imported in a Procedure/);
  });

  it('refuses classes made through type(type(1)), in the policy and at run time', async () => {
    await refusedWith(sandbox, request({ code: 'Evil = type(type(1))("Evil", (), {})' }), 'policy', /type\(type\(\.\.\.\)\) gives the class of classes/);
    await refusedWith(sandbox, request({ code: 't = type\nmeta = t(t(1))\nEvil = meta("Evil", (), {})' }), 'runtime', /^Line 2: TypeError: type\(\) of a class isn't available in a Procedure/);
    await refusedWith(sandbox, request({ code: 'import re\nt = type\nt(re.RegexFlag)' }), 'runtime', /type\(\) of a class isn't available/);
    expect(expectOk(await sandbox.evaluate(condition('type(attributes["n"]) == int', { attributes: { n: 1 } }))).value).toBe(true);
  });

  it('gives a clear error for values nested too deeply, and keeps the interpreter', async () => {
    const replaced = sandbox.stats().replaced;
    await refusedWith(sandbox, request({ code: 'import json\nv = json.loads("[" * 10**6 + "]" * 10**6)', timeoutMs: 10_000 }), 'runtime', /^Line 2: The code called itself too many times, or worked on a value nested too deeply/);
    const deep = 'x = []\nfor i in range(200_000):\n    x = [x]\n';
    await refusedWith(sandbox, request({ code: `${deep}return {"skus": x}`, timeoutMs: 10_000 }), 'type', /^Line 4: The returned dict holds a value nested too deeply/);
    await refusedWith(sandbox, request({ code: `${deep}attributes["skus"] = x`, timeoutMs: 10_000 }), 'type', /^Line 4: Attribute 'skus' was set to a value nested too deeply/);
    await refusedWith(sandbox, request({ code: `${deep}return x`, timeoutMs: 10_000 }), 'type', /but this one returned a list \(nested too deeply to show\)/);
    await refusedWith(sandbox, request({ code: `${deep}print(x)`, timeoutMs: 10_000 }), 'runtime', /^Line 4: .*nested too deeply/);
    await refusedWith(sandbox, request({ code: `${deep}import json\njson.dumps(x)`, timeoutMs: 10_000 }), 'runtime', /nested too deeply/);
    expect(sandbox.stats().replaced).toBe(replaced); // no interpreter died
    await expectHealthy(sandbox, POOL_SIZE);
  });

  it('refuses returned keys that would reach JavaScript prototypes', async () => {
    const declared = [{ name: 'customer', type: 'object' as const }];
    const attributes = { customer: { tier: 'gold' } };
    for (const key of ['customer.__proto__.isAdmin', 'customer.constructor.prototype.isAdmin', 'customer.prototype']) {
      const message = await refusedWith(sandbox, request({ code: `key = "${key}"\nreturn {key: True}`, declared, attributes }), 'type', /^Line 2: The returned key/);
      expect(message).toContain(`'${key}'`);
      expect(message).toMatch(/'(__proto__|constructor|prototype)'/);
    }
    // Nested in a dict merged into an object attribute (built at run time, past the policy's text check).
    await refusedWith(
      sandbox,
      request({ code: 'return {"customer": {"__pro" + "to__": {"isAdmin": True}}}', declared, attributes }),
      'type',
      /^Line 1: The returned dict for attribute 'customer' holds the key '__proto__'/,
    );
    expect(Object.prototype).not.toHaveProperty('isAdmin');
  });
});

/** Full Python: the real sys and __import__, reached without any import statement (policy off). */
const ESCAPE = [
  'sys = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "catch_warnings"][0]()._module.sys',
  'builtins = sys.modules["builtins"]',
  'real_import = builtins.__import__',
].join('\n');

/** Finds the runner through the frames, patches its reply and its Attributes, and turns its policy off. */
const PATCH_RUNNER = [
  ESCAPE,
  'frame = sys._getframe()',
  'while frame is not None and "_reply" not in frame.f_globals:',
  '    frame = frame.f_back',
  'runner = frame.f_globals',
  'stolen = runner.setdefault("stolen_by_attacker", [])',
  'original_reply = runner["_reply"]',
  'def forged(run, body):',
  '    if body.get("ok"):',
  '        if body.get("value") is False:',
  '            body["value"] = True',
  '        if "refund_amount" in body.get("attributes", {}):',
  '            body["attributes"]["refund_amount"] = 9999',
  '    return original_reply(run, body)',
  'runner["_reply"] = forged',
  'original_attributes = runner["Attributes"]',
  'runner["Attributes"] = lambda values, run: (stolen.append(dict(values)), original_attributes(values, run))[1]',
  'ast_module = real_import("ast")',
  'runner["parse"] = lambda code, mode: (ast_module.parse(code, mode="eval" if mode == "condition" else "exec"), [])',
  'runner["_state"]["skip_policy"] = True',
  'runner["_cache"].clear()',
  'print("patched")',
].join('\n');

const COLLECT = [
  ESCAPE,
  'frame = sys._getframe()',
  'while frame is not None and "_reply" not in frame.f_globals:',
  '    frame = frame.f_back',
  'print(repr(frame.f_globals.get("stolen_by_attacker")))',
].join('\n');

const VICTIM_CUSTOMER = { email: 'victim@example.com', address: '1 Victim Street' };

interface Persistence {
  lateCondition: boolean[];
  refund: unknown[];
  policyIssue: string | undefined;
  collected: string[];
}

/** The attacker patches every interpreter, other Procedures run, the attacker comes back for the loot. */
async function persistenceAttack(sandbox: PythonSandbox): Promise<Persistence> {
  const slow = { timeoutMs: 10_000 };
  for (const run of await sandbox.evaluateOnEach(request({ code: PATCH_RUNNER, ...slow }))) {
    expect(expectOk(run.result).printed).toBe('patched\n'); // the attack itself works: full Python
  }
  const lateCondition: boolean[] = [];
  const refund: unknown[] = [];
  for (let i = 0; i < 3; i++) {
    lateCondition.push(expectOk(await sandbox.evaluate(LATE)).value as boolean);
    const written = expectOk(await sandbox.evaluate(request({ code: 'attributes["refund_amount"] = 10' })));
    refund.push(written.attributeWrites.refund_amount);
    expectOk(await sandbox.evaluate(request({ code: 'attributes["verified"] = True', attributes: { customer: VICTIM_CUSTOMER } })));
  }
  const issues = await sandbox.check('import os', 'code');
  const collected = (await sandbox.evaluateOnEach(request({ code: COLLECT, ...slow }))).map((run) => expectOk(run.result).printed);
  return { lateCondition, refund, policyIssue: issues[0]?.message, collected };
}

describe('with the policy check off (full Python)', () => {
  describe.each([2, 1])('a pool of %i, every evaluation restored', (poolSize) => {
    let sandbox: PythonSandbox;

    beforeAll(async () => {
      sandbox = createPythonSandbox({ poolSize, memoryLimitMb: 160, disablePolicyCheckForTesting: true });
      await sandbox.ready();
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    it('keeps nothing an evaluation did: no forged results, no switched-off policy, nothing collected', async () => {
      const outcome = await persistenceAttack(sandbox);
      expect(outcome.lateCondition).toEqual([false, false, false]);
      expect(outcome.refund).toEqual([10, 10, 10]);
      expect(outcome.policyIssue).toMatch(/'os' can't be imported in a Procedure/);
      expect(outcome.collected).toEqual(Array(poolSize).fill('None\n'));
      expect(sandbox.stats().replaced).toBe(0); // restored, not replaced
    });

    if (poolSize === 2) {
      it('hands code no host function whose globals lead anywhere', async () => {
        const code = [
          'import datetime',
          'names = sorted(today.__globals__)',
          'modules = [k for k, v in today.__globals__.items() if type(v).__name__ == "module"]',
          'print(names, modules, now.__globals__ is today.__globals__, datetime.date.today.__func__.__globals__ is today.__globals__)',
        ].join('\n');
        const result = expectOk(await sandbox.evaluate(request({ code })));
        expect(result.printed).toBe(
          "['__builtins__', '__name__', '_current', '_moment', '_utc', 'frozen_now', 'frozen_today_date', 'frozen_today_datetime', 'frozen_utcnow', 'now', 'today'] [] True True\n",
        );
        const builtins = expectOk(await sandbox.evaluate(request({ code: 'print(sorted(today.__globals__["__builtins__"]))' })));
        expect(builtins.printed).toBe("['RuntimeError']\n");
        // Everything else the runner hands to code: builtins it replaced, attributes, data, module facades.
        const handed = [
          'import functools',
          'functions = [print.__func__, getattr, hasattr, type, __builtins__["__import__"], type(attributes).__setitem__,',
          '             type(attributes).__missing__, type(data).__missing__, type(functools).__setattr__]',
          'bad = sorted({k for f in functions for k, v in f.__globals__.items() if v.__class__.__name__ == "module" or k in ("sys", "builtins")})',
          'print(bad, len(functions))',
        ].join('\n');
        expect(expectOk(await sandbox.evaluate(request({ code: handed }))).printed).toBe('[] 9\n');
      });

      it('refuses writes to function internals at run time, and forgets the rest with the evaluation', async () => {
        await refusedWith(sandbox, request({ code: 'today.__globals__ = {}' }), 'runtime', /AttributeError: readonly attribute|AttributeError: .*__globals__/);
        await refusedWith(sandbox, request({ code: 'today.__closure__ = None' }), 'runtime', /AttributeError: readonly attribute|AttributeError: .*__closure__/);
        await refusedWith(sandbox, request({ code: 'today.__code__ = (lambda: 1).__code__' }), 'runtime', /PermissionError: Procedures can't change '__code__' of a function/);
        await refusedWith(sandbox, request({ code: 'print.__func__.__kwdefaults__ = {}' }), 'runtime', /PermissionError: Procedures can't change '__kwdefaults__'/);
        // CPython has no audit event for a function's __dict__: the write works, and is gone afterwards.
        for (const run of await sandbox.evaluateOnEach(request({ code: 'today.__dict__["planted"] = 1\ntoday.also = 2\nprint(sorted(today.__dict__))' }))) {
          expect(expectOk(run.result).printed).toBe("['also', 'planted']\n");
        }
        for (const run of await sandbox.evaluateOnEach(request({ code: 'print(today.__dict__)' }))) expect(expectOk(run.result).printed).toBe('{}\n');
      });

      it('withholds update_wrapper and wraps at run time, and refuses type() of a class', async () => {
        await refusedWith(sandbox, request({ code: 'import functools\nfunctools.update_wrapper' }), 'runtime', /AttributeError: module 'functools' has no attribute 'update_wrapper'/);
        await refusedWith(sandbox, request({ code: 'from functools import wraps' }), 'runtime', /ImportError: cannot import name 'wraps' from 'functools'/);
        await refusedWith(sandbox, request({ code: 'type(type(1))("Evil", (), {})' }), 'runtime', /type\(\) of a class isn't available/);
      });

      it('can\'t bring Pyodide\'s core (or any other built-in module) back through _imp or importlib', async () => {
        const slow = { timeoutMs: 10_000 };
        const spec = 'machinery = real_import("importlib.machinery", fromlist=["BuiltinImporter"])\nspec = machinery.BuiltinImporter.find_spec("_pyodide_core")';
        await refusedWith(sandbox, request({ code: `${ESCAPE}\n${spec}\nreal_import("_imp").create_builtin(spec)`, ...slow }), 'runtime', /ImportError: Procedures can't load modules/);
        await refusedWith(sandbox, request({ code: `${ESCAPE}\nreal_import("importlib").import_module("_pyodide_core")`, ...slow }), 'runtime', /ImportError: Procedures can't load modules/);
        await refusedWith(sandbox, request({ code: `${ESCAPE}\nreal_import("importlib").import_module("_testinternalcapi")`, ...slow }), 'runtime', /ImportError: Procedures can't load modules/);
        const runner = expectOk(await sandbox.evaluate(request({ code: `${ESCAPE}\nprint(sorted(m for m in sys.modules if m.startswith("sandbox_") or m == "_pyodide_core"))`, ...slow })));
        expect(runner.printed).toBe('[]\n');
        await expectHealthy(sandbox, poolSize);
      });
    }
  });

  describe('control: the same attack with the restore turned off', () => {
    let sandbox: PythonSandbox;

    beforeAll(async () => {
      sandbox = createPythonSandbox({ poolSize: 1, memoryLimitMb: 160, disablePolicyCheckForTesting: true, isolateEvaluations: false });
      await sandbox.ready();
    });

    afterAll(async () => {
      await sandbox?.close();
    });

    it('forges and spies, so the test above can fail', async () => {
      const outcome = await persistenceAttack(sandbox);
      expect(outcome.lateCondition).toEqual([true, true, true]);
      expect(outcome.refund).toEqual([9999, 9999, 9999]);
      expect(outcome.policyIssue).toBeUndefined();
      expect(outcome.collected[0]).toContain('victim@example.com');
    });
  });
});
