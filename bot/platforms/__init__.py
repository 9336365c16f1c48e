"""Platform registry. Adding a platform is one module plus one line here."""
from __future__ import annotations

import importlib

REGISTRY = {
    "console": "bot.platforms.console:ConsolePlatform",
    "slack": "bot.platforms.slack:SlackPlatform",
    "teams": "bot.platforms.teams:TeamsPlatform",
}


def load(name: str):
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def configured(settings) -> list[str]:
    """Platforms whose credentials are set (the console is started on its own)."""
    names = []
    if settings.slack_on:
        names.append("slack")
    if settings.teams_on:
        names.append("teams")
    return names
