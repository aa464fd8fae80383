"""A Python audit hook (PEP 578) that refuses host-touching events inside the sandbox's interpreter.

Not a boundary on its own (PEP 578 says as much), but a tripwire that Python code can't remove: once
added, an audit hook stays for the life of the interpreter. It turns the ways out that the policy check
and the restricted builtins already block (os.system, subprocess, sockets, file writes, gc walks, ...)
into a clean PermissionError even for code that got past both, instead of relying only on the process
layer (where os.system would end in a fatal error and a replaced interpreter).

The hook keeps no mutable state: everything it consults is in immutable default arguments, and it
refuses changes to any function's code and defaults, its own included.
"""

import sys

REFUSED_PREFIXES = (
    "os.", "subprocess.", "socket.", "urllib.", "http.", "ftplib.", "smtplib.", "imaplib.", "poplib.",
    "nntplib.", "telnetlib.", "webbrowser.", "ctypes.", "gc.", "shutil.", "tempfile.", "pty.", "mmap.",
    "fcntl.", "resource.", "signal.", "syslog.", "sqlite3.", "winreg.", "msvcrt.", "_winapi.", "pickle.",
    "ensurepip.", "pdb.", "cpython.", "sys.monitoring.",
)

# Events under a refused prefix that the runtime needs: importlib lists the folders on sys.path, and
# Pyodide sets the (virtual, wasm-only) environment when it starts from a memory snapshot.
ALLOWED_EVENTS = frozenset({"os.listdir", "os.scandir", "os.putenv", "os.unsetenv"})

REFUSED_EVENTS = frozenset({
    "sys.addaudithook", "sys.remote_exec", "sys._current_frames", "sys._current_exceptions",
    "sys.setprofile", "sys.settrace", "builtins.input", "builtins.breakpoint",
})

# Read-only access to the standard library (zip) and the runner's own files; nothing else.
READABLE_PREFIXES = ("/lib/", "/stepwise/")


# Pyodide's bridges to JavaScript: removed from sys.modules after start-up (sandbox_harden.py) and never
# imported again.
BRIDGE_MODULES = ("js", "pyodide_js", "pyodide", "_pyodide", "_pyodide_core")


def install():
    """Adds the hook (once per interpreter; it can't be removed)."""

    def hook(
        event,
        args,
        _bridges=BRIDGE_MODULES,
        _prefixes=REFUSED_PREFIXES,
        _allowed=ALLOWED_EVENTS,
        _refused=REFUSED_EVENTS,
        _readable=READABLE_PREFIXES,
        _sensitive=frozenset({"__code__", "__defaults__", "__kwdefaults__"}),
    ):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, bytes):
                path = path.decode("utf-8", "replace")
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & 0o3 != 0
            )
            if not isinstance(path, str) or not path.startswith(_readable) or writing:
                raise PermissionError(f"Procedures can't open files ({path!r})")
            return
        if event == "import":
            # Raised only for modules not in sys.modules: after start-up, a bridge module is one of those.
            name = args[0]
            if isinstance(name, str) and any(name == b or name.startswith(b + ".") for b in _bridges):
                raise PermissionError(f"Procedures can't use the Python runtime's bridges to JavaScript ({name})")
            return
        if event in ("object.__setattr__", "object.__delattr__"):
            # CPython audits only a few attribute changes (a function's code and defaults among them);
            # refusing those keeps this hook's own code and defaults as they are.
            name = args[1]
            if name in _sensitive:
                raise PermissionError(f"Procedures can't change {name!r} of a {type(args[0]).__name__}")
            return
        if event in _refused or (event.startswith(_prefixes) and event not in _allowed):
            raise PermissionError(f"Procedures can't do that ({event})")

    sys.addaudithook(hook)
