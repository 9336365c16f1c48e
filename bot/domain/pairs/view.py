"""Learning-coffee messages — the introduction with a conversation starter, the check-in and its
buttons, one's own history — and the outbox rows of a round composed at send time.

A row for a group conversation (Slack) speaks the members' language, or both of theirs when they
differ; a row for one person speaks theirs and names the partner as a mention. Whoever has since
left the circle, been erased or paused gets nothing, and nobody is introduced to an empty chair.
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.domain.shared import people
from bot.domain.shared.outbox import Cancelled, DeliveryKind, Outgoing
from bot.domain.shared.context import Services
from bot.common.i18n import listing, t
from bot.ports import Block, Button, Message, Target
from bot.domain.shared.views import in_languages
from storage.models import Circle, Delivery, Membership, PairGroup, PairMember, Person, Workspace

__all__ = ["KINDS", "Loaded", "compose", "intro_message", "check_in_message", "answered_message"]

KINDS = (DeliveryKind.PAIR_INTRO, DeliveryKind.PAIR_CHECK_IN)


def _name(person: Person) -> str:
    return person.name or person.platform_user_id


def _mentions(partners: list[Person]) -> list[Block]:
    return [Block("mention", _name(p), user_id=p.platform_user_id) for p in partners]


def intro_message(lang: str, circle: Circle, partners: list[Person], starter: str, together: bool) -> Message:
    """`together`: one message to the whole group in its own conversation; else to one person,
    naming their partner(s)."""
    heading = t(lang, "pairs.intro_heading", circle=circle.name)
    key = "pairs.intro_group" if together else "pairs.intro_one"
    blocks = [Block("heading", heading), Block("text", t(lang, key, circle=circle.name, count=len(partners)))]
    blocks += _mentions(partners)
    blocks.append(Block("text", t(lang, "pairs.intro_how")))
    if starter:
        blocks += [Block("context", t(lang, "pairs.starter")), Block("quote", starter)]
    blocks.append(Block("context", t(lang, "pairs.intro_check_in")))
    return Message(blocks=tuple(blocks), summary=heading)


def check_in_message(lang: str, circle: Circle, partners: list[Person], group_id: int, together: bool) -> Message:
    heading = t(lang, "pairs.check_in_heading", circle=circle.name)
    names = listing(lang, (_name(p) for p in partners))
    text = t(lang, "pairs.check_in_group") if together else t(lang, "pairs.check_in_one", names=names,
                                                              count=len(partners))
    buttons = (Button(t(lang, "button.pairs_met"), "pairs.met", str(group_id), "primary"),
               Button(t(lang, "button.pairs_missed"), "pairs.missed", str(group_id)))
    return Message(blocks=(Block("heading", heading), Block("text", text),
                           Block("context", t(lang, "pairs.check_in_privacy"))),
                   buttons=buttons, summary=heading)


def answered_message(lang: str, circle: Circle, met: bool) -> Message:
    """What a check-in in one's own chat turns into once answered."""
    heading = t(lang, "pairs.check_in_heading", circle=circle.name)
    text = t(lang, "pairs.answered_met" if met else "pairs.answered_missed")
    return Message(blocks=(Block("heading", heading), Block("text", text)), summary=text)


class Loaded:
    """Everything the learning-coffee rows of one claim refer to, in a few queries."""

    def __init__(self, session: Session, rows: list[Delivery]):
        ids = {(r.payload or {}).get("group") for r in rows if r.kind in KINDS} - {None}
        self.groups = {g.id: g for g in session.exec(select(PairGroup).where(PairGroup.id.in_(ids)))} if ids else {}
        self.members: dict[int, list[tuple[PairMember, Person]]] = {}
        for member, person in session.exec(
                select(PairMember, Person).join(Person, Person.id == PairMember.person_id)
                .where(PairMember.group_id.in_(list(self.groups))).order_by(PairMember.id)) if self.groups else ():
            self.members.setdefault(member.group_id, []).append((member, person))
        person_ids = {person.id for found in self.members.values() for _, person in found}
        circle_ids = {g.circle_id for g in self.groups.values()}
        self.in_circle = set(session.exec(select(Membership.circle_id, Membership.person_id).where(
            Membership.person_id.in_(person_ids), Membership.circle_id.in_(circle_ids))).all()) if person_ids else set()


def compose(services: Services, loaded: Loaded, row: Delivery, ws: Workspace, circle: Circle,
            now: datetime, spoken: str | None = None) -> Outgoing | Cancelled:
    """Where and what for one row, or why it is not sent; `spoken`: the circle's language, for
    people whose own is not known yet."""
    group = loaded.groups.get((row.payload or {}).get("group"))
    if group is None or circle is None:
        return Cancelled("learning-coffee group gone")
    settings = services.settings
    present = [(m, p) for m, p in loaded.members.get(group.id, [])
               if p.is_active and not p.is_bot and (circle.id, p.id) in loaded.in_circle]
    if row.person_id is None:  # the group's own conversation
        if len(present) < 2:
            return Cancelled("learning-coffee group has fewer than two left")
        everyone = [p for _, p in present]
        langs = list(dict.fromkeys(people.language(p, ws, settings, spoken) for p in everyone))
        made = [_message(services, row, lang, circle, group, everyone, True) for lang in langs]
        target = Target("group", ws.external_id, user_ids=tuple(p.platform_user_id for p in everyone))
        return Outgoing(row.id, target, in_languages(made))
    mine = next(((m, p) for m, p in present if p.id == row.person_id), None)
    if mine is None:
        return Cancelled("no longer in the circle, or inactive")
    member, me = mine
    if people.is_paused(me, now):
        return Cancelled("person paused")
    if row.kind == DeliveryKind.PAIR_CHECK_IN and member.met is not None:
        return Cancelled("already answered")
    partners = [p for _, p in present if p.id != me.id]
    if not partners:
        return Cancelled("no partner left in the circle")
    lang = people.language(me, ws, settings, spoken)
    target = Target("dm", ws.external_id, user_id=me.platform_user_id, address=me.address)
    return Outgoing(row.id, target, _message(services, row, lang, circle, group, partners, False), me.id)


def _message(services: Services, row: Delivery, lang: str, circle: Circle, group: PairGroup, partners: list[Person],
             together: bool) -> Message:
    if row.kind == DeliveryKind.PAIR_INTRO:
        prompt = services.library.get(group.prompt_key)
        return intro_message(lang, circle, partners, prompt.text(lang) if prompt else "", together)
    return check_in_message(lang, circle, partners, group.id, together)
