"""Working time: hours, days and public holidays decide when a nudge may reach someone."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from apscheduler.triggers.cron import CronTrigger

from bot.common.config import Settings


@lru_cache(maxsize=16)
def _holidays(country: str):
    return holidays.country_holidays(country) if country else None


@lru_cache(maxsize=256)
def zone(name: str | None, fallback: str = "Europe/Helsinki") -> ZoneInfo:
    try:
        return ZoneInfo(name or fallback)
    except (KeyError, ValueError):
        return ZoneInfo(fallback)


class Calendar:
    """Working hours and days of an organisation, with its country's public holidays."""

    def __init__(self, start: time, end: time, days: tuple[int, ...], country: str = ""):
        self.start, self.end, self.days, self.country = start, end, frozenset(days), country

    @classmethod
    def from_settings(cls, settings: Settings) -> "Calendar":
        start, end = settings.working_hours
        return cls(start, end, settings.working_days, settings.holiday_country)

    @property
    def day_length(self) -> timedelta:
        return _combine(date(2000, 1, 3), self.end, timezone.utc) - _combine(
            date(2000, 1, 3), self.start, timezone.utc
        )

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.days:
            return False
        hols = _holidays(self.country)
        return not (hols is not None and day in hols)

    def next_working_day(self, day: date) -> date:
        for offset in range(1, 400):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day within a year")

    def next_slot(self, at: datetime, tz: str | None) -> datetime:
        """The first moment at or after `at` that is working time where the person is.

        A working day outside hours moves to the next start of hours; a weekend or holiday
        moves to the next working day at the same clock time (within hours), so a
        Thursday 14:00 rhythm stays a 14:00 rhythm.
        """
        z = zone(tz)
        local = at.astimezone(z)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if self.is_working_day(day):
            if clock < self.start:
                return _combine(day, self.start, z)
            if clock < self.end:
                return at.astimezone(timezone.utc)
            return _combine(self.next_working_day(day), self.start, z)
        keep = clock if self.start <= clock < self.end else self.start
        return _combine(self.next_working_day(day), keep, z)

    def add_working_time(self, start: datetime, amount: timedelta, tz: str | None) -> datetime:
        """`start` plus `amount` of working time (nights, weekends and holidays don't count)."""
        z = zone(tz)
        current = self.next_slot(start, tz)
        remaining = amount
        while True:
            local = current.astimezone(z)
            left_today = _combine(local.date(), self.end, z) - current
            if remaining <= left_today:
                return (current + remaining).astimezone(timezone.utc)
            remaining -= left_today
            current = _combine(self.next_working_day(local.date()), self.start, z)

    def is_working_time(self, at: datetime, tz: str | None) -> bool:
        return self.next_slot(at, tz) == at.astimezone(timezone.utc)


def _combine(day: date, clock: time, z) -> datetime:
    return datetime.combine(day, clock, tzinfo=z).astimezone(timezone.utc)


def trigger_for(days: str, clock: str, tz: str) -> CronTrigger:
    hour, minute = clock.split(":")
    return CronTrigger(day_of_week=days, hour=int(hour), minute=int(minute), timezone=zone(tz))


def next_fire(days: str, clock: str, tz: str, after: datetime) -> datetime:
    """The first fire time strictly after `after`, in UTC (APScheduler does the calendar maths)."""
    fire = trigger_for(days, clock, tz).get_next_fire_time(None, after + timedelta(seconds=1))
    return fire.astimezone(after.tzinfo)


def latest_due(first: datetime, now: datetime, step) -> datetime:
    """The last fire time at or before `now`, walking from the first one due with `step` (the next
    fire time after a given one): a clock that was down runs the latest missed time, not each one."""
    fire = first
    for _ in range(1000):
        after = step(fire)
        if after > now:
            break
        fire = after
    return fire
