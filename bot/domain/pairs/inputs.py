"""What the matching needs, read from the database: who is in a round, who met whom before, who
shares another circle, and everyone's working hours in UTC. Columns only, no whole rows: a coffee
circle can have thousands of members and a year of history."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from bot.common.config import Settings
from bot.domain.pairs.matching import Person as Candidate
from bot.domain.shared.rhythm import Calendar, zone
from storage.models import Circle, Membership, PairMember, PairOptOut, PairRound, Person, Workspace

DAY = 24 * 60


def eligible(session: Session, circle_id: int, at: datetime) -> list[tuple[int, str | None]]:
    """(id, time zone) of the members who take part at `at`: active, not a bot, not paused, not opted out."""
    opted_out = select(PairOptOut.id).where(PairOptOut.circle_id == circle_id, PairOptOut.person_id == Person.id)
    return [(row[0], row[1]) for row in session.connection().execute(
        select(Person.id, Person.timezone).join(Membership, Membership.person_id == Person.id)
        .where(Membership.circle_id == circle_id, Person.is_active, ~Person.is_bot,
               (Person.paused_until.is_(None)) | (Person.paused_until <= at), ~opted_out.exists())
        .order_by(Person.id))]


def history(session: Session, workspace_id: int, people: set[int]) -> dict[int, int]:
    """pair key → the latest round in which two of `people` met, in any circle of the workspace.

    Read round by round (rounds → their members → the others in each group), which walks the
    rows in the order they were written; asking person by person would jump around the table.
    A year of a circle of 10,000 is 260,000 pairs: they are read as plain tuples from the
    driver's cursor, which takes a third of the time of building a result row for each."""
    mine, theirs = aliased(PairMember), aliased(PairMember)
    query = (select(mine.person_id, theirs.person_id, mine.round_id)
             .select_from(PairRound).join(Circle, Circle.id == PairRound.circle_id)
             .join(mine, mine.round_id == PairRound.id)
             .join(theirs, and_(theirs.group_id == mine.group_id, theirs.person_id > mine.person_id))
             .where(Circle.workspace_id == workspace_id))
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))  # ints only
    met: dict[int, int] = {}
    get = met.get
    cursor = connection.connection.cursor()  # the transaction's own DBAPI connection
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(20_000):
            for a, b, round_id in rows:
                if a in people and b in people:
                    key = (a << 32) | b
                    if get(key, -1) < round_id:
                        met[key] = round_id
    finally:
        cursor.close()
    return met


def other_circles(session: Session, circle_id: int) -> dict[int, frozenset[int]]:
    """Each member's other live circles (a pair who share one see each other there already)."""
    members = select(Membership.person_id).where(Membership.circle_id == circle_id)
    found: dict[int, set[int]] = {}
    for person_id, other in session.connection().execute(
            select(Membership.person_id, Membership.circle_id).join(Circle, Circle.id == Membership.circle_id)
            .where(Membership.person_id.in_(members), Membership.circle_id != circle_id,
                   Circle.archived_at.is_(None))):
        found.setdefault(person_id, set()).add(other)
    return {person_id: frozenset(ids) for person_id, ids in found.items()}


def hours(calendar: Calendar, tz: str, at: datetime) -> tuple[int, int]:
    """The organisation's working hours where someone is, in UTC minutes from midnight at `at`."""
    offset = zone(tz).utcoffset(at.astimezone(timezone.utc).replace(tzinfo=None))
    shift = int(offset.total_seconds() // 60) if offset is not None else 0
    start = calendar.start.hour * 60 + calendar.start.minute - shift
    end = calendar.end.hour * 60 + calendar.end.minute - shift
    return start % DAY, start % DAY + (end - start)


def candidates(session: Session, settings: Settings, calendar: Calendar, ws: Workspace, circle: Circle,
               at: datetime) -> tuple[list[Candidate], dict[int, str]]:
    """The round's people as the matching sees them, and each one's time zone (for when to write)."""
    found = eligible(session, circle.id, at)
    others = other_circles(session, circle.id) if found else {}
    zones: dict[int, str] = {}
    by_zone: dict[str, tuple[int, int]] = {}
    out = []
    for person_id, own_zone in found:
        tz = own_zone or ws.timezone or settings.timezone  # as people.timezone_of, for a row of two columns
        zones[person_id] = tz
        if tz not in by_zone:
            by_zone[tz] = hours(calendar, tz, at)
        start, end = by_zone[tz]
        out.append(Candidate(person_id, start, end, others.get(person_id, frozenset())))
    return out, zones
