"""Operator commands beyond running the bot: each registers its own sub-command."""
from __future__ import annotations

COMMANDS: list = []
