"""Making platform-given values safe to store and to look up."""
from __future__ import annotations

MAX_ID = 2 ** 31 - 1


def ref_id(value: str) -> int | None:
    """A row id handed out in a button or form; anything else (forged, huge) is None."""
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def printable(text: str | None, limit: int) -> str:
    """Platform-given names and ids without control characters (PostgreSQL refuses NUL)."""
    if not isinstance(text, str):
        return ""
    return "".join(ch for ch in text if ch >= " " and ch != "\x7f")[:limit]
