"""The platform registry: every package under bot/platforms/ that exports a SPEC is a platform.

Adding a platform is one package here (and its fake under tests/fakes/); nothing else in the bot
names it. Specs are cheap to import: SDKs load only when a platform is created.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache

from bot.ports import Env, Platform, PlatformSpec, Runtime


@lru_cache(maxsize=None)
def specs() -> dict[str, PlatformSpec]:
    found = {}
    for module in pkgutil.iter_modules(__path__):
        if module.ispkg:
            spec = getattr(importlib.import_module(f"{__name__}.{module.name}"), "SPEC", None)
            if isinstance(spec, PlatformSpec):
                found[spec.name] = spec
    return dict(sorted(found.items()))


def spec(name: str) -> PlatformSpec:
    return specs()[name]


def read_all(env: Env) -> dict[str, object]:
    """Every platform's settings, checked: a wrong variable is a ConfigError at start, whatever runs."""
    return {name: s.settings(env) for name, s in specs().items()}


def enabled(env: Env) -> list[str]:
    """Platforms whose credentials are set (the console is opened on its own, never served)."""
    return [name for name, s in specs().items() if s.enabled(s.settings(env))]


def create(name: str, runtime: Runtime, env: Env) -> Platform:
    s = spec(name)
    return s.create(runtime, s.settings(env))


def secrets(env: Env) -> list[str]:
    return [secret for s in specs().values() for secret in s.secrets(s.settings(env)) if secret]


def group_chats(platform: str) -> bool:
    """Can it open one conversation with several people (Slack)? Unknown platforms can't."""
    s = specs().get(platform)
    return s is not None and s.group_chats


def command_prefix(platform: str, lang: str = "") -> str:
    """How a command is typed there: '/circle' (the default, also for unknown platforms) or '';
    '/piiri' for a Finnish reader where the platform has the word of every language (the console)."""
    s = specs().get(platform)
    return "/circle" if s is None else dict(s.command_prefixes).get(lang, s.command_prefix)


@lru_cache(maxsize=1)
def mention_markup() -> re.Pattern:
    """Every platform's mention markup in one pattern (the scrubber replaces it before text leaves)."""
    parts = [s.mention_markup for s in specs().values() if s.mention_markup]
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE | re.DOTALL)


def loggers() -> tuple[str, ...]:
    return tuple(name for s in specs().values() for name in s.loggers)
