"""The summaries the dashboard shows, computed by bot/domain/reports (the weekly summary's own code and
group-size rule) and kept a few minutes in the database.

Counting a large organisation's weeks takes a second or more; showing a page must not. A summary
is stored as bot/domain/reports returns it (figures, names of circles large enough to be named, theme
keywords; never answer text), is fresh for FRESH, and after that is still shown, with its time,
while a new one is counted in the background. Only the first view of a scope and week waits
for the count, at most `wait` seconds; after that the page says the figures are on their way
and offers a button to look again (it never reloads itself).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.domain import reports
from bot.domain.shared.context import Services
from storage.db import unit_of_work
from storage.models import DashboardSummary, Workspace
from storage.ops import insert_ignore

log = logging.getLogger("kipina.dashboard")

FRESH = timedelta(minutes=10)
KEEP = timedelta(days=2)
TREND_CHOICES = (12, 26)
WEEK_CHOICES = 26  # the week selector offers this many weeks back


@dataclass(frozen=True)
class Wanted:
    workspace_id: int
    week: str  # ISO label, 2026-W48
    trend_weeks: int
    mentor_id: int | None = None  # None: the whole workspace (HR)

    @property
    def key(self) -> str:
        scope = f"mentor{self.mentor_id}" if self.mentor_id else "hr"
        return f"{self.workspace_id}:{scope}:{self.week}:{self.trend_weeks}"


@dataclass
class Found:
    summary: dict
    computed_at: datetime
    stale: bool = False


def weeks_offered(ws: Workspace, services: Services, now: datetime) -> list[str]:
    """This week (so far) first, then the WEEK_CHOICES weeks before it."""
    tz = reports.timezone_of(ws, services.settings)
    current = reports.week_at(now, tz)
    return [w.label for w in reversed(reports.weeks_until(current, WEEK_CHOICES + 1, tz))]


def compute(engine: Engine, services: Services, wanted: Wanted, now: datetime) -> Found:
    """Count it (bot/domain/reports) and keep it; one short transaction each."""
    with unit_of_work(engine) as session:
        ws = session.get(Workspace, wanted.workspace_id)
        week = reports.parse_week(wanted.week, reports.timezone_of(ws, services.settings))
        summary = reports.compute(session, ws, services.settings, week, now, mentor_id=wanted.mentor_id,
                                  library=services.library, trend_weeks=wanted.trend_weeks)
    with unit_of_work(engine) as session:
        session.execute(delete(DashboardSummary).where(
            (DashboardSummary.key == wanted.key) | (DashboardSummary.computed_at < now - KEEP))
            .execution_options(synchronize_session=False))
        insert_ignore(session, DashboardSummary, [{"key": wanted.key, "workspace_id": wanted.workspace_id,
                                                   "payload": summary, "computed_at": now}], ["key"])
    return Found(summary, now)


def stored(engine: Engine, wanted: Wanted) -> Found | None:
    with unit_of_work(engine) as session:
        row = session.exec(select(DashboardSummary).where(DashboardSummary.key == wanted.key)).first()
        return Found(row.payload, row.computed_at) if row is not None and row.payload else None


@dataclass
class Summaries:
    """The web process's way to a summary: stored, or being counted (once per key in this process)."""

    engine: Engine
    services: Services
    wait: float = 0.45
    counting: dict[str, asyncio.Task] = field(default_factory=dict)

    async def get(self, wanted: Wanted, now: datetime, wait: float | None = None) -> Found | None:
        """A stored summary (fresh, or stale while a new one is counted), a new one counted within
        `wait` seconds (default self.wait), or None: it is still being counted."""
        found = await asyncio.to_thread(stored, self.engine, wanted)
        if found is not None and now - found.computed_at < FRESH:
            return found
        task = self._count(wanted, now)
        if found is not None:
            found.stale = True
            return found
        try:
            return await asyncio.wait_for(asyncio.shield(task), self.wait if wait is None else wait)
        except asyncio.TimeoutError:
            return None

    def _count(self, wanted: Wanted, now: datetime) -> asyncio.Task:
        task = self.counting.get(wanted.key)
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(
                asyncio.to_thread(compute, self.engine, self.services, wanted, now))
            self.counting[wanted.key] = task
            task.add_done_callback(lambda done: self._finished(wanted.key, done))
        return task

    def _finished(self, key: str, task: asyncio.Task) -> None:
        if self.counting.get(key) is task:
            del self.counting[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("dashboard summary %s failed: %s", key.split(":")[1], type(task.exception()).__name__)

    async def close(self) -> None:
        pending = [t for t in self.counting.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=2.0)
