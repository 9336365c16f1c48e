"""Operator commands beyond running the bot: each registers its own sub-command."""
from __future__ import annotations

from bot.admin_cli import register_audit, register_forget
from bot.platforms.slack_manifest import register as register_slack_manifest
from bot.platforms.teams_manifest import register as register_teams_manifest
from bot.summary_jobs import register as register_report

COMMANDS: list = [
    ("forget", register_forget),
    ("audit", register_audit),
    ("report", register_report),
    ("slack-manifest", register_slack_manifest),
    ("teams-manifest", register_teams_manifest),
]
