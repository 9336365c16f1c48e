"""Time sources and the APScheduler jobs: a one-minute tick, the daily retention job, the Monday summary."""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.logs import scrub
from bot.reports import plan_weekly
from bot.rhythm import zone

log = logging.getLogger("kipina.clock")


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that can be set (console `/tick`, `tick --at`); it keeps running from there."""

    def __init__(self, at: datetime | None = None):
        self.set(at or datetime.now(timezone.utc))

    def set(self, at: datetime) -> None:
        self._base, self._started = at.astimezone(timezone.utc), time.monotonic()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.monotonic() - self._started)


def build_scheduler(app) -> AsyncIOScheduler:
    """The tick plans due work every minute; the dispatcher runs beside it in its own loop."""
    scheduler = AsyncIOScheduler(timezone=timezone.utc)

    async def tick() -> None:
        try:
            report = await asyncio.to_thread(app.core.tick, app.clock.now())
            if any(report.values()):
                log.info("tick planned %s", report)
        except Exception as exc:
            log.error("tick failed: %s", scrub(repr(exc)))

    async def retention() -> None:
        try:
            erased = await asyncio.to_thread(app.core.retention, app.clock.now())
            log.info("retention cleared %d old answers", erased)
        except Exception as exc:
            log.error("retention failed: %s", scrub(repr(exc)))

    scheduler.add_job(tick, IntervalTrigger(minutes=1), id="tick", coalesce=True, max_instances=1,
                      misfire_grace_time=30, next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(retention, CronTrigger(hour=3, minute=30, timezone=zone(app.settings.timezone)),
                      id="retention", coalesce=True, max_instances=1, misfire_grace_time=3600)

    async def upkeep() -> None:
        for platform in list(app.platforms.values()):
            try:
                await platform.upkeep()
            except Exception as exc:
                log.error("%s upkeep failed: %s", platform.name, scrub(repr(exc)))

    # Daily, and once soon after the clock starts so a fresh deployment is current too.
    scheduler.add_job(upkeep, CronTrigger(hour=4, minute=0, timezone=zone(app.settings.timezone)), id="upkeep",
                      coalesce=True, max_instances=1, misfire_grace_time=3600)
    scheduler.add_job(upkeep, "date", run_date=datetime.now(timezone.utc) + timedelta(seconds=30),
                      id="upkeep-at-start")

    async def summary() -> None:
        try:
            planned = await asyncio.to_thread(plan_weekly, app.engine, app.services, app.clock.now())
            log.info("weekly summary planned for %d HR users", planned)
        except Exception as exc:
            log.error("weekly summary failed: %s", scrub(repr(exc)))

    scheduler.add_job(summary, CronTrigger(day_of_week="mon", hour=9, timezone=zone(app.settings.timezone)),
                      id="summary", coalesce=True, max_instances=1, misfire_grace_time=3600)
    return scheduler
