"""The hub's storage: member organisations, their tokens (a hash only), and their weeks.

One row per organisation and week: a resend replaces the payload (the unique key decides, not a
read before the write), and an organisation that leaves has every week deleted and its token voided.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import Session, select

from storage.models import ProgrammeOrganisation, ProgrammeWeek
from storage.ops import insert_ignore

TOKEN_PREFIX = "kpt_"
MAX_NAME = 120


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_organisation(session: Session, name: str, now: datetime) -> str:
    """A new member organisation; returns its token, which is kept nowhere (only its hash)."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"an organisation's name is 1 to {MAX_NAME} characters")
    if session.exec(select(ProgrammeOrganisation.id).where(ProgrammeOrganisation.name == name)).first() is not None:
        raise ValueError(f"there is an organisation called {name!r} already")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ProgrammeOrganisation(name=name, token_hash=digest(token), created_at=now))
    return token


def organisation_for(session: Session, token: str) -> ProgrammeOrganisation | None:
    """The organisation a bearer token belongs to (one that left too: the caller says 403)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    return session.exec(select(ProgrammeOrganisation).where(
        ProgrammeOrganisation.token_hash == digest(token))).first()


def store_week(session: Session, organisation_id: int, week: str, payload: dict, now: datetime) -> bool:
    """Keep an organisation's week; True when it was new, False when it replaced the one kept."""
    if insert_ignore(session, ProgrammeWeek, [{"organisation_id": organisation_id, "week": week, "payload": payload,
                                               "received_at": now}], ["organisation_id", "week"]):
        return True
    session.execute(update(ProgrammeWeek).where(ProgrammeWeek.organisation_id == organisation_id,
                                                ProgrammeWeek.week == week)
                    .values(payload=payload, received_at=now).execution_options(synchronize_session=False))
    return False


def leave(session: Session, organisation_id: int, now: datetime) -> int:
    """Deletes everything the hub holds of the organisation's weeks and voids its token; returns how many weeks."""
    gone = session.execute(delete(ProgrammeWeek).where(ProgrammeWeek.organisation_id == organisation_id)
                           .execution_options(synchronize_session=False)).rowcount
    session.execute(update(ProgrammeOrganisation).where(ProgrammeOrganisation.id == organisation_id)
                    .values(left_at=now, token_hash=f"left:{organisation_id}")
                    .execution_options(synchronize_session=False))
    return gone


def members(session: Session) -> list[ProgrammeOrganisation]:
    return list(session.exec(select(ProgrammeOrganisation).where(ProgrammeOrganisation.left_at.is_(None))
                             .order_by(ProgrammeOrganisation.name)))


def weeks(session: Session, labels: list[str]) -> dict[tuple[int, str], dict]:
    """(organisation id, week) → payload, for the organisations still in the programme."""
    rows = session.exec(select(ProgrammeWeek.organisation_id, ProgrammeWeek.week, ProgrammeWeek.payload)
                        .join(ProgrammeOrganisation, ProgrammeOrganisation.id == ProgrammeWeek.organisation_id)
                        .where(ProgrammeWeek.week.in_(labels), ProgrammeOrganisation.left_at.is_(None))).all()
    return {(org, week): payload for org, week, payload in rows}
