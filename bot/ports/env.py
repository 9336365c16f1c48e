"""Reading settings from the environment: one parser for every platform and the core.

Each value is checked where it is read, and a wrong one raises ConfigError with the variable's
name and what was expected, so `python -m bot` can say it in one line instead of a stack trace.
"""
from __future__ import annotations

from collections.abc import Mapping

TRUE = ("1", "true", "yes", "on")


class ConfigError(ValueError):
    """A setting is wrong; the message names it and says what is expected."""


class Env:
    """The variables a process started with (and a .env file's), read-only."""

    def __init__(self, values: Mapping[str, str] | None = None):
        self._values = dict(values or {})

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def __repr__(self) -> str:  # values may be secrets
        return f"Env({len(self._values)} variables)"

    def with_values(self, **values: str) -> "Env":
        """A copy with some variables set (tests, and commands that override one)."""
        return Env({**self._values, **values})

    def names(self, prefix: str) -> list[str]:
        """The variables set whose names start with prefix (another tool's settings, to check them all)."""
        return sorted(name for name in self._values if name.startswith(prefix))

    def text(self, name: str, default: str = "") -> str:
        return self._values.get(name, default).strip()

    def flag(self, name: str) -> bool:
        return self.text(name).lower() in TRUE

    def whole(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.text(name, str(default))
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
        return value

    def decimal(self, name: str, default: float, low: float, high: float, unit: str) -> float:
        raw = self.text(name, f"{default:g}")
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number of {unit}, got {raw!r}") from None
        if not low <= value <= high:
            raise ConfigError(f"{name} must be between {low:g} and {high:g} {unit}, got {value:g}")
        return value
