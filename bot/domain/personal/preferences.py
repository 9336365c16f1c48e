"""What a person sets for themselves: pause, resume, language, help."""
from __future__ import annotations

from sqlmodel import select

from bot.domain import programme
from bot.domain.shared import people
from bot.domain.commands import Command, spelled, usage_in
from bot.domain.shared.context import Ctx, Refusal
from bot.common.i18n import t
from bot.ports import Place, Response, message
from storage.models import Circle

HELP_GROUPS = (  # (heading, commands, who sees them)
    ("help.members", ("new", "journal", "pause", "resume", "leave", "list", "info", "language", "mydata",
                      "forget-me", "privacy", "pairs-member",
                      "dashboard"), "everyone"),
    ("help.mentors", ("add", "remove", "schedule", "prompt", "coffee", "pairs", "pulse", "archive", "report"),
     "mentor"),
    ("help.hr", ("report", "pulse"), "hr"),
    ("help.admins", ("audit", "pulse"), "admin"),
    ("help.leads", ("programme",), "lead"),
)


def help_text(ctx: Ctx) -> Response:
    """The commands this person can use, in their language and spelled for their platform."""
    mentor = ctx.session.exec(select(Circle.id).where(
        Circle.mentor_id == ctx.person.id, Circle.archived_at.is_(None))).first() is not None
    roles = {"everyone", *(["mentor"] if mentor else []), *(["hr"] if ctx.person.is_hr else []),
             *(["admin"] if ctx.person.is_admin else []),
             *(["lead"] if ctx.settings.programme_hub and programme.is_lead(
                 ctx.settings, ctx.workspace.platform, ctx.person.platform_user_id) else [])}
    texts = [ctx.t("help.intro")]
    for heading, names, role in HELP_GROUPS:
        if role not in roles or (role == "hr" and mentor):
            continue  # a mentor who is also HR sees report once, under mentors
        lines = [ctx.t(heading)] + [
            f"{spelled(ctx.workspace.platform, usage_in(ctx.lang, n), ctx.lang)} – {ctx.t('help.' + n)}" for n in names]
        texts.append("\n".join(lines))
    return Response().say(message(*texts, heading=ctx.t("help.heading")))


def pause(ctx: Ctx, command: Command) -> Response:
    until = people.pause(ctx.person, ctx.now, command.pause_days)
    ctx.session.add(ctx.person)
    if command.pause_days is None:
        return Response().say(message(ctx.t("pause.indefinite", resume=ctx.command("resume"))))
    return Response().say(message(ctx.t("pause.until", when=ctx.when(until), resume=ctx.command("resume"))))


def resume(ctx: Ctx) -> Response:
    was_paused = people.is_paused(ctx.person, ctx.now)
    ctx.person.paused_until = None
    ctx.session.add(ctx.person)
    return Response().say(message(ctx.t("resume.done" if was_paused else "resume.not_paused")))


def set_language(ctx: Ctx, command: Command, place: Place) -> Response:
    """Your own language; in a circle's channel its mentor sets the circle's (one, or two at once)."""
    circle = _circle_of_channel(ctx, place)
    if circle is not None and circle.mentor_id == ctx.person.id:
        circle.language = command.language
        ctx.session.add(circle)
        names = ctx.t("language.and").join(ctx.t(f"language.name.{code}") for code in command.language.split("+"))
        return Response().say(message(ctx.t("language.circle_set", circle=circle.name, languages=names)))
    if "+" in command.language:
        raise Refusal("language.one_for_you")
    ctx.person.language = command.language
    ctx.session.add(ctx.person)
    return Response().say(message(t(command.language, "language.set")))


def _circle_of_channel(ctx: Ctx, place: Place) -> Circle | None:
    if not place.channel_id:
        return None
    return ctx.session.exec(select(Circle).where(
        Circle.workspace_id == ctx.workspace.id, Circle.channel_id == place.channel_id,
        Circle.archived_at.is_(None))).first()
