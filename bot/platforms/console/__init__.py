"""The console: the whole bot in a terminal, for local use, demos and scripted sessions."""
from bot.ports import PlatformSpec


def _create(runtime, settings):
    from bot.platforms.console.platform import ConsolePlatform

    return ConsolePlatform(runtime)


async def _chat(runtime, platform, interactive: bool) -> None:
    from bot.platforms.console.session import chat

    await chat(runtime, platform, interactive)


SPEC = PlatformSpec(
    name="console",
    settings=lambda env: None,
    enabled=lambda s: False,  # never served: `make run` opens it when no other platform is on
    create=_create,
    command_prefix="/circle",
    command_prefixes=(("fi", "/piiri"), ("sv", "/cirkel")),  # the console takes all three
    chat=_chat,
)
