"""Making what people and platforms hand in safe to store, show and look up: the one place where
control and invisible characters are taken out."""
from __future__ import annotations

import unicodedata

MAX_ID = 2 ** 31 - 1
# Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned characters.
INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")


def ref_id(value: str) -> int | None:
    """A row id handed out in a button or form; anything else (forged, huge) is None."""
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def without(text: str, categories: tuple[str, ...] = INVISIBLE, keep: str = "") -> str:
    """`text` without the characters of these Unicode categories, except those in `keep`."""
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in categories)


def printable(text: str | None, limit: int) -> str:
    """Platform-given names and ids: one line, no control characters (PostgreSQL refuses NUL)."""
    if not isinstance(text, str):
        return ""
    return without(text, ("Cc",))[:limit]


def answer_text(text: str) -> str:
    """What a person wrote: line breaks kept, invisible characters dropped, lines right-trimmed."""
    kept = without(text, keep="\n\t")
    return "\n".join(line.rstrip() for line in kept.strip().splitlines())


def one_line(text: str) -> str:
    """A command line: invisible characters dropped, any run of white space one space."""
    return " ".join(without(text, keep="\n\t\r").split())
