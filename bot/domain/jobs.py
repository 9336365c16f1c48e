"""Daily and weekly jobs as due work: the minute tick plans each once per key, from the database.

The weekly HR summary (Monday 09:00 in the workspace's time zone, for the week before), retention
(daily 03:30) and profile upkeep (daily 04:00, per platform) are due once their moment has passed
and their key is not in JobRun yet. So a tick after downtime catches up (last week's summary,
today's retention), two ticks never run a job twice, and `tick --at` reproduces all of it.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.domain.personal import journal
from bot.domain import programme, reports
from bot.domain.shared.context import Services
from bot.domain.shared.rhythm import zone
from storage.db import unit_of_work
from storage.models import Circle, JobRun, Workspace
from storage.ops import insert_ignore

log = logging.getLogger("kipina.jobs")

RETENTION_AT = time(3, 30)
UPKEEP_AT = time(4, 0)
SUMMARY_AT = time(9, 0)  # on Mondays


def plan(engine: Engine, services: Services, now: datetime, platforms: list[str] = ()) -> dict:
    """Run what is due; returns counts, and the platforms whose daily upkeep the caller should run
    now (upkeep talks to the platform, so it runs in the process that has the platforms)."""
    tz = services.settings.timezone
    report = {"retention": None, "summaries": plan_summaries(engine, services, now), "upkeep": [],
              "programme": _programme(engine, services, now)}
    today = passed_today(now, tz, RETENTION_AT)
    if today is not None:
        with unit_of_work(engine) as session:  # the key and the erasure commit together
            if claim(session, f"retention:{today}", now):
                report["retention"] = journal.apply_retention(session, now, services.settings.reply_retention_days)
                log.info("retention cleared %d old answers", report["retention"])
    today = passed_today(now, tz, UPKEEP_AT)
    if today is not None and platforms:
        with unit_of_work(engine) as session:
            report["upkeep"] = [name for name in platforms if claim(session, f"upkeep:{name}:{today}", now)]
    return report


def _programme(engine: Engine, services: Services, now: datetime) -> dict | None:
    """The week's aggregates to the programme's hub, when this installation is a member (docs/programme.md)."""
    try:
        return programme.plan(engine, services, now)
    except Exception as exc:  # the hub's trouble, or ours, must not cost the tick its other jobs
        log.error("programme push failed: %s", type(exc).__name__)
        return None


def passed_today(now: datetime, tz: str, moment: time) -> date | None:
    """Today's date (in `tz`) once `moment` has passed today, else None."""
    local = now.astimezone(zone(tz))
    return local.date() if local.time() >= moment else None


def claim(session: Session, key: str, now: datetime) -> bool:
    """True for the one caller whose insert made the key: that caller runs the job."""
    return insert_ignore(session, JobRun, [{"key": key, "started_at": now}], ["key"]) > 0


def summary_week(now: datetime, tz: str) -> reports.Week:
    """The week whose summary is due: the last one once this Monday 09:00 has passed, else the one before."""
    local = now.astimezone(zone(tz))
    monday = local.date() - timedelta(days=local.weekday())
    this_week = reports.week_at(now, tz)
    back = 2 if local >= datetime.combine(monday, SUMMARY_AT, tzinfo=zone(tz)) else 3
    return reports.weeks_until(this_week, back, tz)[0]


def plan_summaries(engine: Engine, services: Services, now: datetime) -> int:
    """Each workspace with circles gets the due week's summary planned once (one delivery per HR
    user, keyed by week and person); weeks before its first circle are skipped."""
    with unit_of_work(engine) as session:
        spaces = session.exec(select(Workspace, func.min(Circle.created_at)).join(
            Circle, Circle.workspace_id == Workspace.id).group_by(Workspace.id).order_by(Workspace.id)).all()
        due = []
        for ws, first_circle in spaces:
            week = summary_week(now, reports.timezone_of(ws, services.settings))
            key = f"summary:{ws.id}:{week.label}"
            if first_circle < week.end and session.get(JobRun, key) is None:
                due.append((ws, week, key))
    planned = 0
    for ws, week, key in due:
        try:
            planned += reports.plan_workspace(engine, services, ws, now, week)
        except Exception as exc:  # one workspace's trouble must not cost the others their summary
            # The type only: a database error would quote its parameters, and the payload holds themes.
            log.error("weekly summary failed for workspace %s: %s", ws.id, type(exc).__name__)
            continue
        with unit_of_work(engine) as session:
            claim(session, key, now)
    return planned
