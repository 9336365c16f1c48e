"""A member organisation's side: send the hub each full week's aggregates, and leave.

The minute tick plans it like every job: a week becomes due six hours after it ends (Monday 06:00
in TIMEZONE), gets one ProgrammePush row (its unique key), and is tried until the hub takes it,
with backoff (5 minutes, doubling, at most 6 hours apart). A tick after downtime, or after the hub
was away, sends every week of the last four that is still owed. The payload is built in a short
transaction and sent outside any, so a slow hub never holds the database.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.domain.programme import payload as build
from bot.domain import reports
from bot.domain.shared.context import Services
from storage.db import unit_of_work
from storage.models import JobRun, ProgrammePush
from storage.ops import insert_ignore

log = logging.getLogger("kipina.programme")

DUE_AFTER = timedelta(hours=6)  # after the week's end: Monday 06:00
CATCH_UP_WEEKS = 4
FIRST_RETRY = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT = (5.0, 15.0)  # connect, read: a hub that does not answer holds one tick at most this long
LEFT = "programme:left"


@dataclass(frozen=True)
class Result:
    ok: bool
    status: str  # "stored", "replaced", an HTTP status, or an error's type: never a payload or a token


def configured(settings) -> bool:
    return bool(settings.programme_hub_url and settings.programme_token)


def has_left(engine: Engine) -> bool:
    with unit_of_work(engine) as session:
        return session.get(JobRun, LEFT) is not None


def due_weeks(now: datetime, tz: str) -> list[reports.Week]:
    weeks = reports.weeks_until(reports.week_at(now, tz), CATCH_UP_WEEKS + 1, tz)
    return [w for w in weeks if w.end + DUE_AFTER <= now][-CATCH_UP_WEEKS:]


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def plan(engine: Engine, services: Services, now: datetime, post=None) -> dict | None:
    """The tick's part: send what is due; None when this installation sends nothing."""
    settings = services.settings
    if not configured(settings) or has_left(engine):
        return None
    weeks = {w.label: w for w in due_weeks(now, settings.timezone)}
    if not weeks:
        return {"sent": 0, "failed": 0}
    with unit_of_work(engine) as session:
        insert_ignore(session, ProgrammePush, [{"week": label, "attempts": 0, "next_try_at": now} for label in weeks],
                      ["week"])
        due = list(session.exec(select(ProgrammePush.week).where(
            ProgrammePush.week.in_(list(weeks)), ProgrammePush.sent_at.is_(None), ProgrammePush.next_try_at <= now)
            .order_by(ProgrammePush.week)))
    report = {"sent": 0, "failed": 0}
    for position, label in enumerate(due):
        result = push_week(engine, services, weeks[label], now, post)
        report["sent" if result.ok else "failed"] += 1
        if not result.ok:  # the hub is away: the other weeks wait as long, rather than each hold a tick
            _wait_with(engine, due[position + 1:], label)
            break
    return report


def _wait_with(engine: Engine, labels: list[str], failed: str) -> None:
    if not labels:
        return
    with unit_of_work(engine) as session:
        until = session.get(ProgrammePush, failed).next_try_at
        for row in session.exec(select(ProgrammePush).where(ProgrammePush.week.in_(labels))):
            row.next_try_at = until
            session.add(row)


def push_week(engine: Engine, services: Services, week: reports.Week, now: datetime, post=None) -> Result:
    """Build the week's payload, send it, and record the outcome (a failure is tried again later)."""
    settings = services.settings
    with unit_of_work(engine) as session:
        body = build.build(session, settings, week, now, services.library)
    result = (post or send)(settings.programme_hub_url, settings.programme_token, week.label, body)
    with unit_of_work(engine) as session:
        insert_ignore(session, ProgrammePush, [{"week": week.label, "attempts": 0, "next_try_at": now}], ["week"])
        row = session.get(ProgrammePush, week.label)
        row.attempts += 1
        row.last_error = None if result.ok else result.status[:200]
        if result.ok:
            row.sent_at = now
        else:
            row.next_try_at = now + backoff(row.attempts)
        session.add(row)
    if result.ok:
        log.info("programme week %s sent to the hub (%s)", week.label, result.status)
    else:
        log.warning("programme week %s not taken by the hub (%s); trying again later", week.label, result.status)
    return result


def send(hub_url: str, token: str, week: str, body: dict) -> Result:
    """PUT the week to the hub. Any failure is a Result, never an exception: the tick carries on."""
    try:
        answer = requests.put(f"{hub_url}/programme/v1/weeks/{week}", data=json.dumps(body).encode("utf-8"),
                              headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                              timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as error:
        return Result(False, type(error).__name__)
    if answer.status_code in (200, 201):
        return Result(True, "stored" if answer.status_code == 201 else "replaced")
    return Result(False, str(answer.status_code))


def leave(engine: Engine, services: Services, now: datetime, delete=None) -> Result:
    """Stop sending (for good, in this database) and ask the hub to delete what it holds of us."""
    settings = services.settings
    with unit_of_work(engine) as session:
        insert_ignore(session, JobRun, [{"key": LEFT, "started_at": now}], ["key"])
    if not configured(settings):
        return Result(False, "no PROGRAMME_HUB_URL or PROGRAMME_TOKEN")
    return (delete or ask_to_delete)(settings.programme_hub_url, settings.programme_token)


def ask_to_delete(hub_url: str, token: str) -> Result:
    try:
        answer = requests.delete(f"{hub_url}/programme/v1/organisation", headers={"Authorization": f"Bearer {token}"},
                                 timeout=TIMEOUT, allow_redirects=False)
    except requests.RequestException as error:
        return Result(False, type(error).__name__)
    return Result(answer.status_code == 200, str(answer.status_code))
