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


class FrozenClock:
    """Holds the current evaluation's moment; ``today()`` and ``now()`` read it."""

    def __init__(self, datetime_module):
        self._dt = datetime_module
        self._now = None

    def set(self, iso_timestamp):
        """Sets the clock from an ISO timestamp; one without an offset means UTC."""
        moment = self._dt.datetime.fromisoformat(iso_timestamp.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self._dt.timezone.utc)
        self._now = moment

    def clear(self):
        self._now = None

    def current(self):
        if self._now is None:
            raise RuntimeError("the conversation clock is not set")
        return self._now

    def install(self):
        """Patches the datetime classes and returns the ``now`` and ``today`` functions code sees."""
        dt = self._dt
        clock = self.current
        utc = dt.timezone.utc

        def frozen_now(cls, tz=None):
            moment = clock()
            return moment.replace(tzinfo=None) if tz is None else moment.astimezone(tz)

        def frozen_utcnow(cls):
            return clock().astimezone(utc).replace(tzinfo=None)

        def frozen_today_datetime(cls):
            return clock().replace(tzinfo=None)

        def frozen_today_date(cls):
            return clock().date()

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
