"""What a platform package exports as `SPEC`: the registry finds it there, and nothing outside
the package imports the package itself. Importing a spec must stay cheap: the SDK is imported
only when `create` is called."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from bot.ports.env import Env
from bot.ports.contract import Platform, Runtime


def _no_secrets(settings) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class PlatformSpec:
    name: str  # Actor.platform, the prefix in HR_USERS, the key of its texts ("slack.try_again")
    settings: Callable[[Env], object]  # its own variables, checked (raises ConfigError)
    enabled: Callable[[object], bool]  # on when its credentials are set
    create: Callable[[Runtime, object], Platform]
    secrets: Callable[[object], Iterable[str]] = _no_secrets  # scrubbed from logs
    command_prefix: str = "/circle"  # how a command is typed there ("" on Teams, no slash commands)
    # The prefix in a reader's language where the platform knows them all ({"fi": "/piiri"}); elsewhere
    # command_prefix, unless the person just typed another (CommandRequest.prefix).
    command_prefixes: tuple[tuple[str, str], ...] = ()
    mention_markup: str = ""  # a regex of its mention markup, replaced before text leaves (LLM)
    cli: Callable[[object], None] | None = None  # adds its subcommands to `python -m bot`
    loggers: tuple[str, ...] = ()  # its SDK's loggers, kept at WARNING
    # A platform that is itself a chat in this process (the console) reads its input here.
    chat: Callable[[Runtime, Platform, bool], Awaitable[None]] | None = None
    # It can open one conversation with several people (Slack's group DMs): a learning-coffee group
    # is introduced there (a Target of kind "group"); elsewhere each person gets a DM.
    group_chats: bool = False
