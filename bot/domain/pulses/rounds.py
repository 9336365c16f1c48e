"""Pulse rhythms and rounds, planned by the minute tick from the database like prompt runs.

A round is unique per workspace, scope and moment, and only the planner whose insert made it asks
people, so a round planned twice is made once; every DM is an outbox row keyed by round and person.
The workspace's pulse (scope "all") goes to each active member of its live circles once; a circle's
(scope "c<id>") to that circle's members. Each person counts in one circle: the first they joined
of those the pulse went to, so circles add up to the workspace and no one is counted twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlmodel import Session, select

from bot.common.config import Settings
from bot.domain.shared import outbox, people
from bot.domain.shared.context import Services
from bot.domain.shared.outbox import DeliveryKind
from bot.domain.shared.rhythm import latest_due, next_fire, zone
from prompts.pulses import StatementSet, default_sets
from storage.models import Circle, Membership, Person, Workspace
from storage.ops import insert_ignore
from storage.pulses import ANSWERS, PulseInvite, PulseRound, PulseSchedule
from storage.types import utcnow

DEFAULT_DAY, DEFAULT_TIME = "tue", "10:00"
GRACE = timedelta(days=1)  # a round missed by a stopped clock is still made within this
WORKSPACE = "all"


def scope_of(circle: Circle | None) -> str:
    return WORKSPACE if circle is None else f"c{circle.id}"


def statement_set(settings: Settings) -> StatementSet:
    """The organisation's set (PULSE_SET names a file in prompts/pulses/), else the default."""
    sets = default_sets()
    return sets.get(settings.env.text("PULSE_SET") or "default") or sets["default"]


# -- the rhythm -----------------------------------------------------------------------------------

def schedule_of(session: Session, ws: Workspace, circle: Circle | None) -> PulseSchedule | None:
    return session.exec(select(PulseSchedule).where(PulseSchedule.workspace_id == ws.id,
                                                    PulseSchedule.scope == scope_of(circle))).first()


def following(schedule: PulseSchedule, after: datetime) -> datetime:
    """The first pulse strictly after `after`: monthly on the month's first `day`, or every n weeks."""
    if schedule.every_weeks:
        return next_fire(schedule.day, schedule.time, schedule.timezone,
                         after + timedelta(days=7 * schedule.every_weeks - 1))
    hour, minute = schedule.time.split(":")
    trigger = CronTrigger(day=f"1st {schedule.day}", hour=int(hour), minute=int(minute),
                          timezone=zone(schedule.timezone))
    return trigger.get_next_fire_time(None, after + timedelta(seconds=1)).astimezone(after.tzinfo)


def set_schedule(session: Session, ws: Workspace, circle: Circle | None, tz: str, weeks: int | None, day: str,
                 clock: str, now: datetime) -> PulseSchedule:
    """`pulse on`: what is not given stays as it was (or the default: monthly, first Tuesday 10:00)."""
    schedule = schedule_of(session, ws, circle) or PulseSchedule(
        workspace_id=ws.id, scope=scope_of(circle), circle_id=circle.id if circle else None, every_weeks=0,
        day=DEFAULT_DAY, time=DEFAULT_TIME, timezone=tz, created_at=now)
    if weeks is not None:
        schedule.every_weeks = weeks
    schedule.day, schedule.time, schedule.timezone = day or schedule.day, clock or schedule.time, tz
    if schedule.every_weeks:
        schedule.next_run_at = next_fire(schedule.day, schedule.time, tz, now - timedelta(seconds=1))
    else:
        schedule.next_run_at = following(schedule, now - timedelta(seconds=1))
    session.add(schedule)
    return schedule


# -- making a round -------------------------------------------------------------------------------

def recipients(session: Session, ws: Workspace, circle: Circle | None, at: datetime) -> dict[int, tuple[int, str]]:
    """person id → (the circle they count in, time zone) for everyone the pulse goes to."""
    query = (select(Person.id, Person.timezone, Membership.circle_id)
             .join(Membership, Membership.person_id == Person.id).join(Circle, Circle.id == Membership.circle_id)
             .where(Circle.workspace_id == ws.id, Circle.archived_at.is_(None), Person.is_active, ~Person.is_bot,
                    (Person.paused_until.is_(None)) | (Person.paused_until <= at))
             .order_by(Membership.joined_at, Membership.id))
    if circle is not None:
        query = query.where(Membership.circle_id == circle.id)
    found: dict[int, tuple[int, str]] = {}
    for person_id, tz, circle_id in session.exec(query):
        found.setdefault(person_id, (circle_id, tz))
    return found


def start_round(session: Session, services: Services, ws: Workspace, circle: Circle | None, when: datetime,
                trigger: str = "schedule") -> tuple[PulseRound, bool, int]:
    """(the round, whether this call made it, how many people it asks)."""
    settings, calendar = services.settings, services.calendar
    chosen = statement_set(settings)
    tz = circle.timezone if circle is not None else (ws.timezone or settings.timezone)
    window = calendar.day_length * settings.answer_window_days
    values = {"workspace_id": ws.id, "scope": scope_of(circle), "circle_id": circle.id if circle else None,
              "statement_set": chosen.key, "statements": [s.key for s in chosen.statements], "trigger": trigger,
              "scheduled_for": when, "closes_at": calendar.add_working_time(when, window, tz),
              "remind_at": calendar.add_working_time(when, window * 0.8, tz), "created_at": utcnow()}
    new = insert_ignore(session, PulseRound, [values], ["workspace_id", "scope", "scheduled_for"]) > 0
    made = session.exec(select(PulseRound).where(PulseRound.workspace_id == ws.id,
                                                 PulseRound.scope == values["scope"],
                                                 PulseRound.scheduled_for == when)).one()
    if not new:
        return made, False, 0
    asked = recipients(session, ws, circle, when)
    insert_ignore(session, PulseInvite, [{"round_id": made.id, "person_id": person_id, "circle_id": circle_id,
                                          "answered_at": None} for person_id, (circle_id, _) in asked.items()],
                  ["round_id", "person_id"])
    ids = dict(session.exec(select(PulseInvite.person_id, PulseInvite.id).where(PulseInvite.round_id == made.id)).all())
    default_tz = ws.timezone or settings.timezone
    outbox.enqueue(session, [
        outbox.row(DeliveryKind.PULSE, ws, calendar.next_slot(when, tz or default_tz), made.id, person_id,
                   person_id=person_id, circle_id=circle_id, payload={"invite": ids[person_id]})
        for person_id, (circle_id, tz) in asked.items()])
    return made, True, len(asked)


# -- the tick -------------------------------------------------------------------------------------

def tick(session: Session, services: Services, now: datetime) -> dict:
    """Rounds whose time has come (a missed one made late within GRACE), then reminders and closing."""
    report = {"pulse_rounds": 0, "pulse_reminders": 0}
    due = session.exec(select(PulseSchedule, Workspace).join(Workspace, Workspace.id == PulseSchedule.workspace_id)
                       .where(PulseSchedule.next_run_at <= now)).all()
    for schedule, ws in due:
        circle = session.get(Circle, schedule.circle_id) if schedule.circle_id else None
        fire = latest_due(schedule.next_run_at, now, lambda at, schedule=schedule: following(schedule, at))
        if now - fire <= GRACE and (circle is None or circle.archived_at is None):
            report["pulse_rounds"] += start_round(session, services, ws, circle, fire)[1]
        schedule.next_run_at = following(schedule, fire)
        session.add(schedule)
    report["pulse_reminders"] = plan_reminders(session, services, now)
    for made in session.exec(select(PulseRound).where(PulseRound.closes_at <= now, PulseRound.closed_at.is_(None))):
        made.closed_at = now
        session.add(made)
    return report


def plan_reminders(session: Session, services: Services, now: datetime) -> int:
    """One reminder, to those who have not answered, while there is still time to."""
    total = 0
    for made in session.exec(select(PulseRound).where(PulseRound.remind_at <= now, PulseRound.reminded_at.is_(None),
                                                      PulseRound.closed_at.is_(None))).all():
        made.reminded_at = now
        session.add(made)
        ws = session.get(Workspace, made.workspace_id)
        rows = []
        for invite, person in session.exec(select(PulseInvite, Person).join(Person, Person.id == PulseInvite.person_id)
                                           .where(PulseInvite.round_id == made.id,
                                                  PulseInvite.answered_at.is_(None))):
            if not person.is_active or people.is_paused(person, now):
                continue
            due = services.calendar.next_slot(now, people.timezone_of(person, ws, services.settings))
            if due < made.closes_at:
                rows.append(outbox.row(DeliveryKind.PULSE_REMINDER, ws, due, made.id, person.id, person_id=person.id,
                                       circle_id=invite.circle_id, payload={"invite": invite.id}))
        total += outbox.enqueue(session, rows)
    return total


def store_answers(invite: PulseInvite, values: list[int], now: datetime) -> None:
    """The person's answers, replacing any they gave before in this round."""
    for name, value in zip(ANSWERS, values):
        setattr(invite, name, value)
    invite.answered_at = now
