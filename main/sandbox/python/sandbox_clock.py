"""The conversation's frozen clock.

``datetime`` is loaded from its pure-Python implementation (``_pydatetime``), whose classes can be
patched, so that every route to the current time, ``date.today()``, ``datetime.now()``, ``utcnow()`` and
even ``type(some_date).today()``, reads the clock the conversation froze. Results stay the same on every
run and every machine.
"""

import sys


def load_pure_datetime():
    """Imports datetime from _pydatetime instead of the C module, and returns it."""
    sys.modules["_datetime"] = None  # makes `from _datetime import *` fail, so datetime falls back
    sys.modules.pop("datetime", None)
    import datetime

    pure = sys.modules.get("_pydatetime")
    if pure is None or datetime.date is not pure.date:
        raise RuntimeError("could not load the pure-Python datetime module")
    return datetime


# The functions code can reach: today(), now() and the patched datetime class methods. They are
# compiled into a namespace of their own that holds only the clock's current moment, the UTC zone and
# one exception, never this module's globals: a function handed to code must not lead to the host
# (``today.__globals__`` once held this module's ``sys``).
_USER_FACING_SOURCE = """
def _moment():
    if _current[0] is None:
        raise RuntimeError("the conversation clock is not set")
    return _current[0]

def now():
    \"\"\"The conversation's current moment (timezone-aware), fixed for the whole conversation.\"\"\"
    return _moment()

def today():
    \"\"\"The conversation's current date, fixed for the whole conversation.\"\"\"
    return _moment().date()

def frozen_now(cls, tz=None):
    moment = _moment()
    return moment.replace(tzinfo=None) if tz is None else moment.astimezone(tz)

def frozen_utcnow(cls):
    return _moment().astimezone(_utc).replace(tzinfo=None)

def frozen_today_datetime(cls):
    return _moment().replace(tzinfo=None)

def frozen_today_date(cls):
    return _moment().date()
"""


class FrozenClock:
    """Holds the current evaluation's moment; ``today()`` and ``now()`` read it."""

    def __init__(self, datetime_module):
        self._dt = datetime_module
        self._current = [None]

    def set(self, iso_timestamp):
        """Sets the clock from an ISO timestamp; one without an offset means UTC."""
        moment = self._dt.datetime.fromisoformat(iso_timestamp.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self._dt.timezone.utc)
        self._current[0] = moment

    def clear(self):
        self._current[0] = None

    def install(self):
        """Patches the datetime classes and returns the ``now`` and ``today`` functions code sees."""
        dt = self._dt
        namespace = {
            "__builtins__": {"RuntimeError": RuntimeError},
            "__name__": "procedure",
            "_current": self._current,
            "_utc": dt.timezone.utc,
        }
        exec(compile(_USER_FACING_SOURCE, "<clock>", "exec"), namespace)
        dt.datetime.now = classmethod(namespace["frozen_now"])
        dt.datetime.utcnow = classmethod(namespace["frozen_utcnow"])
        dt.datetime.today = classmethod(namespace["frozen_today_datetime"])
        dt.date.today = classmethod(namespace["frozen_today_date"])
        return namespace["now"], namespace["today"]
