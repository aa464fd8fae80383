"""Runs Procedure code inside the sandbox's Pyodide interpreter.

Imported once per interpreter, beside sandbox_policy.py (layer 1). The child process calls three
entry points, taking and returning JSON text:

  setup()                  once at boot: pure-Python datetime with a frozen clock, facade modules
                           (may run before a memory snapshot that later interpreters start from)
  configure(options_json)  once per process: settings such as the test-only policy switch
  check(request_json)      syntax + policy issues for a snippet
  evaluate(request_json)   run a condition or code block and report what it did

What code sees: ``attributes``, ``data``, ``today()``, ``now()``, a restricted set of builtins and
read-only facades of the allowed modules. That runtime restriction is a second line behind the policy
check; the real containment is the process around this interpreter (see docs/security.md).
"""

import ast
import json
import math
import sys
import types

from sandbox_policy import (
    ALLOWED_IMPORTS,
    BLOCKED_ATTRIBUTE_PREFIXES,
    BLOCKED_ATTRIBUTES,
    parse,
    syntax_issue,
)

SNIPPET_FILENAME = "<procedure>"
BLOCK_FUNCTION = "_procedure_block"
MAX_MESSAGE_CHARS = 600
MAX_OUTPUT_DEPTH = 64
CACHE_SIZE = 256

_state = {
    "setup": False,
    "skip_policy": False,
    "facades": {},
    "clock": None,  # aware datetime of the conversation's frozen "now"
    "printed_limit": 65_536,
}


# ---------------------------------------------------------------------------------------------------
# Boot: pure-Python datetime (so every path to "now" reads the frozen clock) and module facades.


def _load_pure_datetime():
    """Import datetime from _pydatetime, whose classes can be patched, instead of the C module."""
    sys.modules["_datetime"] = None
    sys.modules.pop("datetime", None)
    import datetime as pure

    if not hasattr(pure, "_ymd2ord") and "_pydatetime" not in sys.modules:
        raise RuntimeError("could not load the pure-Python datetime module")
    return pure


def _install_frozen_clock(dt):
    utc = dt.timezone.utc

    def clock():
        current = _state["clock"]
        if current is None:
            raise RuntimeError("the conversation clock is not set")
        return current

    def frozen_now(cls, tz=None):
        current = clock()
        if tz is None:
            return current.replace(tzinfo=None)
        return current.astimezone(tz)

    def frozen_utcnow(cls):
        return clock().astimezone(utc).replace(tzinfo=None)

    def frozen_today_datetime(cls):
        return clock().replace(tzinfo=None)

    def frozen_today_date(cls):
        return clock().date()

    # _pydatetime's classes are plain Python classes, so the patch covers every route to them,
    # including type(some_date).today().
    dt.datetime.now = classmethod(frozen_now)
    dt.datetime.utcnow = classmethod(frozen_utcnow)
    dt.datetime.today = classmethod(frozen_today_datetime)
    dt.date.today = classmethod(frozen_today_date)

    def now():
        """The conversation's current moment (timezone-aware), fixed for the whole conversation."""
        return clock()

    def today():
        """The conversation's current date, fixed for the whole conversation."""
        return clock().date()

    return now, today


class _FrozenModule(types.ModuleType):
    def __setattr__(self, name, value):
        raise AttributeError(f"module '{self.__name__}' can't be changed in a Procedure")

    def __delattr__(self, name):
        raise AttributeError(f"module '{self.__name__}' can't be changed in a Procedure")


_EXCLUDED_MEMBERS = {
    # string.Formatter looks attributes up by name at run time ("{0.__class__}").
    "string": {"Formatter"},
    # Shared, mutable context singletons would carry state from one evaluation to the next.
    "decimal": {"DefaultContext", "BasicContext", "ExtendedContext"},
}


def _build_facade(name, module):
    facade = _FrozenModule(name)
    excluded = _EXCLUDED_MEMBERS.get(name, set())
    for member in dir(module):
        if member.startswith("_") or member in excluded:
            continue
        value = getattr(module, member)
        if isinstance(value, types.ModuleType):
            continue  # statistics.sys, json.decoder, re.enum, collections.abc, ...
        types.ModuleType.__setattr__(facade, member, value)
    return facade


def _make_importer(facades):
    def safe_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level != 0 or name not in facades:
            raise ImportError(f"'{name}' can't be imported in a Procedure")
        facade = facades[name]
        for member in fromlist or ():
            if member == "*" or member.startswith("_") or not hasattr(facade, member):
                raise ImportError(f"cannot import name '{member}' from '{name}'")
        return facade

    return safe_import


def _one_arg_type(value):
    return type(value)


_SAFE_ATTRIBUTE_ERROR = "that attribute is internal and can't be used"


def _attribute_allowed(name):
    return (
        isinstance(name, str)
        and not name.startswith("_")
        and name not in BLOCKED_ATTRIBUTES
        and not name.startswith(BLOCKED_ATTRIBUTE_PREFIXES)
    )


_MISSING = object()


def _safe_getattr(value, name, default=_MISSING):
    if not _attribute_allowed(name):
        raise AttributeError(f"getattr(..., {name!r}): {_SAFE_ATTRIBUTE_ERROR}")
    if default is _MISSING:
        return getattr(value, name)
    return getattr(value, name, default)


def _safe_hasattr(value, name):
    if not _attribute_allowed(name):
        raise AttributeError(f"hasattr(..., {name!r}): {_SAFE_ATTRIBUTE_ERROR}")
    return hasattr(value, name)


_BUILTIN_NAMES = (
    "abs", "all", "any", "ascii", "bin", "bool", "bytes", "callable", "chr", "complex", "dict", "dir",
    "divmod", "enumerate", "filter", "float", "format", "frozenset", "hash", "hex", "int", "isinstance",
    "issubclass", "iter", "len", "list", "map", "max", "min", "next", "oct", "ord", "pow", "range", "repr",
    "reversed", "round", "set", "slice", "sorted", "str", "sum", "tuple", "zip",
    "True", "False", "None", "Ellipsis", "NotImplemented",
    "ArithmeticError", "AssertionError", "AttributeError", "Exception", "IndexError", "KeyError",
    "LookupError", "NameError", "NotImplementedError", "OverflowError", "RecursionError", "RuntimeError",
    "StopIteration", "TypeError", "UnicodeError", "ValueError", "ZeroDivisionError",
)


def _build_builtins(importer):
    import builtins

    safe = {name: getattr(builtins, name) for name in _BUILTIN_NAMES}
    safe["__import__"] = importer
    safe["getattr"] = _safe_getattr
    safe["hasattr"] = _safe_hasattr
    safe["type"] = _one_arg_type
    return safe


# ---------------------------------------------------------------------------------------------------
# What code sees: attributes, data, print.


def _caller_line():
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == SNIPPET_FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


class _Attributes(dict):
    """The conversation's attributes. Remembers the line of each write, for error messages."""

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError(f"attribute names are text, like attributes[\"refund_amount\"], not {type(key).__name__}")
        line = _caller_line()
        if line is not None:
            _run["write_lines"][key] = line
        dict.__setitem__(self, key, value)

    def __missing__(self, key):
        raise KeyError(f"attribute {key!r} has no value yet: it is collected or computed later, "
                       f"or not at all. Use attributes.get({key!r}) to allow for that")


class _Data(dict):
    """Connector results keyed by action, like data["shop.get_order"]."""

    def __missing__(self, key):
        known = ", ".join(repr(k) for k in sorted(self)) or "none yet"
        raise KeyError(f"data has no result for {key!r} (results so far: {known}). "
                       "Make sure that action runs before this code")


# To the people who write Procedures these are dicts, and error messages should say so.
for _cls in (_Attributes, _Data):
    _cls.__name__ = _cls.__qualname__ = "dict"
del _cls


_run = {"printed": [], "printed_size": 0, "printed_truncated": False, "write_lines": {}}


def _print(*values, sep=" ", end="\n", flush=False):
    if sep is None:
        sep = " "
    if end is None:
        end = "\n"
    if not isinstance(sep, str) or not isinstance(end, str):
        raise TypeError("print(): sep and end must be text")
    limit = _state["printed_limit"]
    room = limit - _run["printed_size"]
    if room <= 0:
        _run["printed_truncated"] = True
        return
    text = sep.join(str(value) for value in values) + end
    if len(text) > room:
        text = text[:room]
        _run["printed_truncated"] = True
    _run["printed"].append(text)
    _run["printed_size"] += len(text)


# ---------------------------------------------------------------------------------------------------
# Compilation (cached: the same snippet runs many times in a conversation).

_cache = {}


class _Compiled:
    __slots__ = ("code", "issues", "shift")

    def __init__(self, code, issues, shift):
        self.code = code
        self.issues = issues
        self.shift = shift


def _compile(code, mode):
    key = (mode, code)
    hit = _cache.pop(key, None)
    if hit is not None:
        _cache[key] = hit  # most recently used last
        return hit
    result = _compile_uncached(code, mode)
    _cache[key] = result
    if len(_cache) > CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    return result


def _compile_uncached(code, mode):
    shift = 0
    source = code
    if mode == "condition":
        # A condition is one expression; leading blanks would be an "unexpected indent".
        source = code.lstrip(" \t")
        shift = len(code) - len(source)
    if _state["skip_policy"]:
        tree, issues = _parse_only(source, mode)
    else:
        tree, issues = parse(source, mode)
    issues = [(line, column + shift if line == 1 else column, message, kind) for (line, column, message, kind) in issues]
    if issues:
        return _Compiled(None, issues, shift)
    try:
        if mode == "condition":
            compiled = compile(tree, SNIPPET_FILENAME, "eval", dont_inherit=True)
        else:
            body = [_ReturnLineMarker().visit(statement) for statement in tree.body] or [ast.Pass()]
            function = ast.FunctionDef(
                name=BLOCK_FUNCTION,
                args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
                body=body,
                decorator_list=[],
                returns=None,
                type_params=[],
            )
            module = ast.Module(body=[function], type_ignores=[])
            ast.copy_location(function, body[0])
            ast.fix_missing_locations(module)
            compiled = compile(module, SNIPPET_FILENAME, "exec", dont_inherit=True)
    except SyntaxError as error:
        return _Compiled(None, [syntax_issue(error, code, mode)], shift)
    except (RecursionError, MemoryError):
        return _Compiled(None, [(1, 1, "the code is nested too deeply to run; split it into smaller parts", "syntax")], shift)
    return _Compiled(compiled, [], shift)


class _ReturnLineMarker(ast.NodeTransformer):
    """Rewrites the block's own ``return x`` into ``return (line, x)``, so errors about the returned
    dict can name the line of the return that ran. Nested functions keep their returns."""

    def visit_Return(self, node):
        value = node.value if node.value is not None else ast.Constant(value=None)
        marked = ast.Tuple(elts=[ast.Constant(value=node.lineno), value], ctx=ast.Load())
        return ast.copy_location(ast.Return(value=ast.copy_location(marked, node)), node)

    def visit_FunctionDef(self, node):
        return node

    def visit_AsyncFunctionDef(self, node):
        return node

    def visit_Lambda(self, node):
        return node

    def visit_ClassDef(self, node):
        return node


def _parse_only(code, mode):
    """Used only when the sandbox is started with the policy check disabled (tests of deeper layers)."""
    try:
        return ast.parse(code, filename=SNIPPET_FILENAME, mode="eval" if mode == "condition" else "exec"), []
    except SyntaxError as error:
        return None, [syntax_issue(error, code, mode)]


# ---------------------------------------------------------------------------------------------------
# Results: JSON only, never Python objects.


class _Unstorable(Exception):
    def __init__(self, what):
        super().__init__(what)
        self.what = what


def _to_json(value, depth=0):
    if depth > MAX_OUTPUT_DEPTH:
        raise _Unstorable("a value nested too deeply (or one that contains itself)")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise _Unstorable(f"the whole number {value}, which is too large to store exactly")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unstorable(f"{value}, which is not a finite number")
        return value
    decimal = _state["decimal"]
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise _Unstorable(f"Decimal('{value}'), which is not a finite number")
        return int(value) if value == value.to_integral_value() else float(value)
    dt = _state["datetime"]
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unstorable(f"a dict with a {type(key).__name__} key ({key!r}); keys must be text")
            out[key] = _to_json(item, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [_to_json(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        raise _Unstorable("a set; use a list instead, like sorted(values)")
    if isinstance(value, dt.timedelta):
        raise _Unstorable("a timedelta; store a number instead, like (a - b).days")
    raise _Unstorable(f"a {type(value).__name__}; attributes can hold text, numbers, True/False, dates, lists and dicts")


def _clip(text):
    text = str(text)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "…"


def _snippet_position(error, shift):
    """The deepest line/column of the traceback that is in the snippet."""
    line = column = None
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == SNIPPET_FILENAME:
            line = tb.tb_lineno
            column = None
            try:
                positions = list(code.co_positions())
                start_line, _end, start_col, _end_col = positions[tb.tb_lasti // 2]
                if start_line == line and start_col is not None:
                    column = start_col + 1
            except (IndexError, ValueError):
                column = None
        tb = tb.tb_next
    if line == 1 and column is not None:
        column += shift
    return line, column


def _error(kind, message, line=None, column=None):
    return {"kind": kind, "message": _clip(message), "line": line, "column": column}


def _runtime_error(error, shift):
    line, column = _snippet_position(error, shift)
    name = type(error).__name__
    if isinstance(error, MemoryError):
        return _error("memory", "the code used more memory than a Procedure may use", line, column)
    if isinstance(error, RecursionError):
        return _error("runtime", "the code called itself too many times (too deep recursion)", line, column)
    if isinstance(error, KeyError) and len(error.args) == 1 and isinstance(error.args[0], str) and " " in error.args[0]:
        return _error("runtime", error.args[0], line, column)  # our own friendly attributes/data messages
    if isinstance(error, KeyError):
        return _error("runtime", f"KeyError: there is no key {error.args[0]!r} here" if error.args else "KeyError", line, column)
    detail = str(error)
    return _error("runtime", f"{name}: {detail}" if detail else name, line, column)


def _finish(body):
    body["printed"] = "".join(_run["printed"])
    body["printedTruncated"] = _run["printed_truncated"]
    return json.dumps(body, ensure_ascii=False, allow_nan=False)


def _reset_run():
    _run["printed"] = []
    _run["printed_size"] = 0
    _run["printed_truncated"] = False
    _run["write_lines"] = {}


def evaluate(request_json):
    request = json.loads(request_json)
    mode = request["mode"]
    _reset_run()
    compiled = _compile(request["code"], mode)
    if compiled.issues:
        line, column, message, kind = compiled.issues[0]
        more = len(compiled.issues) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        return _finish({"ok": False, "error": _error(kind, message, line, column)})

    dt = _state["datetime"]
    clock = dt.datetime.fromisoformat(request["now"].replace("Z", "+00:00"))
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=dt.timezone.utc)
    _state["clock"] = clock
    _state["printed_limit"] = int(request.get("printedLimit", 65_536))
    decimal = _state["decimal"]
    decimal.setcontext(decimal.Context())

    attributes = _Attributes(request["attributes"])
    namespace = {
        "__builtins__": dict(_state["builtins"]),
        "__name__": "procedure",
        "attributes": attributes,
        "data": _Data(request["data"]),
        "today": _state["today"],
        "now": _state["now"],
    }
    value = None
    returned = None
    return_line = None
    try:
        if mode == "condition":
            value = eval(compiled.code, namespace)
        else:
            exec(compiled.code, namespace)
            block = namespace.pop(BLOCK_FUNCTION)
            if block.__code__.co_flags & 0x20:  # CO_GENERATOR
                return _finish({"ok": False, "error": _error("policy", "'yield' can only be used inside a function", 1, 1)})
            outcome = block()
            if outcome is not None:
                return_line, returned = outcome
    except BaseException as error:  # noqa: BLE001 - every failure of user code is reported, none escapes
        return _finish({"ok": False, "error": _runtime_error(error, compiled.shift)})
    finally:
        _state["clock"] = None

    if mode == "condition" and not isinstance(value, bool):
        return _finish({"ok": False, "error": _error(
            "type",
            f"a condition must give True or False, but this one gave {_describe(value)}. "
            "Compare it explicitly, for example len(value) > 0 or value == \"refund\"",
            1, 1 + compiled.shift)})
    if returned is not None and not isinstance(returned, dict):
        return _finish({"ok": False, "error": _error(
            "type",
            f"a code block can only return a dict of attribute values, like return {{\"refund_amount\": 12.5}}, "
            f"but this one returned {_describe(returned)}",
            return_line)})

    try:
        final_attributes = {}
        for key, item in attributes.items():
            try:
                final_attributes[key] = _to_json(item)
            except _Unstorable as problem:
                return _finish({"ok": False, "error": _error(
                    "type", f"attribute {key!r} was set to {problem.what}", _run["write_lines"].get(key))})
        returned_json = None
        if returned is not None:
            try:
                returned_json = _to_json(returned)
            except _Unstorable as problem:
                return _finish({"ok": False, "error": _error(
                    "type", f"the returned dict holds {problem.what}", return_line)})
    except (RecursionError, MemoryError):
        return _finish({"ok": False, "error": _error("runtime", "the attributes written are nested too deeply to store")})

    return _finish({
        "ok": True,
        "value": value if mode == "condition" else None,
        "attributes": final_attributes,
        "returned": returned_json,
        "writeLines": dict(_run["write_lines"]),
        "returnLine": return_line,
    })


def _describe(value):
    name = type(value).__name__
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    article = "an" if name[:1] in "aeiou" else "a"
    return f"{article} {name} ({text})"


def check(request_json):
    request = json.loads(request_json)
    compiled = _compile(request["code"], request["mode"])
    issues = [{"line": line, "column": column, "message": message} for (line, column, message, _kind) in compiled.issues]
    return json.dumps({"issues": issues}, ensure_ascii=False)


def configure(options_json):
    """Per-process settings, applied after setup() (which may come from a memory snapshot)."""
    if not _state["setup"]:
        raise RuntimeError("configure() needs setup() first")
    options = json.loads(options_json)
    _state["skip_policy"] = bool(options.get("skipPolicyCheck", False))
    _cache.clear()
    return json.dumps({"python": sys.version.split()[0]})


def setup():
    """Once per interpreter, before any snapshot is taken: imports and facades, no per-process state."""
    if _state["setup"]:
        raise RuntimeError("setup() already ran")
    dt = _load_pure_datetime()
    now, today = _install_frozen_clock(dt)
    import decimal as decimal_module

    modules = {}
    for name in ALLOWED_IMPORTS:
        modules[name] = dt if name == "datetime" else __import__(name)
    facades = {name: _build_facade(name, module) for name, module in modules.items()}
    _state["facades"] = facades
    _state["datetime"] = dt
    _state["decimal"] = decimal_module
    _state["now"] = now
    _state["today"] = today
    builtins = _build_builtins(_make_importer(facades))
    builtins["print"] = _print
    _state["builtins"] = builtins
    # Lazy imports the runtime may need later, done now (before the audit hook, and into a snapshot).
    dt.datetime.strptime("2024-01-02 03:04", "%Y-%m-%d %H:%M")
    for codec in ("latin-1", "ascii", "utf-16", "cp1252", "idna"):
        "x".encode(codec)
    import sandbox_audit

    sandbox_audit.install()
    _state["setup"] = True
