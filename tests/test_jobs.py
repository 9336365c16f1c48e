"""Daily and weekly jobs are due work planned by the minute tick (bot/domain/jobs.py)."""
from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from bot.domain.jobs import summary_week
from harness import at, make_world
from storage.models import JobRun


def test_the_due_summary_week_turns_on_monday_at_nine():
    assert summary_week(at("2026-12-07 08:59"), "Europe/Helsinki").label == "2026-W48"
    assert summary_week(at("2026-12-07 09:00"), "Europe/Helsinki").label == "2026-W49"
    assert summary_week(at("2026-12-13 23:59"), "Europe/Helsinki").label == "2026-W49"


def test_platform_upkeep_runs_once_a_day_from_four(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-01 03:00"))
    upkeep = lambda when: asyncio.run(world.app.tick(when))["upkeep"]  # noqa: E731
    assert upkeep(at("2026-12-01 03:59")) == []
    assert upkeep(at("2026-12-01 04:00")) == ["test"] and world.platform.upkeeps == 1
    assert upkeep(at("2026-12-01 16:00")) == [] and world.platform.upkeeps == 1
    assert upkeep(at("2026-12-02 09:30")) == ["test"] and world.platform.upkeeps == 2  # a late start catches up
    with Session(engine) as s:
        keys = sorted(r.key for r in s.exec(select(JobRun)) if r.key.startswith("upkeep"))
    assert keys == ["upkeep:test:2026-12-01", "upkeep:test:2026-12-02"]


def test_retention_and_upkeep_keys_are_per_day_in_the_organisations_zone(settings, engine):
    world = make_world(settings, engine, start=at("2026-12-01 23:50"))
    asyncio.run(world.app.tick(at("2026-12-01 23:50")))
    asyncio.run(world.app.tick(at("2026-12-02 00:10")))  # 22:10 UTC the day before, a new day here
    with Session(engine) as s:
        keys = sorted(r.key for r in s.exec(select(JobRun)))
    assert "retention:2026-12-01" in keys and "retention:2026-12-02" not in keys  # 00:10 is before 03:30
    assert keys.count("upkeep:test:2026-12-01") == 1
