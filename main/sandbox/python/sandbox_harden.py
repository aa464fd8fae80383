"""Cuts what is left of the Python -> JavaScript bridges once Pyodide has started.

After the child unregisters the ``js`` and ``pyodide_js`` modules, Pyodide's own modules still hold a
few JavaScript objects (e.g. ``pyodide.webloop.scheduleCallback``, a JS scheduler that would run Python
callbacks between jobs, and ``pyodide._package_loader.loadedPackages``, a plain JS object). Code that got
full Python could reach them through ``sys.modules``. This drops the JS modules from ``sys.modules``
and replaces every JsProxy held by a module's namespace with None.
"""

import sys

BRIDGE_MODULES = ("js", "pyodide_js", "pyodide.http")


def harden():
    """Returns the names it cut, for the boot log and tests."""
    from pyodide.ffi import JsProxy

    cut = []
    for name in list(sys.modules):
        if name in BRIDGE_MODULES or name.startswith(tuple(module + "." for module in BRIDGE_MODULES)):
            del sys.modules[name]
            cut.append(name)
    for module_name, module in list(sys.modules.items()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(namespace, dict):
            continue
        for name, value in list(namespace.items()):
            if isinstance(value, JsProxy):
                namespace[name] = None
                cut.append(f"{module_name}.{name}")
    return cut
