"""Runs Procedure code inside the sandbox's Pyodide interpreter.

Imported once per interpreter. The child process calls these entry points, taking and returning JSON
text:

  setup()                  once at boot: pure-Python datetime with a frozen clock, module facades, the
                           audit hook (may run before a memory snapshot that later interpreters start from)
  configure()              once per process, after setup() or a snapshot: clears caches
  check(request_json)      syntax + policy issues for a snippet; never runs it
  compile_for_cache(mode, code)
                           the snippet compiled, as text the child keeps between evaluations (the
                           restore below wipes this module's own cache); called before any code ran
  evaluate(request_json, compiled)
                           runs a condition or code block and reports what it did; `compiled` is the
                           text compile_for_cache gave for this snippet, or "" to compile here
  compile_for_cache_without_policy_check(mode, code), evaluate_without_policy_check(request_json, compiled)
                           the same without the policy check, for tests of the deeper layers only. The
                           child process chooses which of the two it calls: no state in here turns the
                           check off, so code can't switch it off for later evaluations.

The child puts the whole interpreter back to its state after start-up once every evaluation is done
(child/clean-state.mjs), so nothing an evaluation changes here outlives it.

Results are JSON only, never Python objects; the engine checks them (attribute types included).
"""

import ast
import json
import marshal
import sys

from sandbox_clock import FrozenClock, load_pure_datetime
from sandbox_namespace import (
    SNIPPET_FILENAME,
    Attributes,
    Data,
    Run,
    build_builtins,
    build_facade,
    make_importer,
)
from sandbox_policy import ALLOWED_IMPORTS, parse, syntax_issue
from sandbox_values import Unstorable, describe, to_json

BLOCK_FUNCTION = "_procedure_block"
HOLD_FUNCTION = "__stepwise_hold__"
MAX_MESSAGE_CHARS = 600
CACHE_SIZE = 256
CO_GENERATOR = 0x20

_state = {"setup": False}

# What evaluations made, held until the child restores the interpreter (which frees it all at once).
# Freeing a value nested thousands of levels deep recurses in C deeper than WebAssembly's stack allows,
# and Pyodide then dies; the restore never frees anything one object at a time.
_kept = []

# Holds the running block's frame, so that its variables outlive the block. Compiled apart, with
# nothing in its namespace but one exception class and the list above.
_HOLD_SOURCE = """
def __stepwise_hold__():
    try:
        raise LookupError
    except LookupError as caught:
        _kept.append(caught.__traceback__.tb_frame.f_back)
"""

# ---------------------------------------------------------------------------------------------------
# Compilation, cached: the same snippet runs many times in a conversation.

_cache = {}


class _Compiled:
    __slots__ = ("code", "issues", "shift")

    def __init__(self, code, issues, shift):
        self.code = code
        self.issues = issues  # [(line, column, message, kind)]
        self.shift = shift  # leading blanks removed from a condition's first line


def _compile(code, mode, checked=True):
    key = (mode, code, checked)
    hit = _cache.pop(key, None)
    if hit is None:
        hit = _compile_uncached(code, mode, checked)
        if len(_cache) >= CACHE_SIZE:
            _cache.pop(next(iter(_cache)))  # least recently used
    _cache[key] = hit
    return hit


def _parse_only(code, mode):
    """Used only when the sandbox is started with the policy check off (tests of the deeper layers)."""
    try:
        return ast.parse(code, filename=SNIPPET_FILENAME, mode="eval" if mode == "condition" else "exec"), []
    except SyntaxError as error:
        return None, [syntax_issue(error, code, mode)]


class _ReturnLineMarker(ast.NodeTransformer):
    """Rewrites the block's own ``return x`` into ``return (line, x)``, so that errors about the returned
    dict can name the line of the return that ran. Nested functions keep their returns."""

    def visit_Return(self, node):
        value = node.value if node.value is not None else ast.Constant(value=None)
        marked = ast.copy_location(ast.Tuple(elts=[ast.Constant(value=node.lineno), value], ctx=ast.Load()), node)
        return ast.copy_location(ast.Return(value=marked), node)

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef


def _as_function(tree):
    """A code block becomes the body of a function, so that it may `return` at top level."""
    body = [_ReturnLineMarker().visit(statement) for statement in tree.body] or [ast.Pass()]
    hold = ast.Expr(value=ast.Call(func=ast.Name(id=HOLD_FUNCTION, ctx=ast.Load()), args=[], keywords=[]))
    body.insert(0, ast.copy_location(hold, body[0]))
    function = ast.FunctionDef(
        name=BLOCK_FUNCTION,
        args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
        body=body,
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    ast.copy_location(function, body[0])
    return ast.fix_missing_locations(ast.Module(body=[function], type_ignores=[]))


def _compile_uncached(code, mode, checked):
    source, shift = code, 0
    if mode == "condition":
        # A condition is one expression; leading blanks would be an "unexpected indent".
        source = code.lstrip(" \t")
        shift = len(code) - len(source)
    tree, issues = parse(source, mode) if checked else _parse_only(source, mode)
    if issues:
        return _Compiled(None, [(line, column + shift if line == 1 else column, message, kind) for (line, column, message, kind) in issues], shift)
    try:
        if mode == "condition":
            compiled = compile(tree, SNIPPET_FILENAME, "eval", dont_inherit=True)
        else:
            compiled = compile(_as_function(tree), SNIPPET_FILENAME, "exec", dont_inherit=True)
    except SyntaxError as error:  # e.g. 'break' outside a loop: found by the compiler, not the parser
        return _Compiled(None, [syntax_issue(error, code, mode)], shift)
    except (RecursionError, MemoryError):
        return _Compiled(None, [(1, 1, "the code is nested too deeply to run; split it into smaller parts", "syntax")], shift)
    return _Compiled(compiled, [], shift)


# ---------------------------------------------------------------------------------------------------
# Errors.


def _error(kind, message, line=None, column=None):
    text = str(message)
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "…"
    return {"kind": kind, "message": text, "line": line, "column": column}


def _snippet_position(error, shift):
    """The deepest traceback line (and column) that is in the snippet."""
    line = column = None
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == SNIPPET_FILENAME:
            line, column = tb.tb_lineno, None
            try:
                start_line, _end_line, start_col, _end_col = list(code.co_positions())[tb.tb_lasti // 2]
                if start_line == line and start_col is not None:
                    column = start_col + 1
            except (IndexError, ValueError):
                pass
        tb = tb.tb_next
    if line == 1 and column is not None:
        column += shift
    return line, column


def _runtime_error(error, shift):
    line, column = _snippet_position(error, shift)
    if isinstance(error, MemoryError):
        return _error("memory", "the code used more memory than a Procedure may use", line, column)
    if isinstance(error, RecursionError):
        return _error("runtime", "the code called itself too many times, or worked on a value nested too deeply "
                      "(too deep recursion)", line, column)
    if isinstance(error, KeyError):
        key = error.args[0] if error.args else None
        if isinstance(key, str) and key.startswith(("attribute ", "data has no result")):
            return _error("runtime", key, line, column)  # the friendly messages of Attributes and Data
        return _error("runtime", f"KeyError: there is no key {key!r} here", line, column)
    name = type(error).__name__
    try:
        detail = str(error)
    except Exception:  # noqa: BLE001 - a message that can't be shown must not hide the error
        detail = ""
    return _error("runtime", f"{name}: {detail}" if detail else name, line, column)


# ---------------------------------------------------------------------------------------------------
# Entry points.


def _reply(run, body):
    body["printed"] = run.printed
    body["printedTruncated"] = run.truncated
    return json.dumps(body, ensure_ascii=False, allow_nan=False)


def compile_for_cache(mode, code):
    return _compile_for_cache(mode, code, True)


def compile_for_cache_without_policy_check(mode, code):
    return _compile_for_cache(mode, code, False)


def _compile_for_cache(mode, code, checked):
    """The compiled snippet as marshal data in a latin-1 string, or "" if it has issues."""
    compiled = _compile(code, mode, checked)
    return "" if compiled.issues else marshal.dumps(compiled.code).decode("latin-1")


def _from_cache(code, mode, cached):
    shift = len(code) - len(code.lstrip(" \t")) if mode == "condition" else 0
    return _Compiled(marshal.loads(cached.encode("latin-1")), [], shift)


def evaluate(request_json, compiled=""):
    return _evaluate(request_json, True, compiled)


def evaluate_without_policy_check(request_json, compiled=""):
    return _evaluate(request_json, False, compiled)


def _evaluate(request_json, checked, cached):
    request = json.loads(request_json)
    mode = request["mode"]
    run = Run(int(request["printedLimit"]))
    compiled = _from_cache(request["code"], mode, cached) if cached else _compile(request["code"], mode, checked)
    if compiled.issues:
        line, column, message, kind = compiled.issues[0]
        more = len(compiled.issues) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        return _reply(run, {"ok": False, "error": _error(kind, message, line, column)})

    dt, decimal, clock = _state["datetime"], _state["decimal"], _state["clock"]
    decimal.setcontext(decimal.Context())  # fresh defaults: no precision or traps left by earlier code
    attributes = Attributes(request["attributes"], run)
    builtins = dict(_state["builtins"])
    builtins["print"] = run.print
    namespace = {
        "__builtins__": builtins,
        "__name__": "procedure",
        "attributes": attributes,
        "data": Data(request["data"]),
        "today": _state["today"],
        "now": _state["now"],
        HOLD_FUNCTION: _state["hold"],
    }
    _kept.clear()  # empty already when the interpreter is restored after every evaluation
    _kept.append(namespace)
    value = returned = return_line = None
    clock.set(request["now"])
    try:
        if mode == "condition":
            value = eval(compiled.code, namespace)
            _kept.append(value)
        else:
            exec(compiled.code, namespace)
            block = namespace.pop(BLOCK_FUNCTION)
            if block.__code__.co_flags & CO_GENERATOR:
                return _reply(run, {"ok": False, "error": _error("policy", "'yield' can only be used inside a function", 1, 1)})
            outcome = block()
            _kept.append(outcome)
            if outcome is not None:
                return_line, returned = outcome
    except BaseException as error:  # noqa: BLE001 - every failure of the code is reported; none escapes
        _kept.append(error)
        return _reply(run, {"ok": False, "error": _runtime_error(error, compiled.shift)})
    finally:
        clock.clear()

    if mode == "condition" and not isinstance(value, bool):
        message = (f"a condition must give True or False, but this one gave {describe(value)}. "
                   "Compare it explicitly, for example len(value) > 0 or value == \"refund\"")
        return _reply(run, {"ok": False, "error": _error("type", message, 1, 1 + compiled.shift)})
    if returned is not None and not isinstance(returned, dict):
        message = ("a code block can only return a dict of attribute values, like return {\"refund_amount\": 12.5}, "
                   f"but this one returned {describe(returned)}")
        return _reply(run, {"ok": False, "error": _error("type", message, return_line)})

    final = {}
    try:
        for key, item in attributes.items():
            try:
                final[key] = to_json(item, dt, decimal)
            except Unstorable as problem:
                message = f"attribute {key!r} was set to {problem.what}"
                return _reply(run, {"ok": False, "error": _error("type", message, run.write_lines.get(key))})
        try:
            returned_json = None if returned is None else to_json(returned, dt, decimal)
        except Unstorable as problem:
            return _reply(run, {"ok": False, "error": _error("type", f"the returned dict holds {problem.what}", return_line)})
    except (RecursionError, MemoryError):
        return _reply(run, {"ok": False, "error": _error("runtime", "the attributes written are nested too deeply to store")})

    return _reply(run, {
        "ok": True,
        "value": value if mode == "condition" else None,
        "attributes": final,
        "returned": returned_json,
        "writeLines": dict(run.write_lines),
        "returnLine": return_line,
    })


def check(request_json):
    request = json.loads(request_json)
    compiled = _compile(request["code"], request["mode"])
    issues = [{"line": line, "column": column, "message": message} for (line, column, message, _kind) in compiled.issues]
    return json.dumps({"issues": issues}, ensure_ascii=False)


def configure():
    """Once per process, after setup() (which may come from a memory snapshot)."""
    if not _state["setup"]:
        raise RuntimeError("configure() needs setup() first")
    _cache.clear()
    return json.dumps({"python": sys.version.split()[0]})


def setup():
    """Once per interpreter, before any snapshot is taken: imports, facades, builtins, audit hook."""
    if _state["setup"]:
        raise RuntimeError("setup() already ran")
    dt = load_pure_datetime()
    clock = FrozenClock(dt)
    now, today = clock.install()
    import decimal

    modules = {name: dt if name == "datetime" else __import__(name) for name in ALLOWED_IMPORTS}
    facades = {name: build_facade(name, module) for name, module in modules.items()}
    hold_namespace = {"__builtins__": {"LookupError": LookupError}, "__name__": "procedure", "_kept": _kept}
    exec(compile(_HOLD_SOURCE, "<hold>", "exec"), hold_namespace)
    _state.update(datetime=dt, decimal=decimal, clock=clock, now=now, today=today, hold=hold_namespace[HOLD_FUNCTION],
                  builtins=build_builtins(make_importer(facades)))

    # Lazy imports the runtime may need later, done now: before the audit hook, and into the snapshot.
    dt.datetime.strptime("2024-01-02 03:04", "%Y-%m-%d %H:%M")
    for codec in ("latin-1", "ascii", "utf-16", "cp1252", "idna"):
        "x".encode(codec)
    import sandbox_audit

    sandbox_audit.install()
    _state["setup"] = True
