"""Slack: slack-bolt's AsyncApp on the shared web app (or Socket Mode), Block Kit, the Web API."""
from bot.ports import PlatformSpec


def _create(runtime, settings):
    from bot.platforms.slack.platform import SlackPlatform

    return SlackPlatform(runtime, settings)


def _cli(subparsers) -> None:
    from bot.platforms.slack.manifest import register

    register(subparsers)


def _settings(env):
    from bot.platforms.slack.settings import read

    return read(env)


SPEC = PlatformSpec(
    name="slack",
    settings=_settings,
    enabled=lambda s: s.enabled,
    create=_create,
    secrets=lambda s: (s.bot_token, s.signing_secret, s.app_token),
    command_prefix="/circle",
    mention_markup=r"<[@#!][^>]*>",  # <@U1|ann>, <#C1|general>, <!here>
    cli=_cli,
    loggers=("slack_bolt", "slack_sdk"),
    group_chats=True,
)
