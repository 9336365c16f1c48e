"""The outbox: what the core asks to be sent, as Delivery rows with a unique key, so a plan made
twice sends once. The sender (bot/runtime/sending/) claims, composes (bot/domain/compose.py), sends
and marks them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from bot.ports import Sent
from storage.models import Circle, Delivery, Person
from storage.ops import insert_ignore
from storage.types import utcnow


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
