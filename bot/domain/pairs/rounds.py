"""Learning-coffee rounds: a circle's rhythm, making a round, and the check-in a few working days later.

Rounds are planned by the minute tick from PairSchedule rows (or at once by `pairs now`), like
prompt runs: a round is unique per circle and moment, and only the planner whose insert made it
matches people and writes the groups, so a round planned twice is made once. Introductions and
check-ins are outbox rows with unique keys (`pair-intro:<group>[:<person>]`): on a platform that
can open a conversation with several people (Slack) one per group, elsewhere one per person.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from bot import platforms as registry
from bot.domain.shared.context import Services
from bot.domain.shared.rhythm import latest_due, next_fire
from bot.domain.pairs import inputs
from bot.domain.pairs.matching import make_groups
from bot.domain.shared.rhythm import Calendar
from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind
from prompts import Library
from storage.models import Circle, PairGroup, PairMember, PairRound, PairSchedule, Person, Workspace
from storage.ops import insert_ignore
from storage.types import utcnow

DEFAULT_WEEKS, DEFAULT_DAY, DEFAULT_TIME = 2, "mon", "10:00"
CHECK_IN_DAYS = 3  # working days after the round; at most half the rhythm
GRACE = timedelta(days=1)  # a round missed by a stopped clock is still made within this
STARTERS = "coffee-pair"  # the library's kind of conversation starters for a group


@dataclass
class Made:
    round: PairRound
    new: bool
    groups: int = 0
    due: list[datetime] | None = None  # when the introductions go out
    shared: int = 0  # pairs who share another circle (only when nobody else was free)


# -- the rhythm -----------------------------------------------------------------------------------

def schedule_of(session: Session, circle_id: int) -> PairSchedule | None:
    return session.exec(select(PairSchedule).where(PairSchedule.circle_id == circle_id)).first()


def set_schedule(session: Session, circle: Circle, weeks: int | None, day: str, clock: str,
                 now: datetime) -> PairSchedule:
    """`pairs on`: what is not given stays as it was (or the default: every 2 weeks, Monday 10:00)."""
    schedule = schedule_of(session, circle.id) or PairSchedule(
        circle_id=circle.id, every_weeks=DEFAULT_WEEKS, day=DEFAULT_DAY, time=DEFAULT_TIME,
        timezone=circle.timezone, created_at=now)
    schedule.every_weeks = weeks or schedule.every_weeks
    schedule.day, schedule.time = day or schedule.day, clock or schedule.time
    schedule.timezone = circle.timezone
    schedule.next_run_at = next_fire(schedule.day, schedule.time, schedule.timezone, now - timedelta(seconds=1))
    session.add(schedule)
    return schedule


def following(schedule: PairSchedule, fire: datetime) -> datetime:
    """The round after `fire`: the same weekday and time, `every_weeks` weeks on (DST-proof)."""
    return next_fire(schedule.day, schedule.time, schedule.timezone,
                     fire + timedelta(days=7 * schedule.every_weeks - 1))


def check_in_at(calendar: Calendar, when: datetime, weeks: int, tz: str) -> datetime:
    """A few working days after the round, never later than half its rhythm."""
    days = min(CHECK_IN_DAYS, weeks * len(calendar.days) / 2)
    return calendar.add_working_time(when, calendar.day_length * days, tz)


# -- making a round -------------------------------------------------------------------------------

def start_round(session: Session, services: Services, circle: Circle, when: datetime, trigger: str = "schedule",
                weeks: int | None = None) -> Made:
    if weeks is None:
        schedule = schedule_of(session, circle.id)
        weeks = schedule.every_weeks if schedule is not None else DEFAULT_WEEKS
    values = {"circle_id": circle.id, "trigger": trigger, "scheduled_for": when, "people": 0, "left_out": 0,
              "repeats": 0, "check_in_at": check_in_at(services.calendar, when, weeks, circle.timezone),
              "created_at": utcnow()}
    new = insert_ignore(session, PairRound, [values], ["circle_id", "scheduled_for"]) > 0
    made = session.exec(select(PairRound).where(PairRound.circle_id == circle.id,
                                                PairRound.scheduled_for == when)).one()
    if not new:
        return Made(made, False)
    ws = session.get(Workspace, circle.workspace_id)
    people, zones = inputs.candidates(session, services.settings, services.calendar, ws, circle, when)
    met = inputs.history(session, ws.id, {p.id for p in people}) if len(people) > 1 else {}
    result = make_groups(people, met, seed=made.id, stable_seed=circle.id)
    made.people, made.left_out, made.repeats = sum(map(len, result.groups)), len(result.left_out), result.repeats
    session.add(made)
    if not result.groups:
        return Made(made, True, due=[])
    shared_chat = registry.group_chats(ws.platform)
    keys = starters(session, services.library, circle.id, len(result.groups), made.id)
    now = utcnow()
    # One statement for all groups; their ids come back in the order they were written (this round is ours alone).
    session.execute(insert(PairGroup.__table__), [
        {"round_id": made.id, "circle_id": circle.id, "prompt_key": key, "shared_chat": shared_chat, "created_at": now}
        for key in keys])
    ids = session.exec(select(PairGroup.id).where(PairGroup.round_id == made.id).order_by(PairGroup.id)).all()
    session.execute(insert(PairMember.__table__), [
        {"group_id": group_id, "round_id": made.id, "person_id": person_id, "met": None, "answered_at": None}
        for group_id, group in zip(ids, result.groups) for person_id in group])
    rows = [row for group_id, group in zip(ids, result.groups)
            for row in _rows(ws, circle, DeliveryKind.PAIR_INTRO, group_id, group, zones, services.calendar, when,
                             shared_chat)]
    outbox.enqueue(session, rows)
    return Made(made, True, len(ids), [row.due_at for row in rows], result.shared)


def starters(session: Session, library: Library, circle_id: int, count: int, seed: int) -> list[str]:
    """A conversation starter for each group: the ones this circle has had least often first."""
    pool = [p.key for p in library.pool(STARTERS)]
    if not pool:
        return [""] * count
    uses = dict(session.exec(select(PairGroup.prompt_key, func.count()).where(PairGroup.circle_id == circle_id)
                             .group_by(PairGroup.prompt_key)).all())
    random.Random(seed).shuffle(pool)
    pool.sort(key=lambda key: uses.get(key, 0))  # stable: shuffled among equals
    return [pool[i % len(pool)] for i in range(count)]


def _rows(ws: Workspace, circle: Circle, kind: DeliveryKind, group_id: int, group, zones: dict[int, str],
          calendar: Calendar, at: datetime, shared_chat: bool) -> list[outbox.Outbound]:
    """One row for the group's conversation (due when it is working time for the last of them),
    or one per person at their own next working moment."""
    payload = {"group": group_id}
    if shared_chat:
        due = max(calendar.next_slot(at, zones.get(p)) for p in group)
        return [outbox.row(kind, ws, due, group_id, circle_id=circle.id, payload=payload)]
    return [outbox.row(kind, ws, calendar.next_slot(at, zones.get(p)), group_id, p, person_id=p, circle_id=circle.id,
                       payload=payload)
            for p in group]


# -- the tick -------------------------------------------------------------------------------------

def tick(session: Session, services: Services, now: datetime) -> dict:
    """Rounds whose time has come (a missed one made late within GRACE), then due check-ins."""
    report = {"pair_rounds": 0, "pair_checkins": 0}
    due = session.exec(select(PairSchedule, Circle).join(Circle, Circle.id == PairSchedule.circle_id)
                       .where(PairSchedule.next_run_at <= now, Circle.archived_at.is_(None))).all()
    for schedule, circle in due:
        fire = latest_due(schedule.next_run_at, now, lambda at, schedule=schedule: following(schedule, at))
        if now - fire <= GRACE:
            report["pair_rounds"] += start_round(session, services, circle, fire, weeks=schedule.every_weeks).new
        schedule.next_run_at = following(schedule, fire)
        session.add(schedule)
    report["pair_checkins"] = plan_check_ins(session, services, now)
    return report


def plan_check_ins(session: Session, services: Services, now: datetime) -> int:
    """"Did you meet?" in the same place as the introduction, once per round."""
    rounds = session.exec(select(PairRound, Circle).join(Circle, Circle.id == PairRound.circle_id)
                          .where(PairRound.check_in_at <= now, PairRound.checked_in_at.is_(None))).all()
    total = 0
    for made, circle in rounds:
        made.checked_in_at = now
        session.add(made)
        if circle.archived_at is not None:
            continue
        ws = session.get(Workspace, circle.workspace_id)
        settings = services.settings
        groups: dict[int, tuple[bool, list[int]]] = {}
        zones: dict[int, str] = {}
        for group_id, shared_chat, person_id, tz in session.exec(
                select(PairGroup.id, PairGroup.shared_chat, PairMember.person_id, Person.timezone)
                .join(PairMember, PairMember.group_id == PairGroup.id).join(Person, Person.id == PairMember.person_id)
                .where(PairGroup.round_id == made.id).order_by(PairGroup.id, PairMember.id)):
            groups.setdefault(group_id, (shared_chat, []))[1].append(person_id)
            zones[person_id] = tz or ws.timezone or settings.timezone
        rows = [row for group_id, (shared_chat, group) in groups.items()
                for row in _rows(ws, circle, DeliveryKind.PAIR_CHECK_IN, group_id, group, zones, services.calendar,
                                 now, shared_chat)]
        total += outbox.enqueue(session, rows)
    return total
