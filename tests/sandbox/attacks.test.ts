// The attack suite, against the sandbox as the app runs it (every layer on). Each attack must fail
// cleanly, with an error that says what happened, and leave the pool healthy.
import { describe, expect, it } from 'vitest';
import type { EvaluationRequest, PythonSandbox } from '../../main/sandbox/index';
import { condition, expectError, expectHealthy, expectOk, request, useSandboxWithEveryLayer } from './helpers';

const POOL_SIZE = 2;
const sandbox = useSandboxWithEveryLayer(POOL_SIZE);

type Kind = Extract<Awaited<ReturnType<PythonSandbox['evaluate']>>, { ok: false }>['error']['kind'];

async function attack(req: EvaluationRequest, kind: Kind, message: RegExp): Promise<void> {
  const result = await sandbox.evaluate(req);
  const error = expectError(result, kind);
  expect(error.message).toMatch(message);
  await expectHealthy(sandbox, POOL_SIZE);
}

const refused = (code: string, message: RegExp) => attack(request({ code }), 'policy', message);

describe('host files', () => {
  it('refuses open("/etc/passwd")', () => refused('print(open("/etc/passwd").read())', /Line 1: 'open' can't be used: open\(\) would read or write files/));
  it('refuses other routes to files', async () => {
    await refused('import pathlib\nprint(pathlib.Path("/etc/passwd").read_text())', /'pathlib' can't be imported/);
    await refused('import io\nio.open("/proc/self/environ").read()', /'io' can't be imported/);
    await refused('__builtins__["open"]("/etc/shadow")', /'__builtins__' is internal to Python/);
    await attack(condition('len(open("/etc/hosts").read()) > 0'), 'policy', /open\(\) would read or write files/);
  });
});

describe('the JavaScript bridges', () => {
  it('refuses import js', () => refused('import js\nprint(js.process)', /'js' can't be imported in a Procedure \(Procedures can't use JavaScript\)/));
  it('refuses js.constructor.constructor("return process")()', () =>
    refused('import js\nprocess = js.constructor.constructor("return process")()', /'js' can't be imported/));
  it('refuses the same through other JsProxies', async () => {
    await refused('from pyodide.ffi import to_js\nto_js({}).constructor.constructor("return process")()', /'pyodide.ffi' can't be imported/);
    await refused('js = __import__("js")', /'__import__' is internal to Python/);
    await refused('import importlib\nimportlib.import_module("js")', /'importlib' can't be imported/);
    // A literal getattr is allowed; on the plain dicts code can reach there is no such attribute.
    await attack(request({ code: 'getattr(attributes, "constructor")' }), 'runtime', /AttributeError: 'dict' object has no attribute 'constructor'/);
  });
  it('refuses import pyodide_js and mounting the host filesystem through it', () =>
    refused(
      'import pyodide_js\npyodide_js.FS.mkdir("/host")\npyodide_js.FS.mount(pyodide_js.FS.filesystems.NODEFS, {"root": "/"}, "/host")',
      /'pyodide_js' can't be imported/,
    ));
});

describe('introspection', () => {
  it('refuses sys.modules and sys.meta_path tricks', async () => {
    await refused('import sys\nsys.modules["os"].system("id")', /'sys' can't be imported/);
    await refused('import sys\nsys.meta_path.clear()', /'sys' can't be imported/);
    await refused('from sys import modules', /'sys' can't be imported/);
  });
  it('refuses walks up the class hierarchy', async () => {
    await refused('().__class__.__base__.__subclasses__()', /'.__class__': names starting with '_' are internal/);
    await refused('type(attributes).mro()', /'.mro' can't be used/);
    await refused('getattr(attributes, "__class__")', /that attribute is internal/);
    await refused('name = "__cla" + "ss__"\ngetattr(attributes, name)', /getattr\(\) can only be called directly with a quoted attribute name/);
    await refused('f = getattr\nf(attributes, "__class__")', /getattr\(\) can only be called directly/);
  });
  it('refuses frames, globals and format-string lookups', async () => {
    await refused('g = (x for x in [1])\ng.gi_frame.f_globals', /'.gi_frame' exposes the runtime's internals/);
    await refused('print(globals())', /'globals' can't be used/);
    await refused('"{0.__class__.__base__}".format(1)', /'.format' can't be used: str.format\(\) can look up attributes by name; use an f-string/);
    await refused('from string import Formatter', /string.Formatter isn't available: it looks attributes up by name/);
    await attack(request({ code: 'import statistics\nstatistics.sys.modules' }), 'runtime', /module 'statistics' has no attribute 'sys'/);
  });
  it('refuses gc.get_objects() walks', () => refused('import gc\nprint(len(gc.get_objects()))', /'gc' can't be imported/));
  it('refuses tampering with the frozen clock and shared modules', async () => {
    await refused('import datetime\ndatetime.date.today = lambda: None', /setting attributes on objects/i);
    await refused('import math\nsetattr(math, "pi", 3)', /'setattr' can't be used/);
    await refused('class Date:\n    pass', /classes can't be defined/i);
  });
});

describe('processes and the network', () => {
  it('refuses os.system and subprocess', async () => {
    await refused('import os\nos.system("id")', /'os' can't be imported in a Procedure \(Procedures can't use the operating system\)/);
    await refused('import subprocess\nsubprocess.run(["id"])', /'subprocess' can't be imported in a Procedure \(Procedures can't start programs\)/);
  });
  it('refuses sockets, urllib and pyodide.http', async () => {
    await refused('import socket\nsocket.create_connection(("example.com", 80))', /'socket' can't be imported.*connector actions fetch data/);
    await refused('import urllib.request\nurllib.request.urlopen("http://example.com")', /'urllib.request' can't be imported/);
    await refused('from pyodide.http import pyfetch', /'pyodide.http' can't be imported/);
  });
});

describe('limits', () => {
  it('stops while True: pass', () =>
    attack(request({ code: 'while True:\n    pass', timeoutMs: 300 }), 'timeout', /ran for more than 300 ms and was stopped/));

  it('stops a loop that catches BaseException', () =>
    attack(
      request({ code: 'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass', timeoutMs: 300 }),
      'timeout',
      /ran for more than 300 ms/,
    ));

  it('stops catastrophic regular-expression backtracking', () =>
    attack(request({ code: 'import re\nre.match("(a+)+$", "a" * 40 + "b")', timeoutMs: 300 }), 'timeout', /was stopped/));

  it('stops an endless condition', () =>
    attack(condition('all(True for _ in iter(int, 1))', { timeoutMs: 300 }), 'timeout', /was stopped/));

  it('stops a memory bomb', async () => {
    const bomb = 'blocks = []\nwhile True:\n    blocks.append("x" * 1_000_000)';
    await attack(request({ code: bomb, timeoutMs: 20_000 }), 'memory', /more memory than a Procedure may use \(160 MB\)/);
    await attack(request({ code: 'x = "x" * 10**9' }), 'memory', /more memory than a Procedure may use/);
  });

  it('reports memory even when the code catches MemoryError', () =>
    attack(
      request({ code: 'try:\n    blocks = []\n    while True:\n        blocks.append(" " * 1_000_000)\nexcept MemoryError:\n    blocks = None\nattributes["verified"] = True', timeoutMs: 20_000 }),
      'memory',
      /more memory than a Procedure may use/,
    ));

  it('stops deep recursion', async () => {
    await attack(request({ code: 'def down(n):\n    return down(n + 1)\ndown(0)' }), 'runtime', /Line 2: The code called itself too many times/);
    await refused('import sys\nsys.setrecursionlimit(10**6)', /'sys' can't be imported/);
    // Python's C stack is kept small (so deep C recursion raises instead of killing Pyodide): the parser
    // gives up on 300 parentheses before its own limit of 200 nested ones would.
    await attack(request({ code: `x = ${'('.repeat(300)}1${')'.repeat(300)}` }), 'syntax', /too many nested parentheses|nested too deeply/);
    expect(expectOk(await sandbox.evaluate(request({ code: `attributes["refund_amount"] = ${'('.repeat(150)}1${')'.repeat(150)}` }))).attributeWrites).toEqual({ refund_amount: 1 });
    await attack(request({ code: `x = ${'-'.repeat(15_000)}1` }), 'syntax', /nested too deeply/);
  });

  it('caps huge printed output', async () => {
    const result = expectOk(await sandbox.evaluate(request({ code: 'print("x" * 5_000_000)\nprint("after")' })));
    expect(result.printed.length).toBeLessThan(66_000);
    expect(result.printed).toMatch(/^x{1000}/);
    expect(result.printed).toMatch(/output cut: print\(\) keeps at most 65536 characters\)$/);
    await attack(request({ code: 'while True:\n    print("spam " * 100)', timeoutMs: 300 }), 'timeout', /was stopped/);
  });

  it('refuses an attribute of the wrong type', () =>
    attack(
      request({ code: 'attributes["days_since_delivery"] = str(20)', origin: { line: 12, column: 3 } }),
      'type',
      /^Line 12: Attribute 'days_since_delivery' must be a number, but the code set it to text \("20"\)\. Convert it with float/,
    ));

  it('contains code that tries to stop the interpreter', async () => {
    await attack(request({ code: 'raise SystemExit(3)' }), 'runtime', /NameError: name 'SystemExit' is not defined/);
    await attack(request({ code: 'raise StopIteration' }), 'runtime', /StopIteration/);
    await refused('exit()', /'exit' can't be used/);
  });
});

describe('after the attacks', () => {
  it('still answers correctly on every interpreter', async () => {
    await expectHealthy(sandbox, POOL_SIZE);
    const runs = await sandbox.evaluateOnEach(request({ code: 'import datetime\nattributes["days_since_delivery"] = (today() - datetime.date(2024, 5, 1)).days' }));
    expect(runs).toHaveLength(POOL_SIZE);
    for (const run of runs) expect(expectOk(run.result).attributeWrites).toEqual({ days_since_delivery: 9 });
    expect(sandbox.stats().replaced).toBeGreaterThanOrEqual(5); // every timeout and memory bomb cost an interpreter
  });
});
