"""Claiming and marking outbox rows: the sender's side of the outbox (bot/domain/shared/outbox.py).

A row's way: 'pending' → claimed by a sender ('sending', claimed_by it) → just before its send
goes out, 'unsure' (it may have arrived from then on) → 'sent', 'failed', 'cancelled', or back
to 'pending' ('unsure' when it may have arrived). Marks are written in batches (marks.py).

A sender that dies leaves its rows claimed; they are taken over once its heartbeat goes stale
(senders.py): its 'sending' rows were never sent and simply go, its 'unsure' ones are looked up
first (Platform.find_sent) where the platform can tell. A sender that stops hands back its
'sending' rows as 'pending' and its 'unsure' ones unclaimed, for anyone to look up at once.
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, or_, update
from sqlmodel import Session, func, select

from bot.ports import Sent
from bot.runtime.sending import senders
from storage.models import Delivery, Sender

MAX_ATTEMPTS = 6
RETRY_AFTER = (1, 5, 30, 120, 600)  # seconds after the 1st, 2nd … failed try: rides out a ~13-minute outage
CLAIMED = ("sending", "unsure")  # a row in one of these with a claimed_by is that sender's
WAITING = ("pending", "unsure")  # what may still go out ('unsure' unclaimed: looked up first)


def claim(session: Session, platforms: Iterable[str], now: datetime, worker: str, limit: int = 200,
          holding: Iterable[int] = (), timeout: float = senders.TIMEOUT, take_over: bool = True,
          doubtful: set[int] | None = None) -> list[Delivery]:
    """Take up to `limit` due rows for these platforms. SKIP LOCKED lets several workers share.

    Rows claimed by a dead sender (its heartbeat older than `timeout` seconds, or never
    registered) are taken over, though only when `take_over` (a sender that was cut off from the
    database itself waits, so that the others it was cut off with record their sends first). This
    worker's own rows come back too, unless they are in `holding` (still being sent). The ids of
    rows that may have been sent already ('unsure') are added to `doubtful`."""
    living = (select(Sender.name)
              .where(Sender.name == Delivery.claimed_by, Sender.heartbeat_at >= senders.alive_after(session, timeout)))
    abandoned = or_(Delivery.claimed_by == worker, ~living.exists()) if take_over else Delivery.claimed_by == worker
    due = or_(
        and_(Delivery.status.in_(WAITING), Delivery.claimed_by.is_(None), Delivery.due_at <= now),
        and_(Delivery.status == "pending", Delivery.due_at <= now),
        and_(Delivery.status.in_(CLAIMED), Delivery.claimed_by.is_not(None), abandoned),
    )
    held = list(holding)
    query = (
        select(Delivery.id, Delivery.status)
        .where(Delivery.platform.in_(list(platforms)), due, *([Delivery.id.not_in(held)] if held else []))
        .order_by(Delivery.due_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    found = session.exec(query).all()
    if not found:
        return []
    unsure = {row_id for row_id, status in found if status == "unsure"}
    # Checked again once locked: on PostgreSQL the SELECT may have judged a row on a snapshot from
    # before another sender claimed it (and registered) in a transaction that has committed since.
    ids = list(session.execute(
        update(Delivery).where(Delivery.id.in_([row_id for row_id, _ in found]), due)
        .values(claimed_at=now, claimed_by=worker, attempts=Delivery.attempts + 1,
                # a row claimed keeps 'unsure' (it may have gone out), anything else is 'sending'
                status=case((Delivery.status == "unsure", "unsure"), else_="sending"))
        .returning(Delivery.id), execution_options={"synchronize_session": False}).scalars())
    if not ids:
        return []
    if doubtful is not None:
        doubtful.update(unsure.intersection(ids))
    return list(session.exec(select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.due_at, Delivery.id)))


def mark_started_many(session: Session, worker: str, ids: list[int]) -> None:
    """Rows whose send goes out now: from here on they may have arrived."""
    session.execute(update(Delivery).where(Delivery.id.in_(ids), Delivery.status.in_(CLAIMED),
                                           Delivery.claimed_by == worker).values(status="unsure"))


def release(session: Session, worker: str) -> int:
    """A sender stopping: rows it claimed and never started go back to pending, the try not
    counted; those it started and could not record stay 'unsure', unclaimed, for whoever sends
    next to look up first. Returns how many went back to pending."""
    session.execute(update(Delivery).where(Delivery.status == "unsure", Delivery.claimed_by == worker)
                    .values(claimed_by=None))
    return session.execute(update(Delivery).where(Delivery.status == "sending", Delivery.claimed_by == worker)
                           .values(status="pending", claimed_by=None, attempts=Delivery.attempts - 1)).rowcount


def mark_sent_many(session: Session, sent: list[tuple[int, datetime, Sent]]) -> None:
    """Rows sent: (id, when, where the post is). One statement for them all, compiled once."""
    table = Delivery.__table__
    statement = (
        update(table).where(table.c.id == bindparam("row"),  # no IN here: executemany takes no expanding list
                            or_(table.c.status == "sending", table.c.status == "unsure"))
        .values(status="sent", sent_at=bindparam("at"), platform_message_id=bindparam("message"),
                platform_channel_id=bindparam("channel"), more_message_ids=bindparam("more"), error=None)
    )
    session.connection().execute(statement, [
        {"row": row, "at": at, "message": post.message_id, "channel": post.channel_id, "more": list(post.more) or None}
        for row, at, post in sent])


def mark_cancelled(session: Session, delivery_id: int, reason: str) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status.in_(CLAIMED))
        .values(status="cancelled", error=reason[:1000])
    )


def backoff(attempts: int) -> timedelta:
    """Growing waits with jitter, so many failed rows don't all come back at the same moment."""
    base = RETRY_AFTER[min(max(attempts, 1), len(RETRY_AFTER)) - 1]
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def mark_retry(session: Session, delivery: Delivery, now: datetime, error: str, delay: timedelta,
               count_attempt: bool = True, unsure: bool = False) -> str:
    """Back to waiting after `delay` ('unsure' if it may have arrived: looked up first), or failed
    for good after MAX_ATTEMPTS tries."""
    if count_attempt and delivery.attempts >= MAX_ATTEMPTS:
        status, due = "failed", delivery.due_at
    else:
        status, due = "unsure" if unsure else "pending", now + delay
    values = {"status": status, "due_at": due, "error": error[:1000], "claimed_by": None}
    if not count_attempt:
        values["attempts"] = Delivery.attempts - 1  # a rate limit is not the row's fault
    session.execute(update(Delivery).where(Delivery.id == delivery.id, Delivery.status.in_(CLAIMED))
                    .values(**values))
    return status


def mark_failed(session: Session, delivery_id: int, error: str) -> None:
    session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.status.in_(CLAIMED))
        .values(status="failed", error=error[:1000])
    )


def pending_count(session: Session, platforms: Iterable[str] | None = None) -> int:
    query = select(func.count()).select_from(Delivery).where(Delivery.status.in_([*WAITING, "sending"]))
    if platforms is not None:
        query = query.where(Delivery.platform.in_(list(platforms)))
    return session.exec(query).one()


def next_due(session: Session, platforms: Iterable[str]) -> datetime | None:
    return session.exec(
        select(Delivery.due_at).where(Delivery.status.in_(WAITING), Delivery.claimed_by.is_(None),
                                      Delivery.platform.in_(list(platforms)))
        .order_by(Delivery.due_at).limit(1)
    ).first()
