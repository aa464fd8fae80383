"""Makes Pyodide's bridges to JavaScript unreachable from Python once the interpreter has started.

The child first unregisters the ``js`` and ``pyodide_js`` modules. What is left: Pyodide's own Python
packages (``pyodide``, ``pyodide.ffi``, ``pyodide.code``, ``_pyodide``...) and the C module
``_pyodide_core`` behind them, which can turn Python values into JavaScript objects, plus a few
JavaScript objects those packages hold (``pyodide.webloop.scheduleCallback``, a JS scheduler that would
run Python callbacks between jobs; ``pyodide._package_loader.loadedPackages``, a plain JS object).

Nothing needs them after start-up: the engine calls the runner through Pyodide's C API. So this
removes those modules from ``sys.modules``, and replaces with None every reference that a module's
namespace holds to a JsProxy, to one of those modules, or to a function or class they define. The audit
hook (sandbox_audit.py) refuses to import them again.

The import hook sees only imports through ``__import__``; ``importlib.import_module`` and
``_imp.create_builtin(spec)`` create a built-in module without any audit event, and the C module
``_pyodide_core`` stays in the interpreter's table of built-in modules. So, last, the built-in modules
that the offered standard library may still load lazily are loaded now, and ``_imp``'s two module
factories are replaced by functions that refuse: no built-in or extension module can be created after
start-up, ``_pyodide_core`` included. The replacements hold no reference to the originals, so there is
nothing to recover them from.

Finally the runner's own modules leave ``sys.modules``: the engine holds the entry points it calls.
"""

import sys

BRIDGE_PREFIXES = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core")


def is_bridge_module(name):
    return isinstance(name, str) and any(name == p or name.startswith(p + ".") for p in BRIDGE_PREFIXES)


# Built-in C modules that the offered modules (re, json, statistics, decimal, collections, str.encode's
# codecs, ...) may import on first use. Everything else built in (_ctypes, _testcapi, _socket, ...) can
# never be created once harden() ran.
LAZY_BUILTINS = (
    "_bisect", "_heapq", "_json", "_random", "_statistics", "_struct", "_decimal", "_contextvars",
    "_locale", "_string", "_opcode", "_typing", "unicodedata", "binascii", "zlib", "cmath", "array",
    "_multibytecodec", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr",
    "_codecs_tw",
)


def _refuse_module_creation(*args, **kwargs):
    raise ImportError("Procedures can't load modules")


def close_module_factories():
    """Loads the lazily needed built-ins, then makes ``_imp`` unable to create any more modules."""
    import _imp

    for name in LAZY_BUILTINS:
        if name in sys.builtin_module_names and name not in sys.modules:
            __import__(name)
    for factory in ("create_builtin", "create_dynamic", "exec_builtin", "exec_dynamic"):
        setattr(_imp, factory, _refuse_module_creation)


def drop_runner_modules():
    """Takes the runner's modules out of sys.modules and __main__ (the engine keeps what it calls)."""
    main = sys.modules.get("__main__")
    for name in [name for name in sys.modules if name.startswith("sandbox_")]:
        del sys.modules[name]
        if main is not None:
            main.__dict__.pop(name, None)


def harden():
    """Returns what it cut (module names and namespace entries), for tests and diagnostics."""
    from pyodide.ffi import JsProxy

    bridges = {name: module for name, module in sys.modules.items() if is_bridge_module(name)}
    bridge_ids = {id(module) for module in bridges.values()}

    def from_bridge(value):
        if isinstance(value, JsProxy) or id(value) in bridge_ids:
            return True
        if isinstance(value, type):
            return is_bridge_module(type.__getattribute__(value, "__module__"))
        if is_bridge_module(type(value).__module__):  # e.g. jsnull, Pyodide's event loop policy
            return True
        return callable(value) and is_bridge_module(getattr(value, "__module__", None))

    cut = []

    def scrub(container, where, depth):
        """Replaces bridge values in a dict or list (and the dicts and lists in it) with None."""
        items = list(container.items()) if isinstance(container, dict) else list(enumerate(container))
        for key, value in items:
            if from_bridge(value) or (isinstance(value, tuple) and any(from_bridge(item) for item in value)):
                container[key] = None
                cut.append(f"{where}[{key!r}]")
            elif depth < 3 and isinstance(value, (dict, list)):
                scrub(value, f"{where}[{key!r}]", depth + 1)

    # Pyodide's import hooks (its JS-module finder among them) go first, so that the scrub below never
    # leaves a None in them; the standard finders stay.
    for hooks in (sys.meta_path, sys.path_hooks):
        for hook in list(hooks):
            if from_bridge(hook):
                hooks.remove(hook)
                cut.append(f"import hook {getattr(hook, '__name__', type(hook).__name__)}")
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if isinstance(namespace, dict) and module_name != __name__:
            scrub(namespace, module_name, 0)
    # typing keeps every @overload stub by module; drop the bridge modules' stubs.
    registry = getattr(sys.modules.get("typing"), "_overload_registry", None)
    if isinstance(registry, dict):
        for module_name in [name for name in registry if is_bridge_module(name)]:
            del registry[module_name]
            cut.append(f"typing overloads of {module_name}")
    for name in bridges:
        del sys.modules[name]
        cut.append(name)
    close_module_factories()
    drop_runner_modules()
    return cut
