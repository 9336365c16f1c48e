"""`pulse …`: HR and admins set the workspace's rhythm, a mentor one for their circle; `now` sends
one at once, `off` stops the rhythm, `results` shows what the group-size rule lets through. Each
person answers for themselves and may change their answers while the pulse is open; nobody else
ever sees them."""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select

from bot.common.text import ref_id
from bot.domain.commands import Command
from bot.domain.pulses import rounds, summary, view
from bot.domain.shared import audit
from bot.domain.shared.context import Ctx, Refusal, mentors_circle
from bot.ports import Message, Place, Response, message
from storage.models import Circle
from storage.pulses import PulseInvite, PulseRound, PulseSchedule

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def command(ctx: Ctx, cmd: Command, place: Place) -> Response:
    return {"on": turn_on, "off": turn_off, "now": now, "results": results}[cmd.sub](ctx, cmd, place)


def _hr(ctx: Ctx) -> bool:
    return ctx.person.is_hr or ctx.person.is_admin


def _scope(ctx: Ctx, place: Place) -> Circle | None:
    """HR and admins act for the workspace (None); a mentor for their circle; anyone else is told who can."""
    if _hr(ctx):
        return None
    try:
        return mentors_circle(ctx, place)
    except Refusal:
        raise Refusal("pulse.who") from None


def _where(ctx: Ctx, circle: Circle | None) -> str:
    return circle.name if circle is not None else ctx.t("pulse.workspace")


def turn_on(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circle = _scope(ctx, place)
    tz = circle.timezone if circle is not None else ctx.workspace.timezone or ctx.settings.timezone
    saved = rounds.set_schedule(ctx.session, ctx.workspace, circle, tz, cmd.weeks, cmd.days, cmd.time, ctx.now)
    weekday = ctx.t("fmt.days").split()[WEEK.index(saved.day)]
    audit.record(ctx.session, ctx.workspace.id, "pulse-on", ctx.now, ctx.person, circle=circle,
                 every_weeks=saved.every_weeks, day=saved.day, time=saved.time)
    rhythm = ctx.t("pulse.every_weeks", count=saved.every_weeks) if saved.every_weeks else \
        ctx.t("pulse.monthly", weekday=ctx.t("pulse.weekdays").split()[WEEK.index(saved.day)])  # "tiistaina"
    return Response().say(message(ctx.t("pulse.on", where=_where(ctx, circle), rhythm=rhythm, weekday=weekday,
                                        time=ctx.clock(saved.time), next=ctx.when(saved.next_run_at, tz))))


def turn_off(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circle = _scope(ctx, place)
    gone = ctx.session.execute(delete(PulseSchedule).where(PulseSchedule.workspace_id == ctx.workspace.id,
                                                           PulseSchedule.scope == rounds.scope_of(circle))).rowcount
    if gone:
        audit.record(ctx.session, ctx.workspace.id, "pulse-off", ctx.now, ctx.person, circle=circle)
    return Response().say(message(ctx.t("pulse.off" if gone else "pulse.was_off", where=_where(ctx, circle))))


def now(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circle = _scope(ctx, place)
    made, new, asked = rounds.start_round(ctx.session, ctx.services, ctx.workspace, circle, ctx.now, "manual")
    if not asked:
        return Response().say(message(ctx.t("pulse.now_nobody", where=_where(ctx, circle))))
    audit.record(ctx.session, ctx.workspace.id, "pulse-now", ctx.now, ctx.person, circle=circle, asked=asked)
    return Response().say(message(ctx.t("pulse.now_sent", where=_where(ctx, circle), count=asked,
                                        closes=ctx.when(made.closes_at))))


def results(ctx: Ctx, cmd: Command, place: Place) -> Response:
    """HR: the workspace's latest pulse (or one circle's group in it); a mentor: their circle's."""
    n = ctx.settings.min_group_size
    if cmd.circle_name:
        circle = ctx.session.exec(select(Circle).where(Circle.workspace_id == ctx.workspace.id,
                                                       Circle.name == cmd.circle_name)).first()
        if circle is None:
            raise Refusal("pulse.no_such_circle", circle=cmd.circle_name)
        if not _hr(ctx) and circle.mentor_id != ctx.person.id:
            raise Refusal("pulse.results_who")
    elif _hr(ctx):
        circle = None
    else:
        try:
            circle = mentors_circle(ctx, place)
        except Refusal:
            raise Refusal("pulse.results_who") from None
    if circle is None:
        found = summary.compute(ctx.session, ctx.workspace.id, n, ctx.now)
    else:
        found = summary.compute(ctx.session, ctx.workspace.id, n, ctx.now, circle_ids={circle.id})
        if found is None or not found["groups"]:  # the circle's own pulses, if it has had any
            found = summary.compute(ctx.session, ctx.workspace.id, n, ctx.now, {circle.id}, rounds.scope_of(circle))
            found = found if found and found["groups"] else None
    audit.record(ctx.session, ctx.workspace.id, "pulse-results", ctx.now, ctx.person, circle=circle)
    if found is None:
        return Response().say(message(ctx.t("pulse.no_results", where=_where(ctx, circle))))
    blocks = summary.blocks(found, ctx.lang)
    return Response().say(Message(blocks=tuple(blocks), summary=blocks[0].text))


def _mine(ctx: Ctx, value: str) -> tuple[PulseInvite, PulseRound]:
    found = ref_id(value)
    invite = ctx.session.get(PulseInvite, found) if found else None
    if invite is None or invite.person_id != ctx.person.id:
        raise Refusal("pulse.not_yours")
    made = ctx.session.get(PulseRound, invite.round_id)
    if made.closed_at is not None or made.closes_at <= ctx.now:
        raise Refusal("pulse.closed")
    return invite, made


def open_form(ctx: Ctx, value: str) -> Response:
    invite, made = _mine(ctx, value)
    return Response(open_form=view.form(ctx.lang, made, invite.id))


def submit(ctx: Ctx, value: str, fields: dict) -> Response:
    invite, made = _mine(ctx, value)
    values = []
    for number in range(1, len(made.statements or []) + 1):
        raw = str(fields.get(f"s{number}", view.RATHER_NOT) or view.RATHER_NOT).strip()
        if raw not in view.SCALE and raw != view.RATHER_NOT:
            raise Refusal("pulse.bad_value")
        values.append(int(raw))
    rounds.store_answers(invite, values, ctx.now)
    ctx.session.add(invite)
    return Response(replace_source=view.thanks_message(ctx.lang, made, values))
