"""What a person sets for themselves: pause, resume, language, help."""
from __future__ import annotations

from bot import people
from bot.commands import USAGE, Command, spelled
from bot.context import Ctx
from bot.i18n import t
from bot.ports import Response, message

HELP_GROUPS = (
    ("help.members", ("journal", "pause", "resume", "leave", "list", "info", "language", "mydata", "forget-me")),
    ("help.mentors", ("new", "add", "remove", "schedule", "prompt", "coffee", "archive")),
    ("help.hr", ("report",)),
    ("help.admins", ("audit",)),
)


def help_text(ctx: Ctx) -> Response:
    texts = [ctx.t("help.intro")]
    for heading, names in HELP_GROUPS:
        lines = [ctx.t(heading)] + [f"{spelled(ctx.workspace.platform, USAGE[n])} — {ctx.t('help.' + n)}"
                                    for n in names]
        texts.append("\n".join(lines))
    return Response().say(message(*texts, heading=ctx.t("help.heading")))


def pause(ctx: Ctx, command: Command) -> Response:
    until = people.pause(ctx.person, ctx.now, command.pause_days)
    ctx.session.add(ctx.person)
    if command.pause_days is None:
        return Response().say(message(ctx.t("pause.indefinite")))
    return Response().say(message(ctx.t("pause.until", when=ctx.when(until))))


def resume(ctx: Ctx) -> Response:
    was_paused = people.is_paused(ctx.person, ctx.now)
    ctx.person.paused_until = None
    ctx.session.add(ctx.person)
    return Response().say(message(ctx.t("resume.done" if was_paused else "resume.not_paused")))


def set_language(ctx: Ctx, command: Command) -> Response:
    ctx.person.language = command.language
    ctx.session.add(ctx.person)
    return Response().say(message(t(command.language, "language.set")))
