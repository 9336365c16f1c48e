"""`pairs …`: a mentor turns learning coffees on or off or makes a round now; anyone reads their own
history, or skips the rounds of a circle and joins them again; each person answers "did you meet?"
for themselves. A person's history is theirs: nobody else can list it, not even a mentor or HR."""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select

from bot.domain.commands import Command
from bot.domain.shared.context import Ctx, Refusal, circle_here, membership, mentors_circle, my_circles
from bot.domain.pairs import rounds, view
from bot.domain.pairs.data import partners_of
from bot.ports import Block, Message, Place, Response, message
from bot.common.text import ref_id
from storage.models import Circle, PairGroup, PairMember, PairOptOut, PairRound, PairSchedule
from storage.ops import insert_ignore

HISTORY_SIZE = 20
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def command(ctx: Ctx, cmd: Command, place: Place) -> Response:
    return {"on": turn_on, "off": turn_off, "now": now, "history": history, "skip": skip,
            "join": join}[cmd.sub](ctx, cmd, place)


def _mentor_circle(ctx: Ctx, place: Place) -> Circle:
    circle = mentors_circle(ctx, place)
    return circle


def turn_on(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circle = _mentor_circle(ctx, place)
    saved = rounds.set_schedule(ctx.session, circle, cmd.weeks, cmd.days, cmd.time, ctx.now)
    weekday = ctx.t("fmt.days").split()[WEEK.index(saved.day)]
    # "joka toinen viikko", "varannan vecka": two weeks has a word of its own, not "var 2:e vecka"
    every = ctx.t("pairs.every_other") if saved.every_weeks == 2 else ctx.t("pairs.every", count=saved.every_weeks)
    response = Response().say(message(ctx.t("pairs.on", circle=circle.name, every=every, weekday=weekday,
                                            time=ctx.clock(saved.time),
                                            next=ctx.when(saved.next_run_at, saved.timezone))))
    if place.channel_id:
        response.to_channel.append(message(ctx.t("pairs.announce", circle=circle.name,
                                                 command=ctx.command("example.pairs_skip"))))
    return response


def turn_off(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circle = _mentor_circle(ctx, place)
    gone = ctx.session.execute(delete(PairSchedule).where(PairSchedule.circle_id == circle.id)).rowcount
    return Response().say(message(ctx.t("pairs.off" if gone else "pairs.was_off", circle=circle.name)))


def now(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circle = _mentor_circle(ctx, place)
    made = rounds.start_round(ctx.session, ctx.services, circle, ctx.now, trigger="manual")
    if not made.groups:
        return Response().say(message(ctx.t("pairs.now_nobody", circle=circle.name)))
    lines = [ctx.t("pairs.now_made", circle=circle.name, count=made.groups)]
    if made.round.left_out:
        lines.append(ctx.t("pairs.now_left_out", count=made.round.left_out))
    # One count of introductions, which all say the same: on their way, or waiting for working hours.
    due = made.due or []
    later = sorted(d for d in due if d > ctx.now)
    if not later:
        lines.append(ctx.t("pairs.now_on_way", count=len(due)))
    elif len(later) == len(due):
        lines.append(ctx.t("pairs.now_all_later", count=len(later), first=ctx.when(later[0])))
    else:
        lines.append(ctx.t("pairs.now_later", count=len(later), first=ctx.when(later[0]), sent=len(due) - len(later)))
    return Response().say(message(*lines))


def history(ctx: Ctx, cmd: Command, place: Place) -> Response:
    """The caller's own past groups, newest first: when, which circle, with whom, and their own answer."""
    session = ctx.session
    mine = session.exec(
        select(PairMember, PairRound.scheduled_for, Circle.name).join(PairRound, PairRound.id == PairMember.round_id)
        .join(Circle, Circle.id == PairRound.circle_id).where(PairMember.person_id == ctx.person.id)
        .order_by(PairRound.scheduled_for.desc(), PairMember.id.desc()).limit(HISTORY_SIZE)).all()
    if not mine:
        return Response().say(message(ctx.t("pairs.history_empty")))
    partners = partners_of(session, [m.group_id for m, _, _ in mine], ctx.person.id)
    former = ctx.t("pairs.former_member")
    blocks = [Block("heading", ctx.t("pairs.history_heading"))]
    for member, when, circle_name in mine:
        names = ctx.listing(name or former for name in partners.get(member.group_id, [])) or former
        answer = {True: ctx.t("pairs.history_met"), False: ctx.t("pairs.history_missed")}.get(member.met, "")
        blocks.append(Block("text", " · ".join(filter(None, (ctx.when(when), circle_name, names, answer)))))
    blocks.append(Block("context", ctx.t("pairs.history_privacy")))
    return Response().say(Message(blocks=tuple(blocks), summary=ctx.t("pairs.history_heading")))


def _my_circles_here(ctx: Ctx, place: Place) -> list[Circle]:
    """Skip and join apply to this channel's circle, or from a DM to every circle of the caller's."""
    if place.channel_id:
        circle = circle_here(ctx, place.channel_id)
        if membership(ctx.session, circle.id, ctx.person.id) is None:
            raise Refusal("circle.not_member", circle=circle.name)
        return [circle]
    circles = my_circles(ctx)
    if not circles:
        raise Refusal("circle.none_here", new=ctx.command("example.new"))
    return circles


def skip(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circles = _my_circles_here(ctx, place)
    insert_ignore(ctx.session, PairOptOut, [{"circle_id": c.id, "person_id": ctx.person.id, "created_at": ctx.now}
                                            for c in circles], ["circle_id", "person_id"])
    return Response().say(message(ctx.t("pairs.skipped", circles=ctx.listing(c.name for c in circles),
                                        count=len(circles), command=ctx.command("example.pairs_join"))))


def join(ctx: Ctx, cmd: Command, place: Place) -> Response:
    circles = _my_circles_here(ctx, place)
    ctx.session.execute(delete(PairOptOut).where(PairOptOut.person_id == ctx.person.id,
                                                 PairOptOut.circle_id.in_([c.id for c in circles])))
    return Response().say(message(ctx.t("pairs.joined", circles=ctx.listing(c.name for c in circles),
                                        count=len(circles))))


def answer(ctx: Ctx, value: str, met: bool) -> Response:
    """A check-in button: each person answers for themselves, and may change their answer."""
    found = ctx.session.exec(
        select(PairMember, PairGroup, Circle).join(PairGroup, PairGroup.id == PairMember.group_id)
        .join(Circle, Circle.id == PairGroup.circle_id)
        .where(PairMember.group_id == ref_id(value), PairMember.person_id == ctx.person.id)).first()
    if found is None:
        raise Refusal("pairs.not_yours")
    member, group, circle = found
    member.met, member.answered_at = met, ctx.now
    ctx.session.add(member)
    if group.shared_chat:  # the group's message stays as it is for the others
        return Response().say(message(ctx.t("pairs.answered_met" if met else "pairs.answered_missed")))
    return Response(replace_source=view.answered_message(ctx.lang, circle, met))
