"""Checking the shape of a payload from outside before any handler reads it.

A request a platform signed is still data from outside: a field of the wrong type must get a
400, not an exception after the answer. A spec names only what the handlers read; extra fields
pass. A key ending in "?" may be missing or null; a "*" key makes every value match its spec;
a one-item list means a list whose items all match.
"""
from __future__ import annotations

OPTIONAL = "?"
ANY_KEY = "*"
TEXT = str
MAYBE_TEXT = (str, type(None))


def fits(value, spec) -> bool:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return False
        if ANY_KEY in spec:
            return all(fits(item, spec[ANY_KEY]) for item in value.values())
        for key, inner in spec.items():
            name, optional = key.rstrip(OPTIONAL), key.endswith(OPTIONAL)
            if value.get(name) is None:
                if not optional:
                    return False
                continue
            if not fits(value[name], inner):
                return False
        return True
    if isinstance(spec, list):
        return isinstance(value, list) and all(fits(item, spec[0]) for item in value)
    return isinstance(value, spec)
