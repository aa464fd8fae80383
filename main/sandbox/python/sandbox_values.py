"""Turns what code left in ``attributes`` (and returned) into JSON values, or says why it can't."""

import math

MAX_DEPTH = 64


class Unstorable(Exception):
    """A value that can't be an attribute; ``what`` describes it for the error message."""

    def __init__(self, what):
        super().__init__(what)
        self.what = what


def to_json(value, datetime_module, decimal_module, depth=0):
    if depth > MAX_DEPTH:
        raise Unstorable("a value nested too deeply (or one that contains itself)")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise Unstorable(f"the whole number {value}, which is too large to store exactly")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unstorable(f"{value}, which is not a finite number")
        return value
    if isinstance(value, decimal_module.Decimal):
        if not value.is_finite():
            raise Unstorable(f"Decimal('{value}'), which is not a finite number")
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime_module.date, datetime_module.time)):
        return value.isoformat()
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise Unstorable(f"a dict with a {type(key).__name__} key ({key!r}); keys must be text")
            out[key] = to_json(item, datetime_module, decimal_module, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(item, datetime_module, decimal_module, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        raise Unstorable("a set; use a list instead, like sorted(values)")
    if isinstance(value, datetime_module.timedelta):
        raise Unstorable("a timedelta; store a number instead, like (a - b).days")
    raise Unstorable(f"a {type(value).__name__}; attributes can hold text, numbers, True/False, dates, lists and dicts")


def describe(value):
    """'a list ([1, 2])': a value's type and a short repr, for messages."""
    name = type(value).__name__
    try:
        text = repr(value)
    except (RecursionError, MemoryError):
        text = "nested too deeply to show"
    if len(text) > 60:
        text = text[:57] + "..."
    article = "an" if name[:1] in "aeiou" else "a"
    return f"{article} {name} ({text})"
