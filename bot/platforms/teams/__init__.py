"""Microsoft Teams: activities from Azure Bot Service at /api/messages, Adaptive Cards, the connector REST API;
tokens from the Microsoft 365 Agents SDK or botbuilder (TEAMS_SDK)."""
from bot.ports import PlatformSpec


def _create(runtime, settings):
    from bot.platforms.teams.platform import TeamsPlatform

    return TeamsPlatform(runtime, settings)


def _cli(subparsers) -> None:
    from bot.platforms.teams.manifest import register

    register(subparsers)


def _settings(env):
    from bot.platforms.teams.settings import read

    return read(env)


SPEC = PlatformSpec(
    name="teams",
    settings=_settings,
    enabled=lambda s: s.enabled,
    create=_create,
    secrets=lambda s: (s.app_password, s.certificate_password),
    command_prefix="",  # Teams has no slash commands: the grammar is typed as is
    mention_markup=r"<at>.*?</at>",
    cli=_cli,
    loggers=("microsoft_agents", "botbuilder", "botframework", "msrest", "msal"),
)
