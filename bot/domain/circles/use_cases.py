"""Circle use cases: create, members, rhythm, own prompts, prompts on demand. Only the mentor changes a circle."""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select

from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind
from bot.domain.shared import audit, people
from bot.domain.circles import runs
from bot.domain.commands import Command
from bot.domain.shared.context import Ctx, Refusal, circle_here, membership, mentors_circle, my_circles
from bot.ports import Place, Response, message
from storage.models import Circle, CirclePrompt, Membership, Person, Schedule

MAX_MEMBERS_PER_COMMAND = 200


def _resolve(ctx: Ctx, command: Command) -> list[Person]:
    """Everyone mentioned, or a refusal naming who could not be found (nothing is stored then)."""
    if len(command.mentions) > MAX_MEMBERS_PER_COMMAND:
        raise Refusal("circle.too_many", limit=MAX_MEMBERS_PER_COMMAND)
    found, unknown = [], []
    for mention in command.mentions:
        person = people.mentioned(ctx.session, ctx.settings, ctx.workspace, mention)
        (found if person is not None else unknown).append(person or mention.label)
    if unknown:
        raise Refusal("circle.unknown_people", names=ctx.listing("@" + n for n in unknown), count=len(unknown))
    bots = [p.name or p.platform_user_id for p in found if p.is_bot]
    if bots:
        raise Refusal("circle.no_bots", names=ctx.listing(bots), count=len(bots))
    return found


def _names(ctx: Ctx, persons) -> str:
    return ctx.listing(p.name or p.platform_user_id for p in persons)


def _welcome(ctx: Ctx, circle: Circle, persons: list[Person]) -> None:
    by = {"by": ctx.person.name or ctx.person.platform_user_id}
    outbox.enqueue(ctx.session, [
        outbox.row(DeliveryKind.WELCOME, ctx.workspace, ctx.now, circle.id, p.id, person_id=p.id, circle_id=circle.id,
                   payload=by) for p in persons if p.id != ctx.person.id])


def new(ctx: Ctx, command: Command, place: Place) -> Response:
    session = ctx.session
    if place.channel_id:
        taken = session.exec(select(Circle).where(Circle.workspace_id == ctx.workspace.id,
                                                  Circle.channel_id == place.channel_id,
                                                  Circle.archived_at.is_(None))).first()
        if taken:
            raise Refusal("circle.channel_taken", circle=taken.name)
    members = _resolve(ctx, command)
    circle = Circle(workspace_id=ctx.workspace.id, name=command.circle_name, mentor_id=ctx.person.id,
                    channel_id=place.channel_id, channel_address=place.address, language=None,
                    timezone=ctx.tz, created_at=ctx.now)
    session.add(circle)
    session.flush()
    session.add(Membership(circle_id=circle.id, person_id=ctx.person.id, role="mentor", joined_at=ctx.now))
    others = [p for p in members if p.id != ctx.person.id]
    for person in others:
        session.add(Membership(circle_id=circle.id, person_id=person.id, role="member", joined_at=ctx.now))
    _welcome(ctx, circle, others)
    audit.record(session, ctx.workspace.id, "circle.new", ctx.now, ctx.person, circle=circle,
                 members=len(others) + 1)
    response = Response().say(message(ctx.t("circle.created", circle=circle.name), ctx.t(
        "circle.next_step", schedule=ctx.command("example.schedule"), prompt=ctx.command("example.prompt_now"))))
    if place.channel_id:
        key = "circle.announce_members" if others else "circle.announce"
        response.to_channel.append(message(ctx.t(key, mentor=ctx.person.name, circle=circle.name,
                                                 members=_names(ctx, others), count=len(others))))
    return response


def add(ctx: Ctx, command: Command, place: Place) -> Response:
    circle = mentors_circle(ctx, place)
    added = []
    for person in _resolve(ctx, command):
        if membership(ctx.session, circle.id, person.id) is None:
            ctx.session.add(Membership(circle_id=circle.id, person_id=person.id, role="member", joined_at=ctx.now))
            audit.record(ctx.session, ctx.workspace.id, "member.add", ctx.now, ctx.person, person, circle)
            added.append(person)
    ctx.session.flush()
    _welcome(ctx, circle, added)
    if not added:
        return Response().say(message(ctx.t("circle.already_members", circle=circle.name)))
    return Response().say(message(ctx.t("circle.added", circle=circle.name, names=_names(ctx, added),
                                        count=len(added))))


def remove(ctx: Ctx, command: Command, place: Place) -> Response:
    circle = mentors_circle(ctx, place)
    removed = []
    for person in _resolve(ctx, command):
        if person.id == circle.mentor_id:
            raise Refusal("circle.cannot_remove_mentor", archive=ctx.command("archive"))
        found = membership(ctx.session, circle.id, person.id)
        if found is not None:
            ctx.session.delete(found)
            audit.record(ctx.session, ctx.workspace.id, "member.remove", ctx.now, ctx.person, person, circle)
            removed.append(person)
    if not removed:
        return Response().say(message(ctx.t("circle.none_removed", circle=circle.name)))
    return Response().say(message(ctx.t("circle.removed", circle=circle.name, names=_names(ctx, removed),
                                        count=len(removed))))


def leave(ctx: Ctx, place: Place) -> Response:
    circle = circle_here(ctx, place.channel_id)
    if circle.mentor_id == ctx.person.id:
        raise Refusal("circle.mentor_cannot_leave", circle=circle.name, archive=ctx.command("archive"))
    found = membership(ctx.session, circle.id, ctx.person.id)
    if found is None:
        raise Refusal("circle.not_member", circle=circle.name)
    ctx.session.delete(found)
    audit.record(ctx.session, ctx.workspace.id, "member.leave", ctx.now, ctx.person, ctx.person, circle)
    return Response().say(message(ctx.t("circle.left", circle=circle.name)))


def list_mine(ctx: Ctx) -> Response:
    circles = my_circles(ctx)
    if not circles:
        return Response().say(message(ctx.t("list.none")))
    lines = [ctx.t("list.mentor" if c.mentor_id == ctx.person.id else "list.member", circle=c.name) for c in circles]
    return Response().say(message(*lines, heading=ctx.t("list.heading")))


def info(ctx: Ctx, place: Place) -> Response:
    circle = circle_here(ctx, place.channel_id)
    session = ctx.session
    # One query for the members (count, whether the caller is one, names), one for the rhythm.
    members = session.exec(select(Person.id, Person.name, Person.platform_user_id)
                           .join(Membership, Membership.person_id == Person.id)
                           .where(Membership.circle_id == circle.id).order_by(Person.name)).all()
    mentor = next((m for m in members if m.id == circle.mentor_id), None) or session.get(Person, circle.mentor_id)
    lines = [ctx.t("info.mentor", name=mentor.name or mentor.platform_user_id),
             ctx.t("info.members", count=len(members))]
    if any(m.id == ctx.person.id for m in members):
        lines.append(ctx.listing(m.name for m in members if m.name))
    schedules = session.exec(select(Schedule).where(Schedule.circle_id == circle.id).order_by(Schedule.kind)).all()
    for schedule in schedules:
        lines.append(ctx.t(f"info.schedule_{schedule.kind}", days=_days(ctx, schedule.days),
                           time=ctx.clock(schedule.time),
                           next=ctx.when(schedule.next_run_at, schedule.timezone)))
    if not schedules:
        lines.append(ctx.t("info.no_schedule"))
    visibility = ctx.t("visibility.circle" if circle.default_visibility == "circle" else "visibility.private")
    lines.append(ctx.t("info.default_visibility", visibility=visibility))
    return Response().say(message(*lines, heading=circle.name))


def _days(ctx: Ctx, days: str) -> str:
    names = ctx.t("fmt.days").split()
    order = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return ", ".join(names[order.index(d)] for d in days.split(","))


def schedule(ctx: Ctx, command: Command, place: Place) -> Response:
    circle = mentors_circle(ctx, place)
    if command.sub == "off":
        query = delete(Schedule).where(Schedule.circle_id == circle.id)
        if command.text:
            query = query.where(Schedule.kind == command.text)
        ctx.session.execute(query)
        return Response().say(message(ctx.t("schedule.off", circle=circle.name)))
    saved = runs.set_schedule(ctx.session, circle, command.sub, command.days, command.time, ctx.now)
    return Response().say(message(ctx.t(f"schedule.set_{command.sub}", circle=circle.name,
                                        days=_days(ctx, saved.days), time=ctx.clock(saved.time), tz=saved.timezone,
                                        next=ctx.when(saved.next_run_at, saved.timezone))))


def add_prompt(ctx: Ctx, command: Command, place: Place) -> Response:
    circle = mentors_circle(ctx, place)
    ctx.session.add(CirclePrompt(circle_id=circle.id, author_id=ctx.person.id, text=command.text, created_at=ctx.now))
    return Response().say(message(ctx.t("prompt.added", circle=circle.name)))


def run_now(ctx: Ctx, kind: str, place: Place) -> Response:
    circle = mentors_circle(ctx, place)
    planned = runs.start_run(ctx.session, ctx.services, circle, kind, ctx.now, trigger="manual")
    if kind == runs.COFFEE:
        return Response().say(message(ctx.t("coffee.now", circle=circle.name)))
    if not planned.due:
        return Response().say(message(ctx.t("prompt.now_nobody", circle=circle.name)))
    later = sorted(d for d in planned.due if d > ctx.now)
    sent = len(planned.due) - len(later)
    lines = [ctx.t("prompt.now_sent", circle=circle.name, count=sent)] if sent else []
    if later and not sent:  # nobody now: not "sent to 0 members"
        first, last = ctx.when(later[0]), ctx.when(later[-1])
        when = first if first == last else ctx.t("fmt.range", first=first, last=last)
        lines.append(ctx.t("prompt.now_all_later", circle=circle.name, count=len(later), when=when))
    elif later:
        first, last = ctx.when(later[0]), ctx.when(later[-1])
        when = first if first == last else ctx.t("fmt.range", first=first, last=last)  # everyone at 8.00: once
        lines.append(ctx.t("prompt.now_later", count=len(later), when=when))
    return Response().say(message(*lines))


def archive(ctx: Ctx, place: Place) -> Response:
    circle = mentors_circle(ctx, place)
    circle.archived_at = ctx.now
    ctx.session.add(circle)
    ctx.session.execute(delete(Schedule).where(Schedule.circle_id == circle.id))
    audit.record(ctx.session, ctx.workspace.id, "circle.archive", ctx.now, ctx.person, circle=circle)
    return Response().say(message(ctx.t("circle.archived", circle=circle.name)))
