"""The outbox: what the core asks to be sent, as Delivery rows with a unique key, so a plan made
twice sends once. The sender (bot/runtime/sending/) claims, composes (bot/domain/compose.py), sends
and marks them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, select

from bot.common.logs import request_id
from bot.ports import Message, Sent, Target
from storage.models import Circle, Delivery, Person, Workspace
from storage.ops import insert_ignore
from storage.types import utcnow


class DeliveryKind(StrEnum):
    """What an outbox row becomes when it is sent (bot/domain/compose.py has one composer each)."""

    PROMPT = "prompt"  # a reflection prompt, by DM
    REMINDER = "reminder"  # the one reminder of an unanswered prompt, by DM
    COFFEE = "coffee"  # a coffee-room starter in the circle's channel
    RECAP = "recap"  # the shared answers of a prompt run, in the circle's channel
    RECAP_EDIT = "recap_edit"  # a posted recap brought up to date
    WELCOME = "welcome"  # to a new member
    NOTICE = "notice"  # a one-line notice (payload: an i18n key and its parameters)
    SUMMARY = "summary"  # the weekly HR summary
    PAIR_INTRO = "pair-intro"  # a learning-coffee group introduced
    PAIR_CHECK_IN = "pair-checkin"  # "did you meet?"
    PULSE = "pulse"  # an outcome pulse, by DM
    PULSE_REMINDER = "pulse-reminder"  # its one reminder


@dataclass(frozen=True)
class Outbound:
    """One row for the outbox: what (kind), in which workspace, to whom or about what, from when.
    Its key, unique in the outbox, is the kind and the ids that make it one of a kind, so a plan
    made twice sends once."""

    kind: DeliveryKind
    key: str
    workspace_id: int
    platform: str
    due_at: datetime
    person_id: int | None = None
    circle_id: int | None = None
    run_id: int | None = None
    assignment_id: int | None = None
    payload: dict | None = None


@dataclass(frozen=True)
class Outgoing:
    """A row composed at send time: where it goes and what it says."""

    delivery_id: int
    target: Target
    message: Message
    person_id: int | None = None
    edits: Sent | None = None  # replace this post instead of sending a new one (a recap that changed)


@dataclass(frozen=True)
class Cancelled:
    """A row whose reason has gone (answered, paused, left the circle…): not sent, and why."""

    reason: str


def key(topic: str, *parts: object) -> str:
    """A row's unique key: its topic (the kind, unless said otherwise) and the ids that make it one."""
    return ":".join(map(str, (topic, *parts)))


def row(kind: DeliveryKind, ws: Workspace, due_at: datetime, *parts: object, topic: str | None = None,
        person_id: int | None = None, circle_id: int | None = None, run_id: int | None = None,
        assignment_id: int | None = None, payload: dict | None = None) -> Outbound:
    """The one way to make an outbox row; `parts` make its key (e.g. run and person)."""
    return Outbound(kind, key(topic or kind.value, *parts), ws.id, ws.platform, due_at, person_id, circle_id,
                    run_id, assignment_id, payload)


def enqueue(session: Session, rows: Iterable[Outbound]) -> int:
    """Add deliveries; a key that is already there is left alone (planning twice sends once). Each
    row keeps the id of the request that planned it (None for the clock's), for the sender's log."""
    now, request = utcnow(), request_id.get()
    values = [{"key": r.key, "workspace_id": r.workspace_id, "platform": r.platform, "kind": r.kind.value,
               "due_at": r.due_at, "person_id": r.person_id, "circle_id": r.circle_id, "run_id": r.run_id,
               "assignment_id": r.assignment_id, "payload": r.payload, "status": "pending", "attempts": 0,
               "created_at": now, "request_id": request} for r in rows]
    return insert_ignore(session, Delivery, values, ["key"])


def refresh_recaps(session: Session, run_ids: Iterable[int], now: datetime) -> int:
    """Recaps of these runs that are already posted are edited to what is shared now: an answer in
    one was edited, deleted, made private or erased. Composed at send time like every row, so a
    second change before it goes out still ends in the latest state."""
    ids = sorted(set(run_ids))
    if not ids:
        return 0
    posted = session.exec(select(Delivery, Workspace).join(Workspace, Workspace.id == Delivery.workspace_id).where(
        Delivery.kind == DeliveryKind.RECAP, Delivery.run_id.in_(ids), Delivery.status == "sent",
        Delivery.platform_message_id.is_not(None))).all()
    return enqueue(session, [
        row(DeliveryKind.RECAP_EDIT, ws, now, d.id, now.isoformat(), circle_id=d.circle_id, run_id=d.run_id,
            payload={"message_id": d.platform_message_id, "channel_id": d.platform_channel_id})
        for d, ws in posted])


def recap_post(session: Session, edit: Delivery) -> Sent | None:
    """The post a recap_edit row changes, as it is now: its last version sent (the recap, or a later
    edit that added or removed continuation posts). None when a newer edit of it is on its way:
    that one carries the latest state, so this one need not go."""
    newer = session.exec(select(Delivery.id).where(
        Delivery.kind == DeliveryKind.RECAP_EDIT, Delivery.run_id == edit.run_id, Delivery.id > edit.id,
        Delivery.status.in_(("pending", "unsure", "sending")))).first()
    if newer is not None:
        return None
    last = session.exec(
        select(Delivery).where(Delivery.kind.in_((DeliveryKind.RECAP, DeliveryKind.RECAP_EDIT)),
                               Delivery.run_id == edit.run_id, Delivery.status == "sent",
                               Delivery.platform_message_id.is_not(None))
        .order_by(Delivery.sent_at.desc(), Delivery.id.desc())).first()
    if last is None:  # planned before posts kept their continuations
        payload = edit.payload or {}
        return Sent(payload.get("message_id"), payload.get("channel_id"))
    return Sent(last.platform_message_id, last.platform_channel_id, tuple(last.more_message_ids or ()))


def tell_mentor_unreachable(session: Session, delivery: Delivery, now: datetime) -> None:
    """A member the platform cannot reach: their mentor hears it once per circle, by DM."""
    if delivery.person_id is None or delivery.circle_id is None:
        return
    circle = session.get(Circle, delivery.circle_id)
    person = session.get(Person, delivery.person_id)
    if circle is None or person is None or circle.mentor_id == person.id:
        return
    notice = {"key": "notice.unreachable", "params": {"name": person.name or person.platform_user_id,
                                                      "circle": circle.name}}
    enqueue(session, [row(DeliveryKind.NOTICE, session.get(Workspace, delivery.workspace_id), now, circle.id,
                          person.id, topic="unreachable", person_id=circle.mentor_id, circle_id=circle.id,
                          payload=notice)])
