"""What is due and to whom: planning prompt runs, reminders, recaps and coffee starters.

Everything here writes outbox rows with unique keys, so a plan made twice sends once.
Each person's DM is due at their next working slot (time zone, hours, days, holidays).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, func
from sqlmodel import Session, select

from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind
from bot.domain.shared import people, rotation
from bot.domain.shared.context import Services
from bot.domain.shared.rhythm import next_fire
from storage.models import Assignment, Circle, Membership, Person, PromptRun, Reply, Schedule, Workspace
from storage.ops import insert_ignore
from storage.types import utcnow

class RunKind(StrEnum):
    """What a prompt run (and its schedule) asks: a reflection prompt by DM, or a coffee-room starter."""

    REFLECTION = "reflection"
    COFFEE = "coffee"


REFLECTION, COFFEE = RunKind.REFLECTION, RunKind.COFFEE
MISSED_GRACE = timedelta(hours=12)  # a run missed by a stopped clock is still sent within this


@dataclass
class Planned:
    run: PromptRun
    new: bool
    due: list[datetime] = field(default_factory=list)  # when each recipient gets it


def set_schedule(session: Session, circle: Circle, kind: str, days: str, clock: str, now: datetime) -> Schedule:
    schedule = session.exec(select(Schedule).where(Schedule.circle_id == circle.id, Schedule.kind == kind)).first()
    if schedule is None:
        schedule = Schedule(circle_id=circle.id, kind=kind, days=days, time=clock, timezone=circle.timezone)
    schedule.days, schedule.time, schedule.timezone = days, clock, circle.timezone
    schedule.next_run_at = next_fire(days, clock, circle.timezone, now - timedelta(seconds=1))
    session.add(schedule)
    return schedule


def active_members(session: Session, circle_id: int, at: datetime) -> list:
    """Id and time zone of each member who may be nudged at `at` (only these: a circle can have
    thousands of members, and whole rows would cost more than the plan)."""
    return list(session.exec(
        select(Person.id, Person.timezone).join(Membership, Membership.person_id == Person.id)
        .where(Membership.circle_id == circle_id, Person.is_active, ~Person.is_bot,
               (Person.paused_until.is_(None)) | (Person.paused_until <= at))
        .order_by(Person.id)
    ))


def start_run(session: Session, services: Services, circle: Circle, kind: str, when: datetime,
              trigger: str = "schedule") -> Planned:
    settings, calendar = services.settings, services.calendar
    key = rotation.next_prompt(session, services.library, circle.id, kind)
    values = {"circle_id": circle.id, "kind": kind, "prompt_key": key, "trigger": trigger,
              "scheduled_for": when, "created_at": utcnow()}
    if kind == REFLECTION:
        window = calendar.day_length * settings.answer_window_days
        values["closes_at"] = calendar.add_working_time(when, window, circle.timezone)
        values["remind_at"] = calendar.add_working_time(when, window * 0.8, circle.timezone)
    new = insert_ignore(session, PromptRun, [values], ["circle_id", "kind", "scheduled_for"]) > 0
    run = session.exec(select(PromptRun).where(PromptRun.circle_id == circle.id, PromptRun.kind == kind,
                                               PromptRun.scheduled_for == when)).one()
    planned = Planned(run, new)
    if not new:
        return planned
    ws = session.get(Workspace, circle.workspace_id)
    if kind == REFLECTION:
        members = active_members(session, circle.id, when)
        insert_ignore(session, Assignment, [
            {"run_id": run.id, "person_id": p.id, "prompt_key": key, "offered": key, "snoozes": 0,
             "created_at": utcnow()} for p in members], ["run_id", "person_id"])
        ids = dict(session.exec(select(Assignment.person_id, Assignment.id).where(Assignment.run_id == run.id)).all())
        rows = []
        for p in members:
            due = calendar.next_slot(when, people.timezone_of(p, ws, settings))
            planned.due.append(due)
            rows.append(outbox.row(DeliveryKind.PROMPT, ws, due, run.id, p.id, person_id=p.id, circle_id=circle.id,
                                   run_id=run.id, assignment_id=ids[p.id]))
        outbox.enqueue(session, rows)
    else:
        due = calendar.next_slot(when, circle.timezone)
        planned.due.append(due)
        outbox.enqueue(session, _channel_rows(session, ws, circle, run, DeliveryKind.COFFEE, due))
    return planned


def _channel_rows(session: Session, ws: Workspace, circle: Circle, run: PromptRun, kind: DeliveryKind,
                  due: datetime) -> list[outbox.Outbound]:
    """A post for the circle's channel; a circle without one gets it by DM, member by member."""
    if circle.channel_id:
        return [outbox.row(kind, ws, due, run.id, circle_id=circle.id, run_id=run.id)]
    members = active_members(session, circle.id, due)
    return [outbox.row(kind, ws, due, run.id, p.id, person_id=p.id, circle_id=circle.id, run_id=run.id)
            for p in members]


def tick(session: Session, services: Services, now: datetime) -> dict:
    """Plan everything due at `now`: scheduled runs, reminders and recaps."""
    report = {"runs": 0, "reminders": 0, "recaps": 0}
    due = session.exec(
        select(Schedule, Circle).join(Circle, Circle.id == Schedule.circle_id)
        .where(Schedule.next_run_at <= now, Circle.archived_at.is_(None))
    ).all()
    for schedule, circle in due:
        fire = _latest_fire(schedule, now)
        if now - fire <= MISSED_GRACE:
            report["runs"] += start_run(session, services, circle, schedule.kind, fire).new
        schedule.next_run_at = next_fire(schedule.days, schedule.time, schedule.timezone, now)
        session.add(schedule)
    report["reminders"] = plan_reminders(session, services, now)
    report["recaps"] = plan_recaps(session, now)
    return report


def _latest_fire(schedule: Schedule, now: datetime) -> datetime:
    fire = schedule.next_run_at
    for _ in range(1000):
        following = next_fire(schedule.days, schedule.time, schedule.timezone, fire)
        if following > now:
            break
        fire = following
    return fire


def unanswered(session: Session, run_id: int):
    """Assignments of a run with no answer and no skip, with their person."""
    return session.exec(
        select(Assignment, Person).join(Person, Person.id == Assignment.person_id)
        .outerjoin(Reply, and_(Reply.run_id == Assignment.run_id, Reply.person_id == Assignment.person_id))
        .where(Assignment.run_id == run_id, Reply.id.is_(None), Assignment.skipped_at.is_(None))
    ).all()


def plan_reminders(session: Session, services: Services, now: datetime) -> int:
    runs = session.exec(select(PromptRun).where(
        PromptRun.kind == REFLECTION, PromptRun.remind_at <= now, PromptRun.reminded_at.is_(None),
        PromptRun.closed_at.is_(None))).all()
    total = 0
    for run in runs:
        circle = session.get(Circle, run.circle_id)
        ws = session.get(Workspace, circle.workspace_id)
        rows = []
        for assignment, person in unanswered(session, run.id):
            if not person.is_active or people.is_paused(person, now):
                continue
            due = services.calendar.next_slot(now, people.timezone_of(person, ws, services.settings))
            if due < run.closes_at:
                rows.append(outbox.row(DeliveryKind.REMINDER, ws, due, run.id, person.id, person_id=person.id,
                                       circle_id=circle.id, run_id=run.id, assignment_id=assignment.id))
        total += outbox.enqueue(session, rows)
        run.reminded_at = now
        session.add(run)
    return total


def plan_recaps(session: Session, now: datetime) -> int:
    runs = session.exec(select(PromptRun).where(
        PromptRun.kind == REFLECTION, PromptRun.closes_at <= now, PromptRun.closed_at.is_(None))).all()
    total = 0
    for run in runs:
        run.closed_at = now
        session.add(run)
        shared = session.exec(select(func.count()).select_from(Reply).where(
            Reply.run_id == run.id, Reply.visibility == "circle")).one()
        circle = session.get(Circle, run.circle_id)
        if shared and circle.archived_at is None:
            ws = session.get(Workspace, circle.workspace_id)
            total += outbox.enqueue(session, _channel_rows(session, ws, circle, run, DeliveryKind.RECAP, now))
    return total
