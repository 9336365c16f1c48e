"""The core's front door: platforms hand in neutral requests and get a Response back.

Each request is one unit of work: it either completes or leaves nothing behind, and a
user sees a short localised message, never a stack trace.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import select

from bot.domain.shared import audit, people
from bot.domain.circles import answers, chatter, runs, use_cases as circles
from bot.domain.personal import signin
from bot.domain.personal import journal, preferences, privacy
from bot.domain import programme, reports
from bot.domain.commands import (HARMLESS, PREFIXES, Command, UsageError, parse, spelled, typed_prefix, usage_in,
                                 words)
from bot.domain.shared.context import Ctx, Refusal, Services
from bot.domain.shared.outbox import DeliveryKind
from bot.common.text import answer_text, printable
from bot.common.i18n import t
from bot.ports import (ActionRequest, Actor, Button, CommandRequest, DeleteRequest, EditRequest, FormRequest, Message,
                       MessageRequest, Place, Profile, Response, message)
from bot.domain.personal.home import home_view
from bot.domain.pairs import rounds as pair_rounds, use_cases as pairs
from bot.domain.pulses import rounds as pulse_rounds, use_cases as pulses
from bot.domain import jobs
from storage.db import unit_of_work
from storage.models import Circle, Delivery, Participation, Person, Workspace
from storage.ops import insert_ignore

log = logging.getLogger("kipina.core")

class Core:
    def __init__(self, engine: Engine, services: Services):
        self.engine, self.services = engine, services

    # -- requests ---------------------------------------------------------------------------

    def command(self, req: CommandRequest, now: datetime) -> Response:
        def use_case(ctx: Ctx) -> Response:
            command = parse(req.text)
            for mentioned in req.people:  # stored with the command, or not at all
                people.person(ctx.session, ctx.settings, mentioned)
            return self._command(ctx, command, req.place)

        with typed_prefix(req.prefix):
            return self._run(req.actor, now, use_case)

    def action(self, req: ActionRequest, now: datetime) -> Response:
        handlers = {
            "prompt.answer": lambda ctx: answers.open_form(ctx, req.value),
            "prompt.skip": lambda ctx: answers.skip(ctx, req.value),
            "prompt.another": lambda ctx: answers.another(ctx, req.value),
            "prompt.snooze": lambda ctx: answers.snooze(ctx, req.value),
            "prompt.show": lambda ctx: answers.show(ctx, req.value),
            "reply.private": lambda ctx: answers.keep_private(ctx, req.value),
            "forget.confirm": lambda ctx: journal.forget(ctx, req.value),
            "forget.cancel": journal.cancel_forget,
            "home.pause": lambda ctx: preferences.pause(ctx, Command("pause")),
            "home.resume": preferences.resume,
            "chat.help": preferences.help_text,
            "chat.journal": journal.journal,
            "chat.save": lambda ctx: chatter.save(ctx, req.value),
            "chat.dismiss": lambda ctx: chatter.dismiss(ctx, req.value),
            "pairs.met": lambda ctx: pairs.answer(ctx, req.value, met=True),
            "pairs.missed": lambda ctx: pairs.answer(ctx, req.value, met=False),
            "pulse.answer": lambda ctx: pulses.open_form(ctx, req.value),
        }
        handler = handlers.get(req.action)
        if handler is None:
            return self._run(req.actor, now, lambda ctx: _refuse("error.unknown_action"))
        return self._run(req.actor, now, handler)

    def form(self, req: FormRequest, now: datetime) -> Response:
        if req.action == "pulse.answer":
            return self._run(req.actor, now, lambda ctx: pulses.submit(ctx, req.value, req.fields))
        if req.action != "prompt.answer":
            return self._run(req.actor, now, lambda ctx: _refuse("error.unknown_action"))
        return self._run(req.actor, now, lambda ctx: answers.submit_form(ctx, req.value, req.fields, req.source_id))

    def message(self, req: MessageRequest, now: datetime) -> Response | None:
        """A DM answers the open prompt (or is a command); a channel thread reply counts as taking part."""
        if not req.place.is_direct:
            return self._run(req.actor, now, lambda ctx: self._thread_reply(ctx, req))
        return self._run(req.actor, now, lambda ctx: self._direct(ctx, req))

    def edit(self, req: EditRequest, now: datetime) -> None:
        """A person edited a message: their stored answer takes the new text (answers.revise)."""
        self._revise(req.actor, req.source_id, req.text, now)

    def delete(self, req: DeleteRequest, now: datetime) -> None:
        """A person deleted a message: their stored answer loses its text (answers.revise)."""
        self._revise(req.actor, req.source_id, None, now)

    def _revise(self, actor: Actor, source_id: str, text: str | None, now: datetime) -> None:
        # Quiet on purpose: nobody asked anything, so nobody is answered, created or looked up.
        source = printable(source_id, 255)
        if not source or not printable(actor.user_id, 255) or not printable(actor.workspace, 255):
            return None
        try:
            with unit_of_work(self.engine) as session:
                answers.revise(session, actor, source, text, now)
        except Exception as error:  # its message may quote the text: the type only
            log.warning("an edit could not be stored: %s", type(error).__name__)
        return None

    def home(self, actor: Actor, now: datetime) -> Message:
        """The person's home view; a platform shows it where it has room (Slack App Home)."""
        response = self._run(actor, now, lambda ctx: Response(replace_source=home_view(ctx)))
        return response.replace_source or response.to_caller[0]

    def remember(self, actor: Actor, now: datetime) -> None:
        """Record what a platform learnt about a person (profile refresh); no answer to anyone."""
        def update(ctx: Ctx) -> None:
            ctx.person.profile_checked_at = now
            ctx.session.add(ctx.person)

        self._run(actor, now, update)

    def profile(self, actor: Actor) -> Profile | None:
        """What the database knows of a person (name, locale, zone) and when a platform last told
        us; None for someone never seen. Lets a process that has not met them skip asking again."""
        with unit_of_work(self.engine) as session:
            found = session.exec(select(Person).join(Workspace, Workspace.id == Person.workspace_id).where(
                Workspace.platform == actor.platform, Workspace.external_id == actor.workspace,
                Person.platform_user_id == actor.user_id)).first()
            if found is None:
                return None
            return Profile(Actor(actor.platform, actor.workspace, actor.user_id, found.name, locale=found.locale,
                                 timezone=found.timezone, address=found.address, is_bot=found.is_bot,
                                 active=found.is_active), found.profile_checked_at)

    def remember_many(self, actors: list[Actor], now: datetime) -> int:
        """A platform's directory sweep: refresh the people Kipinä knows, in bulk."""
        with unit_of_work(self.engine) as session:
            return people.refresh_many(session, self.services.settings, actors, now)

    # -- scheduled work ---------------------------------------------------------------------

    def tick(self, now: datetime, platforms: list[str] = ()) -> dict:
        """Plan everything due at `now`: prompt runs, reminders and recaps, learning-coffee rounds and
        check-ins, then the daily and weekly jobs. The report's "upkeep" names the platforms whose
        daily upkeep the caller runs now."""
        with unit_of_work(self.engine) as session:
            report = runs.tick(session, self.services, now)
        with unit_of_work(self.engine) as session:  # a round commits with its groups and introductions
            report.update(pair_rounds.tick(session, self.services, now))
        with unit_of_work(self.engine) as session:  # a pulse commits with everyone it asks
            report.update(pulse_rounds.tick(session, self.services, now))
        return {**report, **jobs.plan(self.engine, self.services, now, list(platforms))}

    # -- inside ------------------------------------------------------------------------------

    def _run(self, actor: Actor, now: datetime, use_case: Callable[[Ctx], Response | None]) -> Response | None:
        lang = self.services.settings.default_language
        if not printable(actor.user_id, 255) or not printable(actor.workspace, 255):
            return Response().say(message(t(lang, "error.who")))
        try:
            with unit_of_work(self.engine) as session:
                person, ws = people.speaker(session, self.services.settings, actor)
                ctx = Ctx(session, self.services, now, person, ws)
                lang = ctx.lang
                return use_case(ctx)
        except Refusal as refusal:
            return Response(refused=True).say(message(t(lang, refusal.key, **refusal.params)))
        except UsageError as error:
            return Response(refused=True).say(message(*_usage_texts(actor.platform, lang, error)))
        except IntegrityError:
            log.warning("conflicting change rolled back")
            return Response(refused=True).say(message(t(lang, "error.conflict")))
        except OperationalError:
            log.exception("database unavailable")
            return Response(refused=True).say(message(t(lang, "error.database")))
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("request failed (ref %s)", ref)
            return Response(refused=True).say(message(t(lang, "error.internal", ref=ref)))

    def _command(self, ctx: Ctx, cmd: Command, place: Place) -> Response:
        handler = COMMANDS.get(cmd.name)
        if handler is None:
            raise UsageError("usage.unknown", None, word=cmd.name)
        return handler(ctx, cmd, place)

    def _direct(self, ctx: Ctx, req: MessageRequest) -> Response:
        assignment = answers.find_open(ctx, req.thread_of)
        command = _as_command(req.text, expecting_answer=assignment is not None)
        if command is not None:
            return self._command(ctx, command, req.place)
        if assignment is None:
            return Response().say(_greeting(ctx))
        typed_words = req.text.split()
        typo = words.closest(typed_words[0]) if 0 < len(typed_words) <= 3 and not words.command(typed_words[0]) \
            else None  # no text at all (a file alone) is an answer as before
        if typo is not None or chatter.is_chatter(req.text):  # "hej", "kiitos!", "👍", "hlep": asked, not stored
            meant = UsageError("usage.did_you_mean", word=typed_words[0], meant=typo,
                               rest=" ".join(typed_words[1:])) if typo else None
            hint = _usage_texts(ctx.workspace.platform, ctx.lang, meant) if meant else []
            return chatter.ask(ctx, assignment, req.text, req.source_id, *hint)
        response = answers.answer_message(ctx, assignment, req.text, req.source_id)
        if _looks_like_command(req.text):  # taken as the answer; say how to give the command instead
            typed = f"{req.text.split()[0].lower()} …"
            explicit = spelled(ctx.workspace.platform, typed, ctx.lang)
            if explicit == typed:  # no slash command there (Teams): the word in front makes it one
                explicit = f"{ctx.t('chat.command_word')} {typed}"
            response.say(message(ctx.t("chat.answer_not_command", command=explicit)))
        return response

    def _thread_reply(self, ctx: Ctx, req: MessageRequest) -> None:
        if not req.thread_of or not req.place.channel_id:
            return None
        found = ctx.session.exec(
            select(Delivery, Circle).join(Circle, Circle.id == Delivery.circle_id)
            .where(Delivery.platform_message_id == req.thread_of, Delivery.platform_channel_id == req.place.channel_id,
                   Delivery.kind.in_([DeliveryKind.COFFEE, DeliveryKind.RECAP]),
                   Delivery.workspace_id == ctx.workspace.id)
        ).first()
        if found is None:
            return None
        delivery, circle = found
        text = answer_text(req.text)[:answers.ANSWER_LIMIT] if circle.store_coffee_text else None
        insert_ignore(ctx.session, Participation, [{
            "run_id": delivery.run_id, "person_id": ctx.person.id, "source_id": printable(req.source_id, 255),
            "text": text, "created_at": ctx.now}], None)
        return None


def _prompt(ctx: Ctx, cmd: Command, place: Place) -> Response:
    if cmd.sub == "add":
        return circles.add_prompt(ctx, cmd, place)
    return circles.run_now(ctx, runs.REFLECTION, place)


# Every command of the grammar (bot/domain/commands/) and the use case that answers it.
COMMANDS: dict[str, Callable[[Ctx, Command, Place], Response]] = {
    "help": lambda ctx, cmd, place: preferences.help_text(ctx),
    "new": circles.new,
    "add": circles.add,
    "remove": circles.remove,
    "schedule": circles.schedule,
    "leave": lambda ctx, cmd, place: circles.leave(ctx, place),
    "list": lambda ctx, cmd, place: circles.list_mine(ctx),
    "info": lambda ctx, cmd, place: circles.info(ctx, place),
    "archive": lambda ctx, cmd, place: circles.archive(ctx, place),
    "prompt": _prompt,
    "coffee": lambda ctx, cmd, place: circles.run_now(ctx, runs.COFFEE, place),
    "pause": lambda ctx, cmd, place: preferences.pause(ctx, cmd),
    "resume": lambda ctx, cmd, place: preferences.resume(ctx),
    "language": preferences.set_language,
    "journal": lambda ctx, cmd, place: journal.journal(ctx),
    "mydata": lambda ctx, cmd, place: journal.mydata(ctx),
    "forget-me": lambda ctx, cmd, place: journal.ask_forget(ctx),
    "privacy": lambda ctx, cmd, place: privacy.notice(ctx),
    "audit": lambda ctx, cmd, place: audit.show(ctx),
    "report": lambda ctx, cmd, place: reports.report_command(ctx, place),
    "pairs": pairs.command,
    "pulse": pulses.command,
    "dashboard": signin.command,
    "programme": lambda ctx, cmd, place: programme.programme_command(ctx, place),
}


def _usage_texts(platform: str, lang: str, error: UsageError) -> list[str]:
    """What was wrong, then the usage line, a "did you mean" or where to see all commands, each in
    the reader's words and command word."""
    params = dict(error.params)
    if "meant" in params:  # a typo of a command: the reader's own word for it
        word = usage_in(lang, params.pop("meant")).split()[0]
        params["command"] = spelled(platform, " ".join(filter(None, (word, params.pop("rest", "")))), lang)
    texts = [t(lang, error.reason, **params)]
    if error.command:
        texts.append(t(lang, "usage.line", usage=spelled(platform, usage_in(lang, error.command), lang)))
    elif "command" not in params:
        texts.append(t(lang, "usage.see_help", help=spelled(platform, usage_in(lang, "help"), lang)))
    return texts


def _refuse(key: str):
    raise Refusal(key)


def _greeting(ctx: Ctx) -> Message:
    """A chat line with nothing waiting for an answer: a friendly hello and the likely next steps."""
    buttons = (Button(ctx.t("button.help"), "chat.help"), Button(ctx.t("button.journal"), "chat.journal"))
    return message(ctx.t("chat.nothing_open"), buttons=buttons)


def _looks_like_command(text: str) -> bool:
    try:
        return parse(text).name not in HARMLESS
    except UsageError:
        return False


def _as_command(text: str, expecting_answer: bool) -> Command | None:
    """Is a plain chat message a command? With a prompt open, only one that starts with a command
    prefix (`circle …`) or a short, harmless one (`help`, `tauko 2vk`) is: "Uusi näkökulma…" is
    an answer, not a new circle."""
    words_typed = text.split()
    if not words_typed:
        return None
    explicit = words_typed[0].lower() in PREFIXES
    if expecting_answer and not explicit and len(words_typed) > 3:
        return None
    try:
        command = parse(text)
    except UsageError:
        first = words_typed[0]
        if explicit or (not expecting_answer and (words.command(first) or words.closest(first)) is not None):
            raise
        return None
    if expecting_answer and not explicit and command.name not in HARMLESS:
        return None
    return command
