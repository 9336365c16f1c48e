"""Tables of a programme across organisations (docs/programme.md).

At the hub: the member organisations (a hash of each one's token, never the token) and one row
per organisation and week with the aggregates it sent. At a member organisation: one row per
week it owes the hub, with its tries. No row here holds a person, a name or an answer.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


class ProgrammeOrganisation(SQLModel, table=True):
    """A member organisation, at the hub. `left_at`: it left, its weeks were deleted, its token is void."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False, default_factory=utcnow)
    left_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ProgrammeWeek(SQLModel, table=True):
    """One organisation's aggregates for one ISO week, at the hub: a resend replaces the payload."""

    __table_args__ = (UniqueConstraint("organisation_id", "week"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="programmeorganisation.id", index=True)
    week: str = Field(max_length=8)  # 2026-W49
    payload: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    received_at: datetime = Field(sa_type=UTCDateTime, nullable=False, default_factory=utcnow)


class ProgrammePush(SQLModel, table=True):
    """A week this organisation owes the hub, at a member: tried until sent, with backoff."""

    week: str = Field(primary_key=True, max_length=8)
    attempts: int = 0
    next_try_at: datetime = Field(sa_type=UTCDateTime, nullable=False, default_factory=utcnow)
    sent_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime, nullable=True)
    last_error: Optional[str] = Field(default=None, max_length=200)  # a status or an error's type, never a payload
