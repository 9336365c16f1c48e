"""Claiming and marking outbox rows: the sender's side of the outbox (bot/domain/shared/outbox.py).

A row is claimed (status 'sending') before it is sent and marked 'sent' after. A process
that dies between the two leaves rows in 'sending'; they are claimed again once its heartbeat
goes stale (senders.py), so a crash can duplicate at most the sends that were in flight.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, update
from sqlmodel import Session, func, select

from bot.ports import Sent
from bot.runtime.sending import senders
from storage.models import Delivery, Sender

MAX_ATTEMPTS = 6


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

