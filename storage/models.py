"""Tables. Times are aware UTC (see UTCDateTime); texts are full Unicode."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime, utcnow

# Field helpers keep the table definitions readable.


def _when(nullable: bool = True, index: bool = False, default_now: bool = False) -> Any:
    kwargs: dict[str, Any] = {"sa_type": UTCDateTime, "nullable": nullable, "index": index}
    if default_now:
        kwargs["default_factory"] = utcnow
    else:
        kwargs["default"] = None
    return Field(**kwargs)


def _json() -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=True))


class Workspace(SQLModel, table=True):
    """A Slack team, a Teams tenant or the local console."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    external_id: str = Field(max_length=255)
    name: str = Field(default="", max_length=255)
    language: Optional[str] = Field(default=None, max_length=8)
    timezone: Optional[str] = Field(default=None, max_length=64)
    created_at: datetime = _when(nullable=False, default_now=True)


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workspace_id", "platform_user_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    platform_user_id: str = Field(max_length=255)
    name: str = Field(default="", max_length=255)
    timezone: Optional[str] = Field(default=None, max_length=64)
    locale: Optional[str] = Field(default=None, max_length=32)
    language: Optional[str] = Field(default=None, max_length=8)  # own choice beats locale
    paused_until: Optional[datetime] = _when()
    is_hr: bool = False
    is_admin: bool = False
    is_bot: bool = False
    is_active: bool = True
    address: Optional[dict] = _json()  # what the platform needs to DM this person
    profile_checked_at: Optional[datetime] = _when()
    created_at: datetime = _when(nullable=False, default_now=True)


class Circle(SQLModel, table=True):
    __table_args__ = (
        # One live circle per channel; archived ones keep their history.
        Index(
            "uq_circle_live_channel",
            "workspace_id",
            "channel_id",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    name: str = Field(max_length=80)
    channel_id: Optional[str] = Field(default=None, max_length=255)
    channel_address: Optional[dict] = _json()
    mentor_id: int = Field(foreign_key="person.id", index=True)
    # None: the mentor's language, whatever it is at send time; "fi", or "fi+sv" for a bilingual circle
    language: Optional[str] = Field(default=None, max_length=8)
    timezone: str = Field(default="Europe/Helsinki", max_length=64)
    default_visibility: str = Field(default="circle", max_length=16)
    store_coffee_text: bool = False
    archived_at: Optional[datetime] = _when()
    created_at: datetime = _when(nullable=False, default_now=True)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("circle_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(default="member", max_length=16)  # mentor | member
    joined_at: datetime = _when(nullable=False, default_now=True)


class Schedule(SQLModel, table=True):
    """A circle's rhythm; the tick plans runs whose next_run_at has come."""

    __table_args__ = (UniqueConstraint("circle_id", "kind"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    kind: str = Field(max_length=16)  # reflection | coffee
    days: str = Field(max_length=32)  # cron day_of_week, e.g. "thu" or "mon,thu"
    time: str = Field(max_length=5)  # HH:MM in the schedule's time zone
    timezone: str = Field(max_length=64)
    next_run_at: Optional[datetime] = _when(index=True)
    created_at: datetime = _when(nullable=False, default_now=True)


class CirclePrompt(SQLModel, table=True):
    """A mentor's own prompt for one circle (`prompt add`)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    author_id: Optional[int] = Field(default=None, foreign_key="person.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _when(nullable=False, default_now=True)


class PromptRun(SQLModel, table=True):
    """One reflection prompt or coffee starter for a circle at one moment."""

    __table_args__ = (UniqueConstraint("circle_id", "kind", "scheduled_for"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    kind: str = Field(max_length=16)  # reflection | coffee
    prompt_key: str = Field(max_length=64)  # library id or custom:<id>
    trigger: str = Field(default="schedule", max_length=16)  # schedule | manual
    scheduled_for: datetime = _when(nullable=False)
    closes_at: Optional[datetime] = _when(index=True)
    remind_at: Optional[datetime] = _when(index=True)
    reminded_at: Optional[datetime] = _when()
    closed_at: Optional[datetime] = _when()
    created_at: datetime = _when(nullable=False, default_now=True)


class Assignment(SQLModel, table=True):
    """A member's part in a reflection run: which prompt they hold, whether they passed."""

    __table_args__ = (UniqueConstraint("run_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="promptrun.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    prompt_key: str = Field(max_length=64)
    offered: str = Field(default="", max_length=512)  # keys already offered, comma-separated
    skipped_at: Optional[datetime] = _when()
    snoozes: int = 0
    created_at: datetime = _when(nullable=False, default_now=True)


class Delivery(SQLModel, table=True):
    """The outbox: one row per message the bot sends on its own."""

    __table_args__ = (Index("ix_delivery_due", "status", "platform", "due_at"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)  # planning twice sends once
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    platform: str = Field(max_length=16)
    kind: str = Field(max_length=16)  # prompt | reminder | recap | recap_edit | coffee | summary | notice | …
    person_id: Optional[int] = Field(default=None, foreign_key="person.id", index=True)
    circle_id: Optional[int] = Field(default=None, foreign_key="circle.id", index=True)
    run_id: Optional[int] = Field(default=None, foreign_key="promptrun.id", index=True)
    assignment_id: Optional[int] = Field(default=None, foreign_key="assignment.id", index=True)
    payload: Optional[dict] = _json()
    status: str = Field(default="pending", max_length=16)  # pending|sending|unsure|sent|failed|cancelled
    due_at: datetime = _when(nullable=False)
    attempts: int = 0
    claimed_at: Optional[datetime] = _when()
    claimed_by: Optional[str] = Field(default=None, max_length=64)
    sent_at: Optional[datetime] = _when()
    platform_message_id: Optional[str] = Field(default=None, max_length=255, index=True)  # thread replies
    platform_channel_id: Optional[str] = Field(default=None, max_length=255)
    more_message_ids: Optional[list] = _json()  # posts a long message continued in, to edit them too
    error: Optional[str] = Field(default=None, max_length=1000)
    created_at: datetime = _when(nullable=False, default_now=True)
    request_id: Optional[str] = Field(default=None, max_length=128)  # the request that planned it (logs)


class Reply(SQLModel, table=True):
    """A member's answer to a reflection prompt."""

    __table_args__ = (UniqueConstraint("run_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="promptrun.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    prompt_key: str = Field(max_length=64)
    text: str = Field(sa_column=Column(Text, nullable=False))
    visibility: str = Field(default="circle", max_length=16)  # circle | private
    source_id: str = Field(max_length=255, unique=True)  # redelivered events store once
    created_at: datetime = _when(nullable=False, default_now=True, index=True)
    updated_at: datetime = _when(nullable=False, default_now=True)


class Participation(SQLModel, table=True):
    """A thread reply to a coffee-room starter; text only if the circle opted in."""

    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="promptrun.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    source_id: str = Field(max_length=255, unique=True)
    text: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _when(nullable=False, default_now=True)


class AuditEntry(SQLModel, table=True):
    """Who did what that touches trust: HR reports, exports, erasures, membership changes.

    Never holds answer text; readable by admins only.
    """

    id: Optional[int] = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="person.id")
    action: str = Field(max_length=32)
    subject_id: Optional[int] = Field(default=None, foreign_key="person.id")
    circle_id: Optional[int] = Field(default=None, foreign_key="circle.id")
    detail: Optional[dict] = _json()
    created_at: datetime = _when(nullable=False, default_now=True, index=True)


class Sender(SQLModel, table=True):
    """A living outbox sender (a dispatcher in some process). It heartbeats; rows claimed by a sender
    whose heartbeat went stale are taken over by the others within seconds."""

    name: str = Field(primary_key=True, max_length=64)
    started_at: datetime = _when(nullable=False, default_now=True)
    heartbeat_at: datetime = _when(nullable=False, default_now=True)


class JobRun(SQLModel, table=True):
    """A scheduled job planned once for its key (retention:2026-12-01, upkeep:slack:2026-12-01): the
    tick inserts the key, and whoever inserted it runs the job."""

    key: str = Field(primary_key=True, max_length=160)
    started_at: datetime = _when(nullable=False, default_now=True)
    finished_at: Optional[datetime] = _when()
    detail: Optional[dict] = _json()


class SendBudget(SQLModel, table=True):
    """One workspace's send rate shared by every sender process (GCRA): `tat` is the next free slot,
    in seconds since the epoch by the database's clock."""

    key: str = Field(primary_key=True, max_length=160)
    tat: float = 0.0


class PairSchedule(SQLModel, table=True):
    """A circle's learning-coffee rhythm (`pairs on`): a round every `every_weeks` weeks on `day` at `time`."""

    __table_args__ = (UniqueConstraint("circle_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id")
    every_weeks: int = 2
    day: str = Field(default="mon", max_length=3)  # cron day name
    time: str = Field(default="10:00", max_length=5)  # HH:MM in the schedule's time zone
    timezone: str = Field(max_length=64)
    next_run_at: Optional[datetime] = _when(index=True)
    created_at: datetime = _when(nullable=False, default_now=True)


class PairRound(SQLModel, table=True):
    """One round of learning coffees in a circle; planned once per moment, like a prompt run."""

    __table_args__ = (UniqueConstraint("circle_id", "scheduled_for"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    trigger: str = Field(default="schedule", max_length=16)  # schedule | manual
    scheduled_for: datetime = _when(nullable=False)
    check_in_at: Optional[datetime] = _when(index=True)
    checked_in_at: Optional[datetime] = _when()
    people: int = 0  # how many were put in groups
    left_out: int = 0  # no partner within working hours
    repeats: int = 0  # pairs who had met before (only when unavoidable)
    created_at: datetime = _when(nullable=False, default_now=True)


class PairGroup(SQLModel, table=True):
    """Two (or three) people who meet in a round, and the conversation starter they got."""

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="pairround.id", index=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    prompt_key: str = Field(max_length=64)
    shared_chat: bool = False  # introduced in one group conversation (Slack), not a DM each
    created_at: datetime = _when(nullable=False, default_now=True)


class PairMember(SQLModel, table=True):
    """A person's place in a group: their history, and their own answer to "did you meet?".

    Nobody is in two groups of one round. An erased person's rows lose the link to them (the
    anonymous answer still counts in the figures)."""

    __table_args__ = (UniqueConstraint("round_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="pairgroup.id", index=True)
    round_id: int = Field(foreign_key="pairround.id", index=True)
    person_id: Optional[int] = Field(default=None, foreign_key="person.id", index=True)
    met: Optional[bool] = None  # None: not answered
    answered_at: Optional[datetime] = _when()


class PairOptOut(SQLModel, table=True):
    """Someone who asked not to be paired in a circle (`pairs skip`) until they join again."""

    __table_args__ = (UniqueConstraint("circle_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    circle_id: int = Field(foreign_key="circle.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _when(nullable=False, default_now=True)


class DashboardLink(SQLModel, table=True):
    """A single-use sign-in link to the dashboard (`/circle dashboard`), bound to one person.

    Only a hash of the link's token is kept: the database alone cannot sign anyone in."""

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _when(nullable=False, default_now=True)
    expires_at: datetime = _when(nullable=False, index=True)
    used_at: Optional[datetime] = _when()


class DashboardSession(SQLModel, table=True):
    """A browser signed in to the dashboard: the hash of its cookie, whose it is, until when."""

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _when(nullable=False, default_now=True)
    expires_at: datetime = _when(nullable=False, index=True)


class DashboardSummary(SQLModel, table=True):
    """A summary as bot/domain/reports computed it (figures under the group-size rule, never answer text),
    kept a few minutes so that every web process shows a page without computing it again."""

    key: str = Field(primary_key=True, max_length=160)
    workspace_id: int = Field(foreign_key="workspace.id", index=True)
    payload: Optional[dict] = _json()
    computed_at: datetime = _when(nullable=False)


from storage.programme_models import ProgrammeOrganisation, ProgrammePush, ProgrammeWeek  # noqa: E402,F401
