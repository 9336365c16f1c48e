"""Turn claimed outbox rows into messages, at send time, so they reflect the latest state.

One composer per delivery kind (COMPOSERS). A row whose reason has gone (answered, skipped,
paused, left the circle, window closed) is Cancelled instead of sent. Rows are loaded in batches:
no query per person.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, select

from bot.common.i18n import t
from bot.domain.commands import typed
from bot.domain import reports
from bot.domain.pairs import view as pair_view
from bot.domain.pulses import view as pulse_view
from bot.domain.shared import outbox, people, rotation
from bot.domain.shared.context import Services
from bot.domain.shared.outbox import Cancelled, DeliveryKind, Outgoing
from bot.domain.shared.views import coffee_message, in_languages, prompt_message, recap_message, recap_withdrawn
from bot.ports import Message, Sent, Target, message
from storage.models import Assignment, Circle, Delivery, Membership, Person, PromptRun, Reply, Workspace

__all__ = ["COMPOSERS", "Cancelled", "Outgoing", "circle_languages", "compose"]


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
        self.pairs = pair_view.Loaded(session, rows) if any(r.kind in pair_view.KINDS for r in rows) else None


@dataclass
class Job:
    """One row being composed, with what it refers to and the language and zone it is read in."""

    session: Session
    services: Services
    batch: Batch
    row: Delivery
    now: datetime
    ws: Workspace
    circle: Circle | None
    person: Person | None
    langs: list[str]  # the circle's languages (empty without a circle)
    lang: str = ""
    tz: str = ""
    edits: Sent | None = None

    def target(self) -> Target:
        if self.person is not None:
            return Target("dm", self.ws.external_id, user_id=self.person.platform_user_id, address=self.person.address)
        return Target("channel", self.ws.external_id, channel_id=self.circle.channel_id,
                      address=self.circle.channel_address)

    def out(self, msg: Message) -> Outgoing:
        return Outgoing(self.row.id, self.target(), msg, self.person.id if self.person else None, self.edits)


def compose(session: Session, services: Services, rows: list[Delivery], now: datetime):
    """Returns (outgoing messages, [(delivery id, why it was cancelled)])."""
    batch = Batch(session, rows)
    out, cancelled = [], []
    for row in rows:
        try:
            result = _one(session, services, batch, row, now)
        except LookupError as gone:
            result = Cancelled(str(gone))
        if isinstance(result, Outgoing):
            out.append(result)
        else:
            cancelled.append((row.id, result.reason))
    return out, cancelled


NUDGES = (DeliveryKind.PROMPT, DeliveryKind.REMINDER, DeliveryKind.COFFEE, DeliveryKind.RECAP)


def _one(session: Session, services: Services, batch: Batch, row: Delivery, now: datetime) -> Outgoing | Cancelled:
    try:
        kind = DeliveryKind(row.kind)
    except ValueError:
        return Cancelled(f"unknown kind {row.kind}")
    settings = services.settings
    ws = batch.workspaces[row.workspace_id]
    circle = batch.circles.get(row.circle_id)
    if circle is not None and circle.archived_at is not None and kind != DeliveryKind.RECAP_EDIT:
        return Cancelled("circle archived")  # a posted recap still loses an answer taken back
    langs = circle_languages(circle, batch.mentors.get(circle.mentor_id), ws, settings) if circle else []
    job = Job(session, services, batch, row, now, ws, circle, batch.people.get(row.person_id), langs)
    person = job.person
    if person is not None and kind not in pair_view.KINDS:
        if not person.is_active or person.is_bot:
            return Cancelled("person inactive")
        if kind in NUDGES and people.is_paused(person, now):
            return Cancelled("person paused")
        if circle is not None and (circle.id, person.id) not in batch.members:
            return Cancelled("no longer a member")
        # also for people whose own language is not known yet: the circle's
        job.lang = people.language(person, ws, settings, langs[0] if langs else None)
        job.tz = people.timezone_of(person, ws, settings)
    elif circle is not None:
        job.lang, job.tz = langs[0], circle.timezone
    else:
        job.lang, job.tz = settings.default_language, settings.timezone
    return COMPOSERS[kind](job)


def _prompt(job: Job) -> Outgoing | Cancelled:
    run, assignment = job.batch.runs[job.row.run_id], job.batch.assignments[job.row.assignment_id]
    if run.closed_at is not None:
        return Cancelled("answer window closed")
    if (run.id, job.person.id) in job.batch.answered or assignment.skipped_at is not None:
        return Cancelled("already answered or skipped")
    text = rotation.prompt_text(job.session, job.services.library, assignment.prompt_key, job.lang)
    return job.out(prompt_message(job.lang, job.circle, text, assignment.id, run.closes_at, job.tz,
                                  reminder=job.row.kind == DeliveryKind.REMINDER))


def _channel_post(job: Job) -> Outgoing | Cancelled:
    """A coffee starter or a recap (posted, or edited in place); a bilingual circle's channel post
    carries both languages, each shared answer once."""
    langs = job.langs if job.person is None and len(job.langs) > 1 else [job.lang]
    made = [_post_in(job, lang) for lang in langs]
    if None in made:
        return Cancelled("nothing shared")
    return job.out(made[0] if len(made) == 1 else in_languages(made))


def _recap_edit(job: Job) -> Outgoing | Cancelled:
    job.edits = outbox.recap_post(job.session, job.row)
    if job.edits is None:
        return Cancelled("a later edit of the recap carries this change")
    return _channel_post(job)


def _post_in(job: Job, lang: str) -> Message | None:
    run, circle = job.batch.runs[job.row.run_id], job.circle
    if job.row.kind == DeliveryKind.COFFEE:
        return coffee_message(lang, circle, rotation.prompt_text(job.session, job.services.library, run.prompt_key,
                                                                 lang))
    recap = _recap(job.session, job.services, run, circle, lang)
    if job.row.kind == DeliveryKind.RECAP_EDIT:  # the post stays where it is, its thread too: only its text changes
        return replace(recap, follow_up=None) if recap is not None else recap_withdrawn(lang, circle)
    return recap


def _welcome(job: Job) -> Outgoing:
    lang, platform, circle = job.lang, job.ws.platform, job.circle
    return job.out(message(
        t(lang, "welcome.text", circle=circle.name, by=(job.row.payload or {}).get("by", "")),
        t(lang, "welcome.how", **{n: typed(platform, lang, n) for n in ("pause", "leave", "help")}),
        t(lang, "welcome.privacy", command=typed(platform, lang, "privacy")),
        heading=t(lang, "welcome.heading", circle=circle.name)))


def _notice(job: Job) -> Outgoing:
    payload = job.row.payload or {}
    return job.out(message(t(job.lang, payload["key"], **payload.get("params", {}))))


def _summary(job: Job) -> Outgoing | Cancelled:
    msg = reports.delivery_message(job.services.settings, job.ws, job.person, job.row.payload, job.lang)
    return job.out(msg) if msg is not None else Cancelled("not an HR user any more")


def _learning_coffee(job: Job) -> Outgoing | Cancelled:
    """A group's conversation or one person's DM (bot/domain/pairs/view.py)."""
    spoken = job.langs[0] if job.langs else None
    return pair_view.compose(job.services, job.batch.pairs, job.row, job.ws, job.circle, job.now, spoken)


COMPOSERS: dict[DeliveryKind, Callable[[Job], Outgoing | Cancelled]] = {
    DeliveryKind.PROMPT: _prompt,
    DeliveryKind.REMINDER: _prompt,
    DeliveryKind.COFFEE: _channel_post,
    DeliveryKind.RECAP: _channel_post,
    DeliveryKind.RECAP_EDIT: _recap_edit,
    DeliveryKind.WELCOME: _welcome,
    DeliveryKind.NOTICE: _notice,
    DeliveryKind.SUMMARY: _summary,
    DeliveryKind.PAIR_INTRO: _learning_coffee,
    DeliveryKind.PAIR_CHECK_IN: _learning_coffee,
    DeliveryKind.PULSE: lambda job: pulse_view.compose(job.session, job.row, job.ws, job.person, job.now,
                                                       job.lang, job.tz, reminder=False),
    DeliveryKind.PULSE_REMINDER: lambda job: pulse_view.compose(job.session, job.row, job.ws, job.person, job.now,
                                                                job.lang, job.tz, reminder=True),
}


def circle_languages(circle: Circle, mentor: Person | None, ws: Workspace, settings) -> list[str]:
    """A circle speaks its own language(s) if its mentor chose, else the mentor's language now."""
    if circle.language:
        return circle.language.split("+")
    return [people.language(mentor, ws, settings) if mentor is not None else settings.default_language]


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
