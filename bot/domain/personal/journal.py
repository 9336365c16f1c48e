"""Your data: your own journal, an export of everything about you, and erasure."""
from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, select

from bot.domain.shared import audit, rotation
from bot.domain.shared import outbox
from bot.domain.shared.context import Ctx
from bot.domain.pairs import data as pair_data
from bot.domain.pulses import data as pulse_data
from bot.common.text import ref_id
from bot.ports import Attachment, Block, Button, Message, Response, message
from bot.common.i18n import t
from storage.db import unit_of_work
from storage.models import (Circle, CirclePrompt, Delivery, Membership, Participation, Person, Reply, Schedule,
                            Workspace)
from storage.types import utcnow

JOURNAL_SIZE = 10
log = logging.getLogger("kipina.erasure")


def journal(ctx: Ctx) -> Response:
    rows = ctx.session.exec(
        select(Reply, Circle).join(Circle, Circle.id == Reply.circle_id)
        .where(Reply.person_id == ctx.person.id, Reply.text != "").order_by(Reply.created_at.desc()).limit(JOURNAL_SIZE)
    ).all()
    pulses = pulse_data.journal_blocks(ctx.session, ctx.person, ctx.lang, ctx.when, ctx.t("pulse.journal_heading"))
    if not rows and not pulses:
        return Response().say(message(ctx.t("journal.empty")))
    blocks = [Block("heading", ctx.t("journal.heading"))] if rows else []
    for reply, circle in rows:
        visibility = ctx.t("journal.shared" if reply.visibility == "circle" else "journal.only_you")
        question = rotation.prompt_text(ctx.session, ctx.services.library, reply.prompt_key, ctx.lang)
        blocks.append(Block("context", f"{ctx.when(reply.created_at)} · {circle.name} · {visibility}"))
        blocks.append(Block("text", question))
        blocks.append(Block("quote", reply.text))
    blocks += pulses
    return Response().say(Message(blocks=tuple(blocks), summary=ctx.t("journal.heading")))


def export(session: Session, person: Person) -> dict:
    """Everything stored about one person, as plain data."""
    def when(value):
        return value.isoformat() if value else None

    circles = session.exec(select(Circle, Membership).join(Membership, Membership.circle_id == Circle.id)
                           .where(Membership.person_id == person.id)).all()
    replies = session.exec(select(Reply).where(Reply.person_id == person.id).order_by(Reply.created_at)).all()
    deliveries = session.exec(select(Delivery).where(Delivery.person_id == person.id).order_by(Delivery.id)).all()
    threads = session.exec(select(Participation).where(Participation.person_id == person.id)).all()
    return {
        "profile": {"platform_user_id": person.platform_user_id, "name": person.name, "timezone": person.timezone,
                    "locale": person.locale, "language": person.language, "paused_until": when(person.paused_until),
                    "hr": person.is_hr, "admin": person.is_admin, "created_at": when(person.created_at)},
        "memberships": [{"circle": c.name, "role": m.role, "joined_at": when(m.joined_at)} for c, m in circles],
        "answers": [{"prompt": r.prompt_key, "text": r.text, "visibility": r.visibility,
                     "created_at": when(r.created_at), "updated_at": when(r.updated_at)} for r in replies],
        "coffee_thread_replies": [{"text": p.text, "created_at": when(p.created_at)} for p in threads],
        "deliveries": [{"kind": d.kind, "status": d.status, "due_at": when(d.due_at), "sent_at": when(d.sent_at)}
                       for d in deliveries],
        **pair_data.export(session, person),
        **pulse_data.export(session, person),
    }


def mydata(ctx: Ctx) -> Response:
    """Everything about the caller as a JSON file (platforms without files spell it out in parts)."""
    text = json.dumps(export(ctx.session, ctx.person), ensure_ascii=False, indent=1)
    audit.record(ctx.session, ctx.workspace.id, "export", ctx.now, ctx.person, ctx.person)
    intro = ctx.t("mydata.intro")
    return Response().say(Message(blocks=(Block("text", intro),), summary=intro, attachment=Attachment(
        "kipina-my-data.json", text.encode("utf-8"), "application/json", title=intro)))


def ask_forget(ctx: Ctx) -> Response:
    mentoring = ctx.session.exec(select(Circle.name).where(Circle.mentor_id == ctx.person.id,
                                                           Circle.archived_at.is_(None))).all()
    texts = [ctx.t("forget.confirm")]
    if mentoring:
        texts.append(ctx.t("forget.mentor_warning", circles=ctx.listing(mentoring), count=len(mentoring)))
    buttons = (Button(ctx.t("button.forget"), "forget.confirm", str(ctx.person.id), "danger"),
               Button(ctx.t("button.cancel"), "forget.cancel", ""))
    return Response().say(message(*texts, buttons=buttons))


def erase(session: Session, person: Person, now) -> None:
    """Erase a person's answers and personal data; anonymous counts stay for summaries.

    Answers keep their row (so response rates of past weeks stay right) but lose their text
    and any link to the person, who becomes an anonymous placeholder.
    """
    # Ids only: enough to erase the person again in a restored backup (docs/operations.md).
    log.info("erasure recorded %s", json.dumps(erasure_record(session, person.id, person.workspace_id, now)))
    shared = session.exec(select(Reply.run_id).where(Reply.person_id == person.id, Reply.visibility == "circle",
                                                     Reply.text != "")).all()
    session.execute(update(Reply).where(Reply.person_id == person.id).values(text=""))
    outbox.refresh_recaps(session, shared, now)  # recaps already posted lose their answers too
    session.execute(update(Participation).where(Participation.person_id == person.id).values(text=None))
    session.execute(delete(Membership).where(Membership.person_id == person.id))
    pair_data.erase(session, person)
    pulse_data.erase(session, person)
    session.execute(update(Delivery)
                    .where(Delivery.person_id == person.id, Delivery.status.in_(("pending", "unsure")))
                    .values(status="cancelled", error="person erased"))
    session.execute(update(Delivery).where(Delivery.person_id == person.id).values(payload=None))
    session.execute(update(CirclePrompt).where(CirclePrompt.author_id == person.id).values(author_id=None))
    for circle in session.exec(select(Circle).where(Circle.mentor_id == person.id, Circle.archived_at.is_(None))):
        circle.archived_at = now
        session.add(circle)
        session.execute(delete(Schedule).where(Schedule.circle_id == circle.id))
    person.platform_user_id = f"erased:{uuid.uuid4().hex}"
    person.name = ""
    person.timezone = person.locale = person.language = None
    person.address = None
    person.paused_until = None
    person.is_hr = person.is_admin = False
    person.is_active = False
    session.add(person)


def erasure_record(session: Session, person_id: int, workspace_id: int, at) -> dict:
    """What `python -m bot erasures apply` needs to erase a person again: their row id, and the
    workspace it belongs to, so a record from another installation matches nobody."""
    ws = session.get(Workspace, workspace_id)
    return {"person": person_id, "platform": ws.platform, "workspace": ws.external_id,
            "at": at.isoformat(timespec="seconds")}


def forget(ctx: Ctx, value: str) -> Response:
    if ref_id(value) != ctx.person.id:
        return Response(replace_source=message(ctx.t("forget.cancelled")))
    lang = ctx.lang  # read before the profile is erased
    erase(ctx.session, ctx.person, ctx.now)
    audit.record(ctx.session, ctx.workspace.id, "erase", ctx.now, ctx.person, ctx.person, by="self")
    return Response(replace_source=message(t(lang, "forget.done")))


def cancel_forget(ctx: Ctx) -> Response:
    return Response(replace_source=message(ctx.t("forget.cancelled")))


def apply_retention(session: Session, now, days: int) -> int:
    """Answers older than the retention limit lose their text (counts stay for history)."""
    cutoff = now - timedelta(days=days)
    result = session.execute(update(Reply).where(Reply.created_at < cutoff, Reply.text != "").values(text=""))
    session.execute(update(Participation).where(Participation.created_at < cutoff).values(text=None))
    return result.rowcount or 0



def forget_by_id(engine, platform: str, user_id: str) -> int:
    """An admin's erasure on request (`python -m bot forget platform:user_id`); returns how many were erased."""
    with unit_of_work(engine) as session:
        found = session.exec(select(Person).join(Workspace, Workspace.id == Person.workspace_id).where(
            Workspace.platform == platform, Person.platform_user_id == user_id)).all()
        for person in found:
            erase(session, person, utcnow())
            audit.record(session, person.workspace_id, "erase", utcnow(), subject=person, by="admin")
    return len(found)
