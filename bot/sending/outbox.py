"""The outbox: rows the core writes and the dispatcher sends exactly once.

A row is claimed (status 'sending') before it is sent and marked 'sent' after. A process
that dies between the two leaves rows in 'sending'; they are claimed again once its heartbeat
goes stale (bot/sending/senders.py), so a crash can duplicate at most the sends that were in flight.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, update
from sqlmodel import Session, func, select

from bot.ports import Sent
from bot.sending import senders
from storage.models import Circle, Delivery, Person, Sender
from storage.ops import insert_ignore
from storage.types import utcnow

MAX_ATTEMPTS = 6


def enqueue(session: Session, rows: Iterable[dict]) -> int:
    """Add deliveries; a key that is already there is left alone (planning twice sends once)."""
    now = utcnow()
    full = [{"status": "pending", "attempts": 0, "created_at": now, "payload": None, "person_id": None,
             "circle_id": None, "run_id": None, "assignment_id": None, **row} for row in rows]
    return insert_ignore(session, Delivery, full, ["key"])


def refresh_recaps(session: Session, run_ids: Iterable[int], now: datetime) -> int:
    """Recaps of these runs that are already posted are edited to what is shared now: an answer in
    one was edited, deleted, made private or erased. Composed at send time like every row, so a
    second change before it goes out still ends in the latest state."""
    ids = sorted(set(run_ids))
    if not ids:
        return 0
    posted = session.exec(select(Delivery).where(Delivery.kind == "recap", Delivery.run_id.in_(ids),
                                                 Delivery.status == "sent", Delivery.platform_message_id.is_not(None)))
    return enqueue(session, [{
        "key": f"recap_edit:{d.id}:{now.isoformat()}", "workspace_id": d.workspace_id, "platform": d.platform,
        "kind": "recap_edit", "circle_id": d.circle_id, "run_id": d.run_id, "due_at": now,
        "payload": {"message_id": d.platform_message_id, "channel_id": d.platform_channel_id}} for d in posted])


def recap_post(session: Session, edit: Delivery) -> Sent | None:
    """The post a recap_edit row changes, as it is now: its last version sent (the recap, or a later
    edit that added or removed continuation posts). None when a newer edit of it is on its way:
    that one carries the latest state, so this one need not go."""
    newer = session.exec(select(Delivery.id).where(
        Delivery.kind == "recap_edit", Delivery.run_id == edit.run_id, Delivery.id > edit.id,
        Delivery.status.in_(("pending", "sending")))).first()
    if newer is not None:
        return None
    last = session.exec(
        select(Delivery).where(Delivery.kind.in_(("recap", "recap_edit")), Delivery.run_id == edit.run_id,
                               Delivery.status == "sent", Delivery.platform_message_id.is_not(None))
        .order_by(Delivery.sent_at.desc(), Delivery.id.desc())).first()
    if last is None:  # planned before posts kept their continuations
        payload = edit.payload or {}
        return Sent(payload.get("message_id"), payload.get("channel_id"))
    return Sent(last.platform_message_id, last.platform_channel_id, tuple(last.more_message_ids or ()))


def claim(session: Session, platforms: Iterable[str], now: datetime, worker: str, limit: int = 200,
          holding: Iterable[int] = (), timeout: float = senders.TIMEOUT) -> list[Delivery]:
    """Take up to `limit` due rows for these platforms. SKIP LOCKED lets several workers share.

    Rows in 'sending' are taken over when their sender is dead: its heartbeat older than
    `timeout` seconds, or never registered. This worker's own rows come back too, unless they are
    in `holding` (rows it is still sending): one it lost track of (its mark failed) is sent again."""
    living = (select(Sender.name)
              .where(Sender.name == Delivery.claimed_by, Sender.heartbeat_at >= senders.alive_after(session, timeout)))
    due = or_(
        and_(Delivery.status == "pending", Delivery.due_at <= now),
        and_(Delivery.status == "sending", or_(Delivery.claimed_by == worker, ~living.exists())),
    )
    held = list(holding)
    query = (
        select(Delivery.id)
        .where(Delivery.platform.in_(list(platforms)), due, *([Delivery.id.not_in(held)] if held else []))
        .order_by(Delivery.due_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.exec(query))
    if not ids:
        return []
    # Checked again once locked: on PostgreSQL the SELECT may have judged a row on a snapshot from
    # before another sender claimed it (and registered) in a transaction that has committed since.
    ids = list(session.execute(
        update(Delivery).where(Delivery.id.in_(ids), due)
        .values(status="sending", claimed_at=now, claimed_by=worker, attempts=Delivery.attempts + 1)
        .returning(Delivery.id), execution_options={"synchronize_session": False}).scalars())
    if not ids:
        return []
    return list(session.exec(select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.due_at, Delivery.id)))


def release(session: Session, worker: str) -> int:
    """A sender stopping: rows it claimed and did not finish go back to pending, the try not counted."""
    return session.execute(update(Delivery).where(Delivery.status == "sending", Delivery.claimed_by == worker)
                           .values(status="pending", attempts=Delivery.attempts - 1)).rowcount


def mark_sent_many(session: Session, sent: list[tuple[int, datetime, Sent]]) -> None:
    """Rows sent: (id, when, where the post is). One statement for them all, compiled once."""
    table = Delivery.__table__
    statement = (
        update(table).where(table.c.id == bindparam("row"), table.c.status == "sending")
        .values(status="sent", sent_at=bindparam("at"), platform_message_id=bindparam("message"),
                platform_channel_id=bindparam("channel"), more_message_ids=bindparam("more"), error=None)
    )
    session.connection().execute(statement, [
        {"row": row, "at": at, "message": post.message_id, "channel": post.channel_id, "more": list(post.more) or None}
        for row, at, post in sent])


def mark_cancelled(session: Session, delivery_id: int, reason: str) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "sending")
        .values(status="cancelled", error=reason[:1000])
    )


def mark_retry(session: Session, delivery: Delivery, now: datetime, error: str, delay: timedelta,
               count_attempt: bool = True) -> str:
    """Back to pending after `delay`, or failed for good after MAX_ATTEMPTS tries."""
    if count_attempt and delivery.attempts >= MAX_ATTEMPTS:
        status, due = "failed", delivery.due_at
    else:
        status, due = "pending", now + delay
    values = {"status": status, "due_at": due, "error": error[:1000]}
    if not count_attempt:
        values["attempts"] = Delivery.attempts - 1  # a rate limit is not the row's fault
    session.execute(update(Delivery).where(Delivery.id == delivery.id, Delivery.status == "sending").values(**values))
    return status


def mark_failed(session: Session, delivery_id: int, error: str) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "sending")
        .values(status="failed", error=error[:1000])
    )


def tell_mentor_unreachable(session: Session, row: Delivery, now: datetime) -> None:
    """A member the platform cannot reach: their mentor hears it once per circle, by DM."""
    if row.person_id is None or row.circle_id is None:
        return
    circle = session.get(Circle, row.circle_id)
    person = session.get(Person, row.person_id)
    if circle is None or person is None or circle.mentor_id == person.id:
        return
    enqueue(session, [{
        "key": f"unreachable:{circle.id}:{person.id}", "workspace_id": row.workspace_id, "platform": row.platform,
        "kind": "notice", "person_id": circle.mentor_id, "circle_id": circle.id, "due_at": now,
        "payload": {"key": "notice.unreachable",
                    "params": {"name": person.name or person.platform_user_id, "circle": circle.name}}}])


def pending_count(session: Session, platforms: Iterable[str] | None = None) -> int:
    query = select(func.count()).select_from(Delivery).where(Delivery.status.in_(["pending", "sending"]))
    if platforms is not None:
        query = query.where(Delivery.platform.in_(list(platforms)))
    return session.exec(query).one()


def next_due(session: Session, platforms: Iterable[str]) -> datetime | None:
    return session.exec(
        select(Delivery.due_at).where(Delivery.status == "pending", Delivery.platform.in_(list(platforms)))
        .order_by(Delivery.due_at).limit(1)
    ).first()

