"""Layer 1 of the Python sandbox: a static policy check.

Parses Procedure code with Python's own ``ast`` module and refuses every construct that could lead
back to the host (imports outside a short list, private/dunder attributes, introspection builtins,
frame and code objects, str.format attribute lookups, ...). Nothing here executes the code.

Runs inside the sandbox's Pyodide interpreter. ``check(code, mode)`` returns a list of issues:
``(line, column, message, kind)`` (kind is "syntax" or "policy") with 1-based line and column relative to the snippet, in characters.
"""

import ast

MAX_CODE_CHARS = 20_000

ALLOWED_IMPORTS = (
    "collections",
    "datetime",
    "decimal",
    "functools",
    "itertools",
    "json",
    "math",
    "re",
    "statistics",
    "string",
)

# What each module offers. functools is an allow-list: most of it works on functions' internals by name
# (update_wrapper/wraps copy attributes named in data, such as "__globals__") or evaluates annotations
# (singledispatch). The others offer their public names except those withheld here.
OFFERED_MEMBERS = {
    "functools": ("cache", "cmp_to_key", "lru_cache", "partial", "reduce"),
}
_COPIES_INTERNALS = "it copies functions' internals by name, which would reach outside the Procedure"
WITHHELD_MEMBERS = {
    "functools": {
        "update_wrapper": _COPIES_INTERNALS,
        "wraps": _COPIES_INTERNALS,
        "WRAPPER_ASSIGNMENTS": _COPIES_INTERNALS,
        "WRAPPER_UPDATES": _COPIES_INTERNALS,
        "singledispatch": "it evaluates type annotations as code",
        "singledispatchmethod": "it evaluates type annotations as code",
        "cached_property": "it is only useful in classes, which Procedures don't use",
        "partialmethod": "it is only useful in classes, which Procedures don't use",
        "total_ordering": "it changes classes, which Procedures don't use",
    },
    # string.Formatter looks attributes up by name at run time ("{0.__class__}").
    "string": {"Formatter": "it looks attributes up by name; use an f-string instead"},
    # Shared, mutable context singletons would carry state from one evaluation to the next.
    "decimal": {
        "DefaultContext": "it is shared; use decimal.localcontext() or decimal.Context()",
        "BasicContext": "it is shared; use decimal.Context()",
        "ExtendedContext": "it is shared; use decimal.Context()",
    },
}
WITHHELD_NAMES = {name: f"{module}.{name} isn't available: {reason}"
                  for module, members in WITHHELD_MEMBERS.items() for name, reason in members.items()}

# Names the runtime gives to every snippet. Rebinding them would silently lose attribute writes.
RESERVED_NAMES = frozenset({"attributes", "data", "today", "now"})

_REACHES_HOST = "it could reach outside the Procedure"

FORBIDDEN_NAMES = {
    "eval": "eval() runs code from text, " + _REACHES_HOST,
    "exec": "exec() runs code from text, " + _REACHES_HOST,
    "compile": "compile() builds code from text, " + _REACHES_HOST,
    "open": "open() would read or write files; Procedures can't use files",
    "__import__": "__import__() bypasses the import rules; use a plain import statement",
    "globals": "globals() exposes the runtime's internals",
    "locals": "locals() exposes the runtime's internals",
    "vars": "vars() exposes objects' internals",
    "breakpoint": "breakpoint() starts a debugger, which Procedures can't use",
    "input": "input() waits for a keyboard; Procedures get their values from attributes and data",
    "help": "help() is for interactive use only",
    "exit": "exit() would stop the runtime; use return to leave a code block early",
    "quit": "quit() would stop the runtime; use return to leave a code block early",
    "setattr": "setattr() changes objects' internals; put values in a dict or in attributes[...]",
    "delattr": "delattr() changes objects' internals",
    "memoryview": "memoryview() exposes raw memory",
    "id": "id() gives a different answer on every run, so results would not be repeatable",
    "object": "object is not needed in Procedures; use dicts and lists",
    "super": "super() is only useful in classes, which Procedures don't use",
    "classmethod": "classmethod is only useful in classes, which Procedures don't use",
    "staticmethod": "staticmethod is only useful in classes, which Procedures don't use",
    "property": "property is only useful in classes, which Procedures don't use",
}

# getattr/hasattr are allowed only as a direct call with a literal, public attribute name.
LITERAL_NAME_CALLS = ("getattr", "hasattr")

# Attributes that expose frames, code objects or the class hierarchy without a leading underscore.
BLOCKED_ATTRIBUTE_PREFIXES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_")
BLOCKED_ATTRIBUTES = {
    "mro": "mro() exposes the class hierarchy",
    "format": "str.format() can look up attributes by name; use an f-string instead, like f\"{amount:.2f}\"",
    "format_map": "str.format_map() can look up attributes by name; use an f-string instead",
    "with_traceback": "tracebacks expose the runtime's internals",
}

_HOST_MODULE_HINT = {
    "os": "Procedures can't use the operating system",
    "sys": "Procedures can't use the interpreter's internals",
    "subprocess": "Procedures can't start programs",
    "socket": "Procedures can't use the network; connector actions fetch data",
    "urllib": "Procedures can't use the network; connector actions fetch data",
    "http": "Procedures can't use the network; connector actions fetch data",
    "pyodide": "Procedures can't use the Python runtime's internals",
    "pyodide_js": "Procedures can't use the Python runtime's internals",
    "js": "Procedures can't use JavaScript",
    "zoneinfo": "time zone data is not bundled offline; use datetime.timezone(datetime.timedelta(hours=...)) for a fixed offset",
    "time": "use today() and now(), which are fixed for the whole conversation",
    "random": "results must be the same every time, so randomness is not available",
}


def _allowed_list():
    return ", ".join(ALLOWED_IMPORTS)


def _import_message(module):
    root = module.split(".")[0]
    if root in ALLOWED_IMPORTS:
        return f"import {root} itself instead of '{module}'; only these modules can be imported: {_allowed_list()}"
    hint = _HOST_MODULE_HINT.get(root)
    reason = f" ({hint})" if hint else ""
    return f"'{module}' can't be imported in a Procedure{reason}. You can import: {_allowed_list()}"


def _is_type_call(node):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "type"


def _is_dunder(name):
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


class _Source:
    """Converts ast byte offsets (UTF-8) to 1-based character columns."""

    def __init__(self, code):
        self.lines = code.splitlines()

    def column(self, lineno, byte_col):
        if lineno is None or byte_col is None:
            return 1
        if 1 <= lineno <= len(self.lines):
            raw = self.lines[lineno - 1].encode("utf-8")[:byte_col]
            return len(raw.decode("utf-8", errors="ignore")) + 1
        return byte_col + 1


class _At:
    """A position to report at, when it is not a node's own start."""

    def __init__(self, lineno, col_offset):
        self.lineno = lineno
        self.col_offset = col_offset


class _Checker:
    def __init__(self, code, mode):
        self.mode = mode
        self.source = _Source(code)
        self.issues = []

    def add(self, node, message):
        line = getattr(node, "lineno", 1) or 1
        column = self.source.column(line, getattr(node, "col_offset", 0))
        self.issues.append((line, column, message, "policy"))

    def run(self, tree):
        # Iterative walk (no recursion, so deep nesting can't exhaust the stack).
        # Each entry: (node, inside_function, allowed_literal_call_names)
        literal_ok = set()
        stack = [(tree, False)]
        while stack:
            node, in_function = stack.pop()
            self.visit(node, in_function, literal_ok)
            child_in_function = in_function or isinstance(node, (ast.FunctionDef, ast.Lambda))
            for child in ast.iter_child_nodes(node):
                stack.append((child, child_in_function))

    def visit(self, node, in_function, literal_ok):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in ALLOWED_IMPORTS:
                    self.add(node, _import_message(alias.name))
                self.check_binding(node, alias.asname)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                self.add(node, "relative imports can't be used in a Procedure")
            elif module not in ALLOWED_IMPORTS:
                self.add(node, _import_message(module))
            for alias in node.names:
                if alias.name == "*":
                    self.add(node, f"'from {module} import *' isn't allowed; import the names you need")
                elif alias.name.startswith("_"):
                    self.add(node, f"'{alias.name}' is internal to {module} and can't be imported")
                elif alias.name in WITHHELD_MEMBERS.get(module, {}) or (
                        module in OFFERED_MEMBERS and alias.name not in OFFERED_MEMBERS[module]):
                    reason = WITHHELD_MEMBERS.get(module, {}).get(alias.name)
                    offered = ", ".join(OFFERED_MEMBERS.get(module, ()))
                    self.add(node, f"{module}.{alias.name} isn't available: {reason}" if reason
                             else f"{module}.{alias.name} isn't available; from {module} you can use {offered}")
                self.check_binding(node, alias.asname or alias.name)
        elif isinstance(node, ast.Attribute):
            self.check_attribute(node)
        elif isinstance(node, ast.Name):
            self.check_name(node, literal_ok)
        elif isinstance(node, ast.Call):
            self.check_call(node, literal_ok)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _is_dunder(node.value):
            # Text naming an internal is only useful to library code that looks attributes up by name,
            # like functools.update_wrapper(..., updated=("__globals__",)).
            self.add(node, f"the text {node.value!r} names an internal of Python, which Procedures can't use")
        elif isinstance(node, ast.ClassDef):
            self.add(node, "classes can't be defined in a Procedure; use dicts and functions")
        elif isinstance(node, (ast.AsyncFunctionDef, ast.AsyncFor, ast.AsyncWith, ast.Await)):
            self.add(node, "async code can't be used in a Procedure")
        elif isinstance(node, ast.comprehension) and node.is_async:
            self.add(node.target, "async code can't be used in a Procedure")
        elif isinstance(node, ast.Global):
            self.add(node, "'global' can't be used in a Procedure")
        elif isinstance(node, (ast.Yield, ast.YieldFrom)) and not in_function:
            self.add(node, "'yield' can only be used inside a function")
        elif isinstance(node, ast.FunctionDef):
            self.check_binding(node, node.name)
        elif isinstance(node, ast.arg):
            self.check_binding(node, node.arg)
        elif isinstance(node, ast.ExceptHandler):
            self.check_binding(node, node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)):
            self.check_binding(node, node.name)
        elif isinstance(node, ast.MatchMapping):
            self.check_binding(node, node.rest)
        elif isinstance(node, ast.MatchClass):
            self.add(node, "class patterns can't be used in a Procedure; match on dicts, lists and values")
        elif isinstance(node, ast.Nonlocal):
            for name in node.names:
                self.check_binding(node, name)

    def check_binding(self, node, name):
        if not name:
            return
        if name in RESERVED_NAMES:
            self.add(node, f"'{name}' is provided by the Procedure and can't be replaced"
                     + (f"; set its keys instead, like {name}[\"key\"] = value" if name == "attributes" else ""))
        elif _is_dunder(name):
            self.add(node, f"'{name}' is internal to Python and can't be used")
        elif name in FORBIDDEN_NAMES or name in LITERAL_NAME_CALLS:
            self.add(node, f"'{name}' is a built-in that Procedures can't use or replace")

    def check_attribute(self, node):
        attr = node.attr
        # Point at the attribute name itself, not at the start of the expression before the dot.
        at = _At(node.end_lineno, node.end_col_offset - len(attr.encode("utf-8")))
        if attr.startswith("_"):
            self.add(at, f"'.{attr}': names starting with '_' are internal to Python and can't be used")
        elif attr in BLOCKED_ATTRIBUTES:
            self.add(at, f"'.{attr}' can't be used: {BLOCKED_ATTRIBUTES[attr]}")
        elif attr.startswith(BLOCKED_ATTRIBUTE_PREFIXES):
            self.add(at, f"'.{attr}' exposes the runtime's internals and can't be used")
        elif attr in WITHHELD_NAMES:
            self.add(at, WITHHELD_NAMES[attr])
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.add(at, f"setting attributes on objects (.{attr} = ...) isn't allowed; "
                     "put values in a dict or in attributes[\"name\"]")

    def check_name(self, node, literal_ok):
        name = node.id
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.check_binding(node, name)
            return
        if _is_dunder(name):
            self.add(node, f"'{name}' is internal to Python and can't be used")
        elif name in FORBIDDEN_NAMES:
            self.add(node, f"'{name}' can't be used: {FORBIDDEN_NAMES[name]}")
        elif name in LITERAL_NAME_CALLS and id(node) not in literal_ok:
            self.add(node, f"{name}() can only be called directly with a quoted attribute name, "
                     f"like {name}(value, \"real\")")

    def check_call(self, node, literal_ok):
        func = node.func
        if isinstance(func, ast.Name) and func.id in LITERAL_NAME_CALLS:
            if len(node.args) >= 2 and not node.keywords and not any(isinstance(a, ast.Starred) for a in node.args):
                name_arg = node.args[1]
                if isinstance(name_arg, ast.Constant) and isinstance(name_arg.value, str):
                    literal = name_arg.value
                    if literal.startswith("_") or literal in BLOCKED_ATTRIBUTES or literal.startswith(BLOCKED_ATTRIBUTE_PREFIXES):
                        self.add(node, f"{func.id}(..., \"{literal}\"): that attribute is internal and can't be used")
                    literal_ok.add(id(func))
        elif isinstance(func, ast.Name) and func.id == "type":
            if len(node.args) != 1 or node.keywords:
                self.add(node, "type() can only be used with one argument, to see what kind of value something is")
            elif _is_type_call(node.args[0]):
                self.add(node, "type(type(...)) gives the class of classes, which would create classes; Procedures don't use classes")
        elif isinstance(func, ast.Name) and func.id == "print":
            for keyword in node.keywords:
                if keyword.arg == "file":
                    self.add(node, "print(file=...) isn't available; print() output is shown in the trace")


def syntax_issue(error, code, mode):
    line = error.lineno or 1
    column = error.offset or 1
    message = error.msg or "invalid syntax"
    if isinstance(error, IndentationError):
        message = f"indentation problem: {message}"
    else:
        message = f"syntax error: {message}"
    if mode == "condition":
        try:
            ast.parse(code, mode="exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
        else:
            message += ". A condition must be a single expression that is True or False, like attributes[\"days\"] <= 30"
    return (line, max(column, 1), message, "syntax")


def parse(code, mode):
    """Parse and check. Returns (tree or None, issues)."""
    if len(code) > MAX_CODE_CHARS:
        return None, [(1, 1, f"this code is {len(code):,} characters long; the limit is {MAX_CODE_CHARS:,}", "policy")]
    if "\x00" in code:
        return None, [(1, 1, "the code contains a NUL character; remove it", "syntax")]
    try:
        tree = ast.parse(code, filename="<procedure>", mode="eval" if mode == "condition" else "exec")
    except SyntaxError as error:
        return None, [syntax_issue(error, code, mode)]
    except (RecursionError, MemoryError):
        return None, [(1, 1, "the code is nested too deeply to read; split it into smaller expressions", "syntax")]
    checker = _Checker(code, mode)
    checker.run(tree)
    issues = sorted(set(checker.issues))
    return tree, issues
