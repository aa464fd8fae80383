"""What code sees when it runs: restricted builtins, read-only module facades, ``attributes`` and
``data``, and a ``print`` that keeps a bounded amount of output.

This is the second line behind the policy check (sandbox_policy.py): it holds against code that
follows the rules by accident or by mistake, not against code with full Python; the process around
the interpreter is the boundary, and the restore after each evaluation ends whatever code changed
(see docs/security.md).

Every function and class that code can call here is compiled from ``_SURFACE_SOURCE`` into a namespace
of its own, which holds a few builtins and constants and no module: a function handed to code must not
lead to the host through its ``__globals__`` (this module's globals hold ``sys`` and ``builtins``).
"""

import builtins
import types

from sandbox_policy import BLOCKED_ATTRIBUTE_PREFIXES, BLOCKED_ATTRIBUTES, OFFERED_MEMBERS, WITHHELD_MEMBERS

SNIPPET_FILENAME = "<procedure>"

_SURFACE_SOURCE = '''
class FrozenModule(_ModuleType):
    def __setattr__(self, name, value):
        raise AttributeError(f"module '{self.__name__}' can't be changed in a Procedure")

    def __delattr__(self, name):
        raise AttributeError(f"module '{self.__name__}' can't be changed in a Procedure")


def make_importer(facades):
    """An ``__import__`` that hands out facades and nothing else."""

    def safe_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level != 0 or name not in facades:
            raise ImportError(f"'{name}' can't be imported in a Procedure")
        facade = facades[name]
        for member in fromlist or ():
            if member == "*" or member.startswith("_") or not hasattr(facade, member):
                raise ImportError(f"cannot import name '{member}' from '{name}'")
        return facade

    return safe_import


_INTERNAL = "that attribute is internal and can't be used"
_MISSING = object()


def _attribute_allowed(name):
    return (
        isinstance(name, str)
        and not name.startswith("_")
        and name not in _BLOCKED_ATTRIBUTES
        and not name.startswith(_BLOCKED_ATTRIBUTE_PREFIXES)
    )


def safe_getattr(value, name, default=_MISSING):
    if not _attribute_allowed(name):
        raise AttributeError(f"getattr(..., {name!r}): {_INTERNAL}")
    return getattr(value, name) if default is _MISSING else getattr(value, name, default)


def safe_hasattr(value, name):
    if not _attribute_allowed(name):
        raise AttributeError(f"hasattr(..., {name!r}): {_INTERNAL}")
    return hasattr(value, name)


def one_arg_type(value):
    # The class of a class is a metaclass, and calling one creates classes: type(type(1))("X", (), {}).
    if isinstance(value, type):
        raise TypeError("type() of a class isn't available in a Procedure: it would create classes")
    return type(value)


def _snippet_line():
    """The line of the innermost snippet frame that called us. The frame comes from a traceback, not
    from sys, which this namespace doesn't hold."""
    try:
        raise LookupError
    except LookupError as caught:
        frame = caught.__traceback__.tb_frame.f_back
    while frame is not None:
        if frame.f_code.co_filename == _SNIPPET_FILENAME:
            return frame.f_lineno
        frame = frame.f_back
    return None


class Run:
    """What one evaluation collects: printed text (bounded) and the line of each attribute write."""

    __slots__ = ("_limit", "_parts", "_size", "truncated", "write_lines")

    def __init__(self, printed_limit):
        self._limit = printed_limit
        self._parts = []
        self._size = 0
        self.truncated = False
        self.write_lines = {}

    @property
    def printed(self):
        return "".join(self._parts)

    def print(self, *values, sep=" ", end="\\n", flush=False):
        sep = " " if sep is None else sep
        end = "\\n" if end is None else end
        if not isinstance(sep, str) or not isinstance(end, str):
            raise TypeError("print(): sep and end must be text")
        room = self._limit - self._size
        if room <= 0:
            self.truncated = True
            return
        text = sep.join(str(value) for value in values) + end
        if len(text) > room:
            text = text[:room]
            self.truncated = True
        self._parts.append(text)
        self._size += len(text)


class Attributes(dict):
    """The conversation's attributes. Remembers the line of each write, for error messages."""

    __slots__ = ("_run",)

    def __init__(self, values, run):
        super().__init__(values)
        self._run = run

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError(f"attribute names are text, like attributes[\\"refund_amount\\"], not {type(key).__name__}")
        line = _snippet_line()
        if line is not None:
            self._run.write_lines[key] = line
        dict.__setitem__(self, key, value)

    def __missing__(self, key):
        raise KeyError(f"attribute {key!r} has no value yet: it is collected or computed later, "
                       f"or not at all. Use attributes.get({key!r}) to allow for that")


class Data(dict):
    """Connector results keyed by action, like data["shop.get_order"]."""

    __slots__ = ()

    def __missing__(self, key):
        known = ", ".join(repr(k) for k in sorted(self)) or "none yet"
        raise KeyError(f"data has no result for {key!r} (results so far: {known}). "
                       "Make sure that action runs before this code")


# To the people who write Procedures these are dicts, and error messages should say so.
Attributes.__name__ = Attributes.__qualname__ = "dict"
Data.__name__ = Data.__qualname__ = "dict"
'''

_SURFACE_BUILTINS = (
    "__build_class__", "AttributeError", "ImportError", "KeyError", "LookupError", "TypeError", "dict",
    "getattr", "hasattr", "isinstance", "len", "object", "property", "repr", "sorted", "str", "super", "type",
)


def _build_surface():
    namespace = {
        "__builtins__": {name: getattr(builtins, name) for name in _SURFACE_BUILTINS},
        "__name__": "procedure",
        "_ModuleType": types.ModuleType,
        "_BLOCKED_ATTRIBUTES": frozenset(BLOCKED_ATTRIBUTES),
        "_BLOCKED_ATTRIBUTE_PREFIXES": tuple(BLOCKED_ATTRIBUTE_PREFIXES),
        "_SNIPPET_FILENAME": SNIPPET_FILENAME,
    }
    exec(compile(_SURFACE_SOURCE, "<surface>", "exec"), namespace)
    return namespace


_surface = _build_surface()
Run = _surface["Run"]
Attributes = _surface["Attributes"]
Data = _surface["Data"]
make_importer = _surface["make_importer"]

# ---------------------------------------------------------------------------------------------------
# Modules: read-only facades with the offered public names only (see OFFERED_MEMBERS and
# WITHHELD_MEMBERS in sandbox_policy.py: the policy refuses the same names before anything runs).


def build_facade(name, module):
    """A read-only module with the offered public, non-module members of ``module``: no statistics.sys,
    json.decoder, re.enum, collections.abc, functools.update_wrapper, ..."""
    facade = _surface["FrozenModule"](name)
    withheld = WITHHELD_MEMBERS.get(name, {})
    offered = OFFERED_MEMBERS.get(name)
    for member in dir(module):
        if member.startswith("_") or member in withheld or (offered is not None and member not in offered):
            continue
        value = getattr(module, member)
        if not isinstance(value, types.ModuleType):
            types.ModuleType.__setattr__(facade, member, value)
    return facade


# ---------------------------------------------------------------------------------------------------
# Builtins.

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


def build_builtins(importer):
    """The builtins every evaluation starts from (copied per evaluation); ``print`` is added per run."""
    safe = {name: getattr(builtins, name) for name in _BUILTIN_NAMES}
    safe["__import__"] = importer
    safe["getattr"] = _surface["safe_getattr"]
    safe["hasattr"] = _surface["safe_hasattr"]
    safe["type"] = _surface["one_arg_type"]
    return safe
