"""Turn claimed outbox rows into messages, at send time, so they reflect the latest state.

A row whose reason has gone (answered, skipped, paused, left the circle, window closed)
is cancelled instead of sent. Rows are loaded in batches: no query per person.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from bot.domain.shared import people, rotation
from bot.domain.commands import typed
from bot.domain.shared.context import Services
from bot.domain.pairs import view as pair_view
from bot.common.i18n import t
from bot.ports import Message, Sent, Target, message
from bot.domain.reports.view import delivery_message
from bot.domain.shared import outbox
from bot.domain.shared.views import coffee_message, in_languages, prompt_message, recap_message, recap_withdrawn
from storage.models import Assignment, Circle, Delivery, Membership, Person, PromptRun, Reply, Workspace


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    target: Target
    message: Message
    person_id: int | None = None
    edits: Sent | None = None  # replace this post instead of sending a new one (a recap that changed)


def _by_id(session: Session, model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(model.id.in_(ids)))}


class Batch:
    """Everything the rows of one claim refer to, loaded with a handful of queries."""

    def __init__(self, session: Session, rows: list[Delivery]):
        self.session = session
        self.people = _by_id(session, Person, (r.person_id for r in rows))
        self.circles = _by_id(session, Circle, (r.circle_id for r in rows))
        self.runs = _by_id(session, PromptRun, (r.run_id for r in rows))
        self.assignments = _by_id(session, Assignment, (r.assignment_id for r in rows))
        self.workspaces = _by_id(session, Workspace, (r.workspace_id for r in rows))
        self.mentors = _by_id(session, Person, (c.mentor_id for c in self.circles.values()))
        person_ids = list(self.people)
        circle_ids = list(self.circles)
        run_ids = list(self.runs)
        self.members = set(session.exec(select(Membership.circle_id, Membership.person_id).where(
            Membership.person_id.in_(person_ids), Membership.circle_id.in_(circle_ids))).all()) if person_ids else set()
        self.answered = set(session.exec(select(Reply.run_id, Reply.person_id).where(
            Reply.run_id.in_(run_ids), Reply.person_id.in_(person_ids))).all()) if person_ids and run_ids else set()


def compose(session: Session, services: Services, rows: list[Delivery], now: datetime):
    """Returns (outgoing messages, [(delivery id, why it was cancelled)])."""
    batch = Batch(session, rows)
    batch.pairs = pair_view.Loaded(session, rows) if any(r.kind in pair_view.KINDS for r in rows) else None
    out, cancelled = [], []
    for row in rows:
        try:
            result = _one(session, services, batch, row, now)
        except LookupError as gone:
            result = str(gone)
        if isinstance(result, Outgoing):
            out.append(result)
        else:
            cancelled.append((row.id, result))
    return out, cancelled


CHANNEL_POSTS = ("coffee", "recap", "recap_edit")


def _dm_target(ws: Workspace, person: Person) -> Target:
    return Target("dm", ws.external_id, user_id=person.platform_user_id, address=person.address)


def _one(session: Session, services: Services, batch: Batch, row: Delivery, now: datetime):
    settings = services.settings
    ws = batch.workspaces[row.workspace_id]
    circle = batch.circles.get(row.circle_id)
    person = batch.people.get(row.person_id)
    if circle is not None and circle.archived_at is not None and row.kind != "recap_edit":
        return "circle archived"  # a posted recap still loses an answer taken back
    edits = outbox.recap_post(session, row) if row.kind == "recap_edit" else None
    if row.kind == "recap_edit" and edits is None:
        return "a later edit of the recap carries this change"
    langs = circle_languages(circle, batch.mentors.get(circle.mentor_id), ws, settings) if circle else []
    spoken = langs[0] if langs else None  # also for people whose own language is not known yet
    if row.kind in pair_view.KINDS:  # learning coffees: a group's conversation or one person's DM
        made = pair_view.compose(services, batch.pairs, row, ws, circle, now, spoken)
        return made if isinstance(made, str) else Outgoing(row.id, *made)
    if person is not None:
        if not person.is_active or person.is_bot:
            return "person inactive"
        if row.kind in ("prompt", "reminder", "coffee", "recap") and people.is_paused(person, now):
            return "person paused"
        if circle is not None and (circle.id, person.id) not in batch.members:
            return "no longer a member"
        lang = people.language(person, ws, settings, spoken)
        tz = people.timezone_of(person, ws, settings)
    elif circle is not None:
        if len(langs) > 1 and row.kind in CHANNEL_POSTS:  # a bilingual circle's channel post
            made = [_channel_post(session, services, batch, row, circle, other) for other in langs]
            if None in made:
                return "nothing shared"
            target = Target("channel", ws.external_id, channel_id=circle.channel_id, address=circle.channel_address)
            return Outgoing(row.id, target, in_languages(made), None, edits)
        lang, tz = langs[0], circle.timezone
    else:
        lang, tz = settings.default_language, settings.timezone
    target = _dm_target(ws, person) if person is not None else Target(
        "channel", ws.external_id, channel_id=circle.channel_id, address=circle.channel_address)

    if row.kind in ("prompt", "reminder"):
        run, assignment = batch.runs[row.run_id], batch.assignments[row.assignment_id]
        if run.closed_at is not None:
            return "answer window closed"
        if (run.id, person.id) in batch.answered or assignment.skipped_at is not None:
            return "already answered or skipped"
        text = rotation.prompt_text(session, services.library, assignment.prompt_key, lang)
        msg = prompt_message(lang, circle, text, assignment.id, run.closes_at, tz, reminder=row.kind == "reminder")
    elif row.kind in CHANNEL_POSTS:
        msg = _channel_post(session, services, batch, row, circle, lang)
        if msg is None:
            return "nothing shared"
    elif row.kind == "welcome":
        msg = message(t(lang, "welcome.text", circle=circle.name, by=(row.payload or {}).get("by", "")),
                      t(lang, "welcome.how", **{n: typed(ws.platform, lang, n) for n in ("pause", "leave", "help")}),
                      t(lang, "welcome.privacy", command=typed(ws.platform, lang, "privacy")),
                      heading=t(lang, "welcome.heading", circle=circle.name))
    elif row.kind == "notice":
        payload = row.payload or {}
        msg = message(t(lang, payload["key"], **payload.get("params", {})))
    elif row.kind == "summary":
        msg = delivery_message(settings, ws, person, row.payload, lang)
        if msg is None:
            return "not an HR user any more"
    else:
        return f"unknown kind {row.kind}"
    return Outgoing(row.id, target, msg, person.id if person else None, edits)


def circle_languages(circle: Circle, mentor: Person | None, ws: Workspace, settings) -> list[str]:
    """A circle speaks its own language(s) if its mentor chose, else the mentor's language now."""
    if circle.language:
        return circle.language.split("+")
    return [people.language(mentor, ws, settings) if mentor is not None else settings.default_language]


def _channel_post(session: Session, services: Services, batch: Batch, row: Delivery, circle: Circle,
                  lang: str) -> Message | None:
    run = batch.runs[row.run_id]
    if row.kind == "coffee":
        return coffee_message(lang, circle, rotation.prompt_text(session, services.library, run.prompt_key, lang))
    recap = _recap(session, services, run, circle, lang)
    if row.kind == "recap_edit":  # the post stays where it is, its thread too: only its text changes
        return replace(recap, follow_up=None) if recap is not None else recap_withdrawn(lang, circle)
    return recap


def _recap(session: Session, services: Services, run: PromptRun, circle: Circle, lang: str) -> Message | None:
    """Only answers shared with the circle, by people who are still members, go in."""
    rows = session.exec(
        select(Reply, Person).join(Person, Person.id == Reply.person_id)
        .join(Membership, (Membership.person_id == Reply.person_id) & (Membership.circle_id == circle.id))
        .where(Reply.run_id == run.id, Reply.visibility == "circle", Reply.text != "")
        .order_by(Reply.created_at)
    ).all()
    if not rows:
        return None
    shared = [(p.name or p.platform_user_id, rotation.prompt_text(session, services.library, r.prompt_key, lang),
               r.text) for r, p in rows]
    prompt = rotation.prompt_text(session, services.library, run.prompt_key, lang)
    return recap_message(lang, circle, prompt, shared)
