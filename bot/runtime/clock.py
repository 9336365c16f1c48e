"""Time sources and the one APScheduler job: the minute tick (App.tick)."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.common.logs import scrub
from bot.common.metrics import tick_last_success, tick_seconds

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
    """Only the minute tick: everything scheduled is planned by it from the database (prompt runs,
    reminders, recaps, the weekly summary, retention, upkeep), so a missed minute, a restart or a
    standby clock taking over catches up on the next tick."""
    scheduler = AsyncIOScheduler(timezone=timezone.utc)

    async def every_minute() -> None:
        started = time.perf_counter()
        try:
            report = await app.tick()
            if any(report.values()):
                log.info("tick planned %s", report)
        except Exception as exc:
            log.error("tick failed: %s", scrub(repr(exc)))
        else:
            tick_last_success.set(time.time())  # the wall clock: alerts compare it with theirs
        finally:
            tick_seconds.observe(time.perf_counter() - started)

    scheduler.add_job(every_minute, IntervalTrigger(minutes=1), id="tick", coalesce=True, max_instances=1,
                      misfire_grace_time=30, next_run_time=datetime.now(timezone.utc))
    return scheduler
