"""A person's home view (Slack App Home, Teams personal tab text): circles, next prompt, recent answers."""
from __future__ import annotations

from sqlmodel import select

from bot.domain.shared import people, rotation
from bot.domain.shared.context import Ctx, my_circles
from bot.ports import Block, Button, Message
from storage.models import Reply, Schedule

RECENT = 3


def home_view(ctx: Ctx) -> Message:
    blocks = [Block("heading", ctx.t("home.heading"))]
    circles = my_circles(ctx)
    if circles:
        blocks.append(Block("text", ctx.t("home.circles", count=len(circles), circles=ctx.listing(
            c.name + (" (" + ctx.t("home.mentor") + ")" if c.mentor_id == ctx.person.id else "") for c in circles))))
        upcoming = ctx.session.exec(select(Schedule.next_run_at).where(
            Schedule.circle_id.in_([c.id for c in circles]), Schedule.kind == "reflection",
            Schedule.next_run_at.is_not(None)).order_by(Schedule.next_run_at).limit(1)).first()
        if upcoming is not None:
            slot = ctx.services.calendar.next_slot(upcoming, ctx.tz)
            blocks.append(Block("text", ctx.t("home.next_prompt", when=ctx.when(slot))))
    else:
        blocks.append(Block("text", ctx.t("list.none")))
    paused = people.is_paused(ctx.person, ctx.now)
    if paused:
        blocks.append(Block("context", ctx.t("home.paused", when=ctx.when(ctx.person.paused_until))))
    recent = ctx.session.exec(select(Reply).where(Reply.person_id == ctx.person.id, Reply.text != "")
                              .order_by(Reply.created_at.desc()).limit(RECENT)).all()
    if recent:
        blocks.append(Block("heading", ctx.t("home.recent")))
        for reply in recent:
            question = rotation.prompt_text(ctx.session, ctx.services.library, reply.prompt_key, ctx.lang)
            blocks.append(Block("context", f"{ctx.when(reply.created_at)} · {question}"))
            blocks.append(Block("quote", reply.text))
    button = Button(ctx.t("button.resume"), "home.resume", "", "primary") if paused else \
        Button(ctx.t("button.pause"), "home.pause", "")
    return Message(blocks=tuple(blocks), buttons=(button,), summary=ctx.t("home.heading"))
