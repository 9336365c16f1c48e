"""Outcome pulse tables: a rhythm, rounds, who was asked, and each person's own answers.

A person's answers are kept per person so that they can read and erase them; reports count them
at read time under the group-size rule, and nothing per person is stored for a report."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from typing import Any

from sqlalchemy import JSON, Column, SmallInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow


def _when(nullable: bool = True, index: bool = False, default_now: bool = False) -> Any:
    if default_now:
        return Field(sa_type=UTCDateTime, nullable=nullable, index=index, default_factory=utcnow)
    return Field(sa_type=UTCDateTime, nullable=nullable, index=index, default=None)


def _json() -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=True))


class PulseSchedule(SQLModel, table=True):
    """A pulse rhythm: the workspace's (scope "all", set by HR) or one circle's (scope "c<id>", its mentor's)."""

    __table_args__ = (UniqueConstraint("workspace_id", "scope"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    scope: str = Field(max_length=24)
    circle_id: Optional[int] = Field(default=None, foreign_key="circle.id")
    every_weeks: int = 0  # 0: monthly, on the first `day` of the month
    day: str = Field(default="tue", max_length=3)
    time: str = Field(default="10:00", max_length=5)
    timezone: str = Field(max_length=64)
    next_run_at: Optional[datetime] = _when(index=True)
    created_at: datetime = _when(nullable=False, default_now=True)


class PulseRound(SQLModel, table=True):
    """One pulse sent at one moment; planned once per scope and moment."""

    __table_args__ = (UniqueConstraint("workspace_id", "scope", "scheduled_for"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    scope: str = Field(max_length=24)
    circle_id: Optional[int] = Field(default=None, foreign_key="circle.id")
    statement_set: str = Field(max_length=64)
    statements: Optional[list] = _json()  # the statement ids, in order
    trigger: str = Field(default="schedule", max_length=16)  # schedule | manual
    scheduled_for: datetime = _when(nullable=False, index=True)
    closes_at: datetime = _when(nullable=False, index=True)
    remind_at: Optional[datetime] = _when(index=True)
    reminded_at: Optional[datetime] = _when()
    closed_at: Optional[datetime] = _when()
    created_at: datetime = _when(nullable=False, default_now=True)


class PulseInvite(SQLModel, table=True):
    """A person asked in a round, counted in one circle (the first they joined of those asked), and
    their own answers once given: a1…a6 for the statements in order, 1–5, or 0 for "rather not say".

    One row per person and pulse, so that counting a pulse reads one row per respondent."""

    __table_args__ = (UniqueConstraint("round_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="pulseround.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    circle_id: int = Field(foreign_key="circle.id")
    answered_at: Optional[datetime] = _when()
    a1: Optional[int] = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    a2: Optional[int] = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    a3: Optional[int] = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    a4: Optional[int] = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    a5: Optional[int] = Field(default=None, sa_column=Column(SmallInteger, nullable=True))
    a6: Optional[int] = Field(default=None, sa_column=Column(SmallInteger, nullable=True))


ANSWERS = ("a1", "a2", "a3", "a4", "a5", "a6")  # a set has at most six statements
