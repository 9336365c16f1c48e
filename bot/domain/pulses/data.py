"""A person's pulse answers are theirs: in their journal and export (`mydata`), erased with them
(`forget-me`). Erasing takes their answers out of every figure too, since figures are counted
from these rows when they are read."""
from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from bot.domain.pulses import view
from bot.ports import Block
from storage.models import Person
from storage.pulses import ANSWERS, PulseInvite, PulseRound


def answers_of(session: Session, person: Person, limit: int | None = None) -> list[tuple[PulseRound, list[int]]]:
    """The person's answered pulses, newest first, with their answers in statement order."""
    query = (select(PulseInvite, PulseRound).join(PulseRound, PulseRound.id == PulseInvite.round_id)
             .where(PulseInvite.person_id == person.id, PulseInvite.answered_at.is_not(None))
             .order_by(PulseRound.scheduled_for.desc()))
    return [(made, [getattr(invite, name) or 0 for name in ANSWERS[:len(made.statements or [])]])
            for invite, made in session.exec(query.limit(limit) if limit else query).all()]


def export(session: Session, person: Person) -> dict:
    return {"pulses": [{"date": made.scheduled_for.isoformat(), "set": made.statement_set,
                        "answers": [{"statement": key, "value": value or None, "rather_not_say": value == 0}
                                    for key, value in zip(made.statements or [], values)]}
                       for made, values in answers_of(session, person)]}


def journal_blocks(session: Session, person: Person, lang: str, when, heading: str, limit: int = 3) -> list[Block]:
    """The person's latest pulse answers for their journal; `when` formats a moment for them."""
    found = answers_of(session, person, limit)
    if not found:
        return []
    out = [Block("heading", heading)]
    for made, values in found:
        out.append(Block("context", when(made.scheduled_for)))
        out.append(Block("text", "\n".join(f"{text} — {view.label(lang, value)}"
                                           for text, value in zip(view.statements(made, lang), values))))
    return out


def erase(session: Session, person: Person) -> None:
    session.execute(delete(PulseInvite).where(PulseInvite.person_id == person.id))
