"""Pulse messages: the questionnaire (a form of one choice per statement: a Slack modal behind the
Answer button, an Adaptive Card's choice sets, the console's numbers), its reminder, the thanks,
and the rows of the outbox composed at send time."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.common.i18n import t
from bot.domain.shared import people
from bot.domain.shared.outbox import Cancelled, Outgoing
from bot.domain.shared.context import format_when
from bot.ports import Block, Button, Choice, Field, Form, Message, Target
from prompts.pulses import default_sets
from storage.models import Delivery, Person, Workspace
from storage.pulses import PulseInvite, PulseRound

RATHER_NOT = "0"
SCALE = ("1", "2", "3", "4", "5")


def statements(made: PulseRound, lang: str) -> list[str]:
    """The round's statements as they were asked, in `lang` (a set removed since: the ids)."""
    found = default_sets().get(made.statement_set)
    texts = []
    for key in made.statements or []:
        statement = found.get(key) if found else None
        texts.append(statement.text(lang) if statement else key)
    return texts


def choices(lang: str) -> tuple[Choice, ...]:
    return (*(Choice(v, t(lang, f"pulse.scale.{v}")) for v in SCALE), Choice(RATHER_NOT, t(lang, "pulse.rather_not")))


def form(lang: str, made: PulseRound, invite_id: int) -> Form:
    fields = tuple(Field(f"s{n}", text, kind="choice", choices=choices(lang), initial=RATHER_NOT)
                   for n, text in enumerate(statements(made, lang), 1))
    return Form(title=t(lang, "pulse.form_title"), action="pulse.answer", value=str(invite_id),
                submit_label=t(lang, "pulse.submit"), fields=fields, intro=t(lang, "pulse.scale_intro"),
                cancel_label=t(lang, "pulse.cancel"))


def pulse_message(lang: str, made: PulseRound, invite_id: int, closes: str, reminder: bool = False) -> Message:
    heading = t(lang, "pulse.heading")
    intro = t(lang, "pulse.reminder" if reminder else "pulse.intro", count=len(made.statements or []), closes=closes)
    answer = Button(t(lang, "pulse.answer"), "pulse.answer", str(invite_id), "primary")
    return Message(blocks=(Block("heading", heading), Block("text", intro),
                           Block("context", t(lang, "pulse.privacy"))),
                   buttons=(answer,), form=form(lang, made, invite_id), summary=heading)


def thanks_message(lang: str, made: PulseRound, values: list[int]) -> Message:
    """What the questionnaire turns into once answered: the person's own answers, for them alone."""
    rows = [f"{text} — {label(lang, value)}" for text, value in zip(statements(made, lang), values)]
    return Message(blocks=(Block("heading", t(lang, "pulse.heading")), Block("text", t(lang, "pulse.thanks")),
                           Block("text", "\n".join(rows)), Block("context", t(lang, "pulse.privacy"))),
                   summary=t(lang, "pulse.thanks"))


def label(lang: str, value: int) -> str:
    return t(lang, "pulse.rather_not") if value == 0 else f"{value} · {t(lang, f'pulse.scale.{value}')}"


def compose(session: Session, row: Delivery, ws: Workspace, person: Person | None, now: datetime, lang: str,
            tz: str, reminder: bool) -> Outgoing | Cancelled:
    """The DM (or its reminder) in the language and zone the outbox composes it for: the person's own,
    else their circle's."""
    invite = session.get(PulseInvite, (row.payload or {}).get("invite"))
    if invite is None or person is None:
        return Cancelled("pulse invitation gone")
    made = session.get(PulseRound, invite.round_id)
    if made.closed_at is not None or made.closes_at <= now:
        return Cancelled("answer window closed")
    if invite.answered_at is not None:
        return Cancelled("already answered")
    if people.is_paused(person, now):
        return Cancelled("person paused")
    closes = format_when(lang, made.closes_at, tz)
    target = Target("dm", ws.external_id, user_id=person.platform_user_id, address=person.address)
    return Outgoing(row.id, target, pulse_message(lang, made, invite.id, closes, reminder), person.id)
