"""A person's learning-coffee data: in their export (`mydata`), erased with them (`forget-me`)."""
from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import Session, select

from storage.models import Circle, PairMember, PairOptOut, PairRound, Person


def partners_of(session: Session, group_ids: list[int], person_id: int) -> dict[int, list[str]]:
    """group id → the names of the others in it ('' for someone erased since)."""
    found: dict[int, list[str]] = {}
    if not group_ids:
        return found
    for group_id, name, user_id in session.exec(
            select(PairMember.group_id, Person.name, Person.platform_user_id)
            .outerjoin(Person, Person.id == PairMember.person_id)
            .where(PairMember.group_id.in_(group_ids), (PairMember.person_id != person_id)
                   | PairMember.person_id.is_(None)).order_by(PairMember.id)):
        erased = user_id is None or user_id.startswith("erased:")
        found.setdefault(group_id, []).append("" if erased else (name or user_id))
    return found


def export(session: Session, person: Person) -> dict:
    """Every group the person was in (when, which circle, with whom, their own answer) and the
    circles whose rounds they skip."""
    rows = session.exec(
        select(PairMember, PairRound.scheduled_for, Circle.name).join(PairRound, PairRound.id == PairMember.round_id)
        .join(Circle, Circle.id == PairRound.circle_id).where(PairMember.person_id == person.id)
        .order_by(PairRound.scheduled_for, PairMember.id)).all()
    partners = partners_of(session, [m.group_id for m, _, _ in rows], person.id)
    skips = session.exec(select(Circle.name).join(PairOptOut, PairOptOut.circle_id == Circle.id)
                         .where(PairOptOut.person_id == person.id).order_by(Circle.name)).all()
    return {
        "learning_coffees": [{"circle": circle, "round": when.isoformat(), "with": partners.get(m.group_id, []),
                              "met": m.met, "answered_at": m.answered_at.isoformat() if m.answered_at else None}
                             for m, when, circle in rows],
        "learning_coffees_skipped_in": list(skips),
    }


def erase(session: Session, person: Person) -> None:
    """The person's places in groups lose any link to them (their partners' histories show
    "a former member"; the anonymous answers still count), and their opt-outs go."""
    session.execute(update(PairMember).where(PairMember.person_id == person.id).values(person_id=None))
    session.execute(delete(PairOptOut).where(PairOptOut.person_id == person.id))
