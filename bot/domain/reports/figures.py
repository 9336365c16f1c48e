"""The figures of the weekly summary, counted by the database.

Every query returns aggregates (counts per circle and week), never rows of answers; the
only text ever selected is that of answers shared with circles, for themes. Weeks are
ISO weeks in the workspace's time zone, turned into UTC bounds here, so the database
only compares instants and both SQLite and PostgreSQL count the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import String, and_, case, cast, distinct, func, literal, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from bot.domain.shared.rhythm import zone
from storage.models import (Assignment, Circle, Delivery, Membership, Participation, Person, PromptRun, Reply,
                            Schedule)

FIGURES = ("prompts", "asked", "answers", "shared", "answering", "thread_replies", "thread_people", "members")


@dataclass(frozen=True)
class Week:
    year: int
    week: int
    start: datetime  # UTC instant of Monday 00:00 in the time zone
    end: datetime  # UTC instant of the next Monday 00:00

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def week_of(year: int, number: int, tz: str) -> Week:
    """Raises ValueError for a week that does not exist (2026-W54)."""
    monday = date.fromisocalendar(year, number, 1)
    return Week(year, number, _midnight(monday, tz), _midnight(monday + timedelta(days=7), tz))


def week_at(at: datetime, tz: str) -> Week:
    year, number, _ = at.astimezone(zone(tz)).isocalendar()
    return week_of(year, number, tz)


def parse_week(raw: str, tz: str) -> Week:
    """'2026-W48' (or '2026W48', '2026-w48'); ValueError otherwise."""
    text = raw.strip().upper().replace("-", "")
    if len(text) not in (6, 7) or text[4] != "W" or not (text[:4] + text[5:]).isdigit():
        raise ValueError(f"not an ISO week: {raw!r} (e.g. 2026-W48)")
    return week_of(int(text[:4]), int(text[5:]), tz)


def weeks_until(last: Week, count: int, tz: str) -> list[Week]:
    monday = date.fromisocalendar(last.year, last.week, 1)
    out = []
    for back in range(count - 1, -1, -1):
        year, number, _ = (monday - timedelta(weeks=back)).isocalendar()
        out.append(week_of(year, number, tz))
    return out


def _midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz)).astimezone(timezone.utc)


def _bucket(column, weeks: list[Week]):
    """Which of the weeks an instant falls in (the WHERE clause keeps it inside them)."""
    return case(*[(column < w.end, i) for i, w in enumerate(weeks)], else_=None)


def _inside(column, weeks: list[Week]) -> ColumnElement:
    return and_(column >= weeks[0].start, column < weeks[-1].end)


def empty() -> dict:
    return dict.fromkeys(FIGURES, 0)


def figures(session: Session, weeks: list[Week], scope: ColumnElement, by_circle: bool) -> dict:
    """{(circle id or None, week index): {figure: count}} for the circles `scope` selects.

    "shared" is counted for the last week only: it is the one figure that has to read the
    answer rows themselves (their visibility), the others come from indexes.
    """
    out: dict = {}

    def put(rows, names, index=None):
        for row in rows:
            key = (row[0] if by_circle else None, index if index is not None else row[1 if by_circle else 0])
            values = row[2:] if by_circle else row[1:]
            out.setdefault(key, empty()).update(zip(names, (int(v or 0) for v in values)))

    def grouped(inner, *aggregates):
        sub = inner.subquery()
        keys = [sub.c.c, sub.c.b] if by_circle else [sub.c.b]
        return session.execute(select(*keys, *[a(sub) for a in aggregates]).where(sub.c.b.is_not(None))
                               .group_by(*keys)).all()

    count_all = lambda sub: func.count()  # noqa: E731
    people = lambda sub: func.count(distinct(sub.c.p))  # noqa: E731

    put(grouped(_prompted(Assignment, weeks, scope), count_all, people), ("prompts", "asked"))
    # Answers count by the week of the prompt they answer, so the response rate never passes 100 %.
    # Private answers count here; no text is read.
    put(grouped(_prompted(Reply, weeks, scope), count_all, people), ("answers", "answering"))
    last = weeks[-1:]
    put(grouped(_prompted(Reply, last, scope).where(Reply.visibility == "circle"), count_all), ("shared",),
        index=len(weeks) - 1)
    put(grouped(_threads(weeks, scope), count_all, people), ("thread_replies", "thread_people"))
    for (circle_id, index), members in members_by_week(session, weeks, scope, by_circle).items():
        out.setdefault((circle_id, index), empty())["members"] = members
    return out


def _prompted(model, weeks: list[Week], scope: ColumnElement):
    """(circle, week, person) of each Assignment or Reply of the weeks' reflection prompts."""
    return (select(PromptRun.circle_id.label("c"), _bucket(PromptRun.scheduled_for, weeks).label("b"),
                   model.person_id.label("p"))
            .select_from(model).join(PromptRun, PromptRun.id == model.run_id)
            .join(Circle, Circle.id == PromptRun.circle_id)
            .where(scope, PromptRun.kind == "reflection", _inside(PromptRun.scheduled_for, weeks)))


def _threads(weeks: list[Week], scope: ColumnElement):
    return (select(PromptRun.circle_id.label("c"), _bucket(Participation.created_at, weeks).label("b"),
                   Participation.person_id.label("p"))
            .select_from(Participation).join(PromptRun, PromptRun.id == Participation.run_id)
            .join(Circle, Circle.id == PromptRun.circle_id)
            .where(scope, _inside(Participation.created_at, weeks)))


def active_by_week(session: Session, weeks: list[Week], scope: ColumnElement) -> dict[int, int]:
    """How many circles had an answered prompt or a thread reply, week by week."""
    answered = (select(PromptRun.circle_id.label("c"), _bucket(PromptRun.scheduled_for, weeks).label("b"))
                .join(Circle, Circle.id == PromptRun.circle_id)
                .where(scope, PromptRun.kind == "reflection", _inside(PromptRun.scheduled_for, weeks),
                       select(Reply.id).where(Reply.run_id == PromptRun.id).exists()))
    threads = _threads(weeks, scope).with_only_columns(PromptRun.circle_id.label("c"),
                                                        _bucket(Participation.created_at, weeks).label("b"))
    both = union(answered, threads).subquery()
    rows = session.execute(select(both.c.b, func.count()).where(both.c.b.is_not(None)).group_by(both.c.b)).all()
    return {int(b): int(n) for b, n in rows}


def members_by_week(session: Session, weeks: list[Week], scope: ColumnElement, by_circle: bool) -> dict:
    """Distinct people in live circles at the end of each week (memberships have no end date)."""
    columns = [func.count(distinct(case((and_(Membership.joined_at < w.end, Circle.created_at < w.end,
                                              or_(Circle.archived_at.is_(None), Circle.archived_at >= w.start)),
                                         Membership.person_id), else_=None))) for w in weeks]
    query = (select(*([Circle.id] if by_circle else []), *columns).select_from(Membership)
             .join(Circle, Circle.id == Membership.circle_id).join(Person, Person.id == Membership.person_id)
             .where(scope, Person.is_bot.is_(False)))
    if by_circle:
        query = query.group_by(Circle.id)
    out = {}
    for row in session.execute(query).all():
        circle_id, counts = (row[0], row[1:]) if by_circle else (None, row)
        for index, count in enumerate(counts):
            if count:
                out[(circle_id, index)] = int(count)
    return out


def unreachable(session: Session, week: Week, scope: ColumnElement) -> int:
    """How many distinct people the bot could not reach in the week: a delivery of their own (a
    message to them about one of the scope's circles) was tried that week and failed, and the
    platform has said it cannot reach them there (Slack user_not_found, a Teams 403 …). The failed
    row's error is only the platform's words, the same for any permanent failure; what marks an
    unreachable person for sure is the notice the outbox writes for their mentor, keyed
    unreachable:<circle>:<person> (outbox.tell_mentor_unreachable). That notice is written once per
    circle and person, so it is looked up by its unique key for every failed row of theirs, and they
    count again in each later week the bot still fails to reach them. A count only: no id leaves
    the database."""
    notice = aliased(Delivery)
    told = select(notice.id).where(notice.key == literal("unreachable:") + cast(Delivery.circle_id, String) + ":"
                                   + cast(Delivery.person_id, String)).correlate(Delivery).exists()
    return int(session.execute(
        select(func.count(distinct(Delivery.person_id))).select_from(Delivery)
        .join(Circle, Circle.id == Delivery.circle_id)
        .where(scope, Delivery.status == "failed", Delivery.person_id.is_not(None),
               Delivery.claimed_at >= week.start, Delivery.claimed_at < week.end, told)).scalar() or 0)


def circles(session: Session, scope: ColumnElement, weeks: list[Week]) -> list:
    """The circles that were live at some time during the weeks (rows of id, name, created, archived)."""
    return session.execute(
        select(Circle.id, Circle.name, Circle.created_at, Circle.archived_at).where(
            scope, Circle.created_at < weeks[-1].end,
            or_(Circle.archived_at.is_(None), Circle.archived_at >= weeks[0].start))
        .order_by(Circle.id)).all()


def last_answered(session: Session, scope: ColumnElement, since: datetime, before: datetime) -> dict[int, datetime]:
    """Each circle's latest reflection prompt between two moments that got at least one answer.

    Counted on prompts rather than answer times so that indexes alone answer it.
    """
    answered = select(Reply.id).where(Reply.run_id == PromptRun.id).exists()
    rows = session.execute(
        select(PromptRun.circle_id, func.max(PromptRun.scheduled_for)).join(Circle, Circle.id == PromptRun.circle_id)
        .where(scope, PromptRun.kind == "reflection", PromptRun.scheduled_for >= since,
               PromptRun.scheduled_for < before, answered).group_by(PromptRun.circle_id)).all()
    return {circle_id: _aware(at) for circle_id, at in rows}


def reflection_schedules(session: Session, scope: ColumnElement) -> dict[int, tuple[str, str, str]]:
    """circle id → (days, HH:MM, time zone) of its reflection rhythm."""
    rows = session.execute(
        select(Schedule.circle_id, Schedule.days, Schedule.time, Schedule.timezone)
        .join(Circle, Circle.id == Schedule.circle_id).where(scope, Schedule.kind == "reflection")).all()
    return {circle_id: (days, clock, tz) for circle_id, days, clock, tz in rows}


def shared_answers(session: Session, scope: ColumnElement, week: Week):
    """(author, text, prompt key) of answers shared with circles, for the week's prompts. Never private ones."""
    return session.execute(
        select(Reply.person_id, Reply.text, Reply.prompt_key)
        .join(PromptRun, PromptRun.id == Reply.run_id).join(Circle, Circle.id == PromptRun.circle_id)
        .where(scope, PromptRun.kind == "reflection", Reply.visibility == "circle", Reply.text != "",
               PromptRun.scheduled_for >= week.start, PromptRun.scheduled_for < week.end)
        .order_by(Reply.id).execution_options(yield_per=2000))


def names(session: Session, workspace_id: int) -> set[str]:
    """Every name and user id of the workspace, for scrubbing (names are data, not figures)."""
    found = set()
    for name, user_id in session.execute(
            select(Person.name, Person.platform_user_id).where(Person.workspace_id == workspace_id)):
        found.update(v for v in (name, user_id) if v)
    return found


def _aware(at: datetime) -> datetime:
    # MAX() over SQLite text comes back through the column type on most drivers; be sure it is aware UTC.
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)
