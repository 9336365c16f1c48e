"""Slack's variables (SLACK_*), read from the environment and checked."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.ports import Env

SLACK_API = "https://slack.com/api/"


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)  # Socket Mode
    api_url: str = SLACK_API  # Web API base URL (a local stand-in in tests); keeps its trailing slash
    messages_per_second: float = 8.0  # workspace-wide, for what the bot sends on its own

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and (self.signing_secret or self.app_token))


def read(env: Env) -> SlackSettings:
    return SlackSettings(
        bot_token=env.text("SLACK_BOT_TOKEN"),
        signing_secret=env.text("SLACK_SIGNING_SECRET"),
        app_token=env.text("SLACK_APP_TOKEN"),
        api_url=(env.text("SLACK_API_URL") or SLACK_API).rstrip("/") + "/",
        messages_per_second=env.decimal("SLACK_MESSAGES_PER_SECOND", 8, 0.1, 1000, "messages per second"),
    )
