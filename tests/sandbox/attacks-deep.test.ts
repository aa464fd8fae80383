// The attack suite again, with the static policy check (layer 1) switched off, so that the code gets
// full Python: it escapes the restricted builtins through the class hierarchy first. What must hold
// then is everything below layer 1: the audit hook, the cut JavaScript bridges, the locked-down
// process and the limits. No single layer is trusted alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPythonSandbox, type EvaluationRequest, type PythonSandbox } from '../../main/sandbox/index';
import { expectError, expectHealthy, expectOk, request } from './helpers';

const POOL_SIZE = 2;
let sandbox: PythonSandbox;

beforeAll(async () => {
  sandbox = createPythonSandbox({ poolSize: POOL_SIZE, memoryLimitMb: 160, disablePolicyCheckForTesting: true });
  await sandbox.ready();
  expect(sandbox.layers).toEqual({ permissionModel: true, policyCheck: false });
});

afterAll(async () => {
  await sandbox?.close();
});

/** Full Python: the real sys module and the real __import__, reached without any import statement. */
const ESCAPE = [
  'sys = [c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "catch_warnings"][0]()._module.sys',
  'builtins = sys.modules["builtins"]',
  'real_import = builtins.__import__',
].join('\n');

// Importing big parts of the standard library for the first time (urllib pulls in ~40 modules) can take
// more than the default second on a loaded 2-core machine; the limits themselves are tested with
// explicit, short time limits.
const escaped = (code: string, extra: Partial<EvaluationRequest> = {}) =>
  request({ code: `${ESCAPE}\n${code}`, timeoutMs: 10_000, ...extra });

type Kind = Extract<Awaited<ReturnType<PythonSandbox['evaluate']>>, { ok: false }>['error']['kind'];

async function attack(req: EvaluationRequest, kind: Kind | Kind[], message: RegExp): Promise<string> {
  const result = await sandbox.evaluate(req);
  if (result.ok) throw new Error(`expected a failure, got success: ${JSON.stringify(result)}`);
  expect([kind].flat(), result.error.message).toContain(result.error.kind);
  expect(result.error.message).toMatch(message);
  await expectHealthy(sandbox, POOL_SIZE);
  return result.printed;
}

it('really has full Python once layer 1 is off (the escape works)', async () => {
  const result = expectOk(await sandbox.evaluate(escaped('print(type(sys).__name__, callable(real_import), "open" in dir(builtins))')));
  expect(result.printed).toBe('module True True\n');
});

describe('host files', () => {
  it('refuses to open /etc/passwd (audit hook)', () =>
    attack(escaped('print(builtins.open("/etc/passwd").read())'), 'runtime', /PermissionError: Procedures can't open files \('\/etc\/passwd'\)/));

  it('sees only the virtual filesystem, and can write nowhere', async () => {
    const printed = await attack(
      escaped('os = real_import("os")\nprint(sorted(os.listdir("/")), os.path.exists("/etc/passwd"), os.path.exists("/work"))\nos.open("/tmp/leak", os.O_WRONLY | os.O_CREAT)'),
      'runtime',
      /PermissionError: Procedures can't open files \('\/tmp\/leak'\)/,
    );
    expect(printed).toBe("['dev', 'home', 'lib', 'proc', 'stepwise', 'tmp'] False False\n");
  });

  it('holds no host environment, only the virtual one Pyodide makes up', async () => {
    const result = expectOk(await sandbox.evaluate(escaped('os = real_import("os")\nimport json\nprint(json.dumps(dict(os.environ)))')));
    const environ = JSON.parse(result.printed) as Record<string, string>;
    const virtual = ['HOME', 'LANG', 'LD_LIBRARY_PATH', 'LOGNAME', 'PATH', 'PWD', 'PYTHONHASHSEED', 'PYTHONINSPECT', 'TZ', 'USER', '_'];
    for (const name of Object.keys(environ)) expect(virtual).toContain(name);
    expect(environ).toMatchObject({ HOME: '/home/pyodide', PATH: '/', USER: 'web_user' });
    expect(Object.keys(process.env).filter((name) => !virtual.includes(name) && name in environ)).toEqual([]);
  });
});

describe('the JavaScript bridges', () => {
  const refusedBridge = /PermissionError: Procedures can't use the Python runtime's bridges to JavaScript/;

  it('has no js module to import', () =>
    attack(escaped('js = real_import("js")\nprint(js.process)'), 'runtime', /PermissionError: Procedures can't use the Python runtime's bridges to JavaScript \(js\)/));

  it('has no pyodide_js module to import, so no Emscripten filesystem to mount', () =>
    attack(escaped('pjs = real_import("pyodide_js")\npjs.FS.mount(pjs.FS.filesystems.NODEFS, {"root": "/"}, "/host")'), 'runtime', refusedBridge));

  it('cannot import the FFI, run_js, pyodide.http or Pyodide\'s core again (audit hook)', async () => {
    await attack(escaped('ffi = real_import("pyodide.ffi", fromlist=["to_js"])\nffi.to_js({}).constructor.constructor("return process")()'), 'runtime', /bridges to JavaScript \(pyodide.ffi\)/);
    await attack(escaped('code = real_import("pyodide.code", fromlist=["run_js"])\ncode.run_js("process")'), 'runtime', /bridges to JavaScript \(pyodide.code\)/);
    await attack(escaped('http = real_import("pyodide.http", fromlist=["pyfetch"])'), 'runtime', /bridges to JavaScript \(pyodide.http\)/);
    await attack(escaped('real_import("_pyodide_core").trigger_fatal_error()'), 'runtime', /bridges to JavaScript \(_pyodide_core\)/);
    await attack(escaped('real_import("_pyodide._importhook")'), 'runtime', /bridges to JavaScript \(_pyodide._importhook\)/);
  });

  it('cannot bring them back with sys.modules or sys.meta_path tricks', async () => {
    const code = [
      'bridge = [m for m in sys.modules if m.split(".")[0] in ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core")]',
      'print(bridge, [f.__name__ for f in sys.meta_path], len(sys.path_hooks))',
      'sys.modules.pop("js", None)',
      'real_import("importlib").invalidate_caches()',
      'real_import("js")',
    ].join('\n');
    const printed = await attack(escaped(code), 'runtime', refusedBridge);
    expect(printed).toBe("[] ['BuiltinImporter', 'FrozenImporter', 'PathFinder'] 2\n");
  });

  it('finds no JsProxy, bridge module or bridge function anywhere it can walk to from sys.modules', async () => {
    // What an attacker without gc would do: follow namespaces, containers, globals, closures, defaults.
    const walk = [
      'types = real_import("types")',
      'def bridge(name):',
      '    return isinstance(name, str) and any(name == p or name.startswith(p + ".") for p in ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core"))',
      'seen, found, stack = set(), [], [(m, n) for n, m in list(sys.modules.items()) if m is not None]',
      'while stack:',
      '    obj, path = stack.pop()',
      '    if builtins.id(obj) in seen:',
      '        continue',
      '    seen.add(builtins.id(obj))',
      '    if bridge(builtins.type(obj).__module__) or (isinstance(obj, (types.ModuleType,)) and bridge(obj.__name__)) or (',
      '        isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, builtins.type)) and bridge(builtins.getattr(obj, "__module__", None))):',
      '        found.append(path)',
      '    elif isinstance(obj, dict):',
      '        stack.extend((v, f"{path}[{k!r}]") for k, v in obj.items())',
      '    elif isinstance(obj, (list, tuple, set, frozenset)):',
      '        stack.extend((v, path + "[*]") for v in obj)',
      '    elif isinstance(obj, (types.ModuleType, builtins.type)):',
      '        stack.append((builtins.vars(obj), path))',
      '    elif isinstance(obj, types.FunctionType):',
      '        stack.extend([(obj.__defaults__ or (), path), (obj.__kwdefaults__ or {}, path), (obj.__globals__, path)])',
      '        stack.extend((c.cell_contents, path + ".<cell>") for c in obj.__closure__ or () if c.cell_contents is not None)',
      '    elif isinstance(obj, types.MethodType):',
      '        stack.extend([(obj.__self__, path), (obj.__func__, path)])',
      '    elif isinstance(builtins.getattr(obj, "__dict__", None), dict):',
      '        stack.append((obj.__dict__, path + ".__dict__"))',
      'print(len(seen) > 10_000, found[:5])',
    ].join('\n');
    const result = expectOk(await sandbox.evaluate(escaped(walk, { timeoutMs: 20_000 })));
    expect(result.printed).toBe('True []\n');
  });

  it('refuses gc.get_objects() walks for hidden proxies (audit hook)', async () => {
    await attack(escaped('gc = real_import("gc")\nprint(len(gc.get_objects()))'), 'runtime', /PermissionError: Procedures can't do that \(gc.get_objects\)/);
    await attack(escaped('gc = real_import("gc")\ngc.get_referrers(sys)'), 'runtime', /gc.get_referrers/);
  });
});

describe('processes and the network', () => {
  it('refuses os.system, os.popen and subprocess (audit hook)', async () => {
    await attack(escaped('real_import("os").system("id")'), 'runtime', /PermissionError: Procedures can't do that \(os.system\)/);
    await attack(escaped('real_import("os").popen("id").read()'), 'runtime', /PermissionError: Procedures can't do that \(subprocess.Popen\)|OSError: \[Errno 138\] emscripten does not support processes/);
    await attack(escaped('real_import("subprocess").run(["id"])'), 'runtime', /PermissionError: Procedures can't do that \(subprocess.Popen\)|OSError: \[Errno 138\] emscripten does not support processes/);
  });

  it('refuses sockets and urllib (audit hook)', async () => {
    await attack(escaped('s = real_import("socket")\ns.create_connection(("127.0.0.1", 80), timeout=1)'), 'runtime', /PermissionError: Procedures can't do that \(socket\./);
    await attack(escaped('u = real_import("urllib.request", fromlist=["urlopen"])\nu.urlopen("http://127.0.0.1:9/")'), 'runtime', /PermissionError: Procedures can't do that \((urllib.Request|socket\.)/);
  });

  it('cannot add audit hooks of its own or change any function\'s code', async () => {
    // CPython drops a new hook silently when an existing hook refuses it: count what the new one sees.
    const added = expectOk(await sandbox.evaluate(escaped('seen = []\nsys.addaudithook(lambda event, args: seen.append(event))\nbuiltins.compile("1", "x", "eval")\nprint(len(seen))')));
    expect(added.printed).toBe('0\n');
    await attack(escaped('f = lambda: 1\nf.__code__ = (lambda: 2).__code__'), 'runtime', /PermissionError: Procedures can't change '__code__'/);
    await attack(escaped('f = lambda x=1: x\nf.__defaults__ = (2,)'), 'runtime', /PermissionError: Procedures can't change '__defaults__'/);
  });
});

describe('limits hold without layer 1', () => {
  it('stops a loop that catches BaseException', () =>
    attack(escaped('while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass', { timeoutMs: 300 }), 'timeout', /was stopped/));

  it('stops a memory bomb', () =>
    attack(escaped('b = []\nwhile True:\n    b.append(builtins.bytearray(1_000_000))', { timeoutMs: 20_000 }), 'memory', /more memory than a Procedure may use/));

  it('survives recursion far past the default limit', () =>
    attack(escaped('sys.setrecursionlimit(1_000_000)\ndef down(n):\n    return down(n + 1)\ndown(0)', { timeoutMs: 10_000 }), ['runtime', 'memory', 'crash'], /recursion|memory|stopped unexpectedly|stack/i));

  it('drops output written straight to the real stdout', async () => {
    const result = expectOk(await sandbox.evaluate(escaped('sys.stdout.write("x" * 10_000_000)\nprint("kept")')));
    expect(result.printed).toBe('kept\n');
    await expectHealthy(sandbox, POOL_SIZE);
  });
});

it('is healthy and still correct after all of it', async () => {
  await expectHealthy(sandbox, POOL_SIZE);
  const runs = await sandbox.evaluateOnEach(request({ code: 'return {"refund_amount": round(sum([10.5, 4.25]), 2)}' }));
  for (const run of runs) expect(expectOk(run.result).attributeWrites).toEqual({ refund_amount: 14.75 });
  const error = expectError(await sandbox.evaluate(request({ code: 'attributes["verified"] = "yes"' })), 'type');
  expect(error.message).toContain("must be True or False, but the code set it to text");
});
