"""A member and one prompt: answer (form or plain DM), visibility, skip, another question, snooze."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from bot.domain.shared import outbox
from bot.domain.shared.outbox import DeliveryKind
from bot.domain.shared import rotation
from bot.domain.shared.context import Ctx, Refusal
from bot.common.text import answer_text, printable, ref_id
from bot.ports import Actor, Button, Message, Response, message
from bot.domain.shared.views import ANSWER_LIMIT, answer_form, answered_message, closed_message, prompt_message
from storage.models import Assignment, Circle, Delivery, Participation, Person, PromptRun, Reply, Workspace
from storage.ops import insert_ignore

SNOOZE = timedelta(hours=2)
MAX_SNOOZES = 3
MAX_SWAPS = 3
VISIBILITIES = ("circle", "private")


def _load(ctx: Ctx, value: str) -> tuple[Assignment, PromptRun, Circle]:
    key = ref_id(value)
    assignment = ctx.session.get(Assignment, key) if key else None
    if assignment is None or assignment.person_id != ctx.person.id:
        raise Refusal("prompt.not_yours")
    run = ctx.session.get(PromptRun, assignment.run_id)
    return assignment, run, ctx.session.get(Circle, run.circle_id)


def _my_reply(ctx: Ctx, run_id: int) -> Reply | None:
    return ctx.session.exec(select(Reply).where(Reply.run_id == run_id, Reply.person_id == ctx.person.id)).first()


def has_answered(ctx: Ctx, assignment: Assignment) -> bool:
    return _my_reply(ctx, assignment.run_id) is not None


def _text(ctx: Ctx, key: str) -> str:
    return rotation.prompt_text(ctx.session, ctx.services.library, key, ctx.lang)


def open_form(ctx: Ctx, value: str) -> Response:
    assignment, run, circle = _load(ctx, value)
    existing = _my_reply(ctx, run.id)
    visibility = existing.visibility if existing else circle.default_visibility
    form = answer_form(ctx.lang, assignment.id, _text(ctx, assignment.prompt_key), visibility,
                       existing.text if existing else "")
    return Response(open_form=form)


def store(ctx: Ctx, assignment: Assignment, run: PromptRun, text: str, visibility: str, source_id: str) -> Reply:
    text = answer_text(text)
    if not text:
        raise Refusal("answer.empty")
    if len(text) > ANSWER_LIMIT:
        raise Refusal("answer.too_long", limit=ANSWER_LIMIT, length=len(text))
    if visibility not in VISIBILITIES:
        raise Refusal("answer.bad_visibility")
    session = ctx.session
    inserted = insert_ignore(session, Reply, [{
        "run_id": run.id, "person_id": ctx.person.id, "circle_id": run.circle_id,
        "prompt_key": assignment.prompt_key, "text": text, "visibility": visibility,
        "source_id": printable(source_id, 255),
        "created_at": ctx.now, "updated_at": ctx.now}], None)
    if not inserted:
        again = session.exec(select(Reply).where(Reply.source_id == printable(source_id, 255),
                                                 Reply.person_id == ctx.person.id)).first()
        if again is not None:
            return again  # the same event delivered twice: nothing changes
        session.execute(update(Reply).where(Reply.run_id == run.id, Reply.person_id == ctx.person.id)
                        .values(text=text, visibility=visibility, prompt_key=assignment.prompt_key,
                                updated_at=ctx.now))
    reply = _my_reply(ctx, run.id)
    session.refresh(reply)
    return reply


def _thanks(ctx: Ctx, circle: Circle, reply: Reply, offer_private: bool) -> Message:
    key = "answer.thanks_shared" if reply.visibility == "circle" else "answer.thanks_private"
    buttons = (Button(ctx.t("button.keep_private"), "reply.private", str(reply.id)),) \
        if offer_private and reply.visibility == "circle" else ()
    return message(ctx.t(key, circle=circle.name), buttons=buttons)


def submit_form(ctx: Ctx, value: str, fields: dict, source_id: str) -> Response:
    assignment, run, circle = _load(ctx, value)
    visibility = str(fields.get("visibility") or circle.default_visibility)
    reply = store(ctx, assignment, run, str(fields.get("answer") or ""), visibility,
                  source_id or f"form:{assignment.id}:{ctx.now.isoformat()}")
    answered = answered_message(ctx.lang, circle, _text(ctx, reply.prompt_key), reply, assignment.id)
    return Response(to_caller=[_thanks(ctx, circle, reply, False)], replace_source=answered)


def find_open(ctx: Ctx, thread_of: str | None) -> Assignment | None:
    """The prompt a plain message answers: the one it replies to, else the newest still open."""
    session = ctx.session
    if thread_of:
        found = session.exec(select(Assignment).join(Delivery, Delivery.assignment_id == Assignment.id).where(
            Delivery.platform_message_id == thread_of, Delivery.person_id == ctx.person.id)).first()
        if found is not None:
            return found
    return session.exec(
        select(Assignment).join(PromptRun, PromptRun.id == Assignment.run_id)
        .outerjoin(Reply, (Reply.run_id == Assignment.run_id) & (Reply.person_id == Assignment.person_id))
        .where(Assignment.person_id == ctx.person.id, PromptRun.closed_at.is_(None), Reply.id.is_(None),
               Assignment.skipped_at.is_(None))
        .order_by(PromptRun.scheduled_for.desc(), Assignment.id.desc())
    ).first()


def answer_message(ctx: Ctx, assignment: Assignment, text: str, source_id: str) -> Response:
    run = ctx.session.get(PromptRun, assignment.run_id)
    circle = ctx.session.get(Circle, run.circle_id)
    existing = _my_reply(ctx, run.id)
    visibility = existing.visibility if existing else circle.default_visibility
    reply = store(ctx, assignment, run, text, visibility, source_id)
    return Response(to_caller=[_thanks(ctx, circle, reply, True)])


def revise(session, actor: Actor, source_id: str, text: str | None, now) -> bool:
    """A person edited (`text`) or deleted (None) a message that was their answer or a coffee-thread
    reply: the stored copy follows, so the journal, an unposted recap and the themes read what the
    person now stands by. A deleted (or emptied) answer keeps its row, so it still counts as answered,
    but loses its text and is private: never shown, shared or sent to a model again. Only the
    author's own message changes; an id nobody stored, or someone else's, changes nothing."""
    mine = (Workspace.platform == actor.platform, Workspace.external_id == actor.workspace,
            Person.platform_user_id == actor.user_id)
    text = answer_text(text)[:ANSWER_LIMIT] if text is not None else ""
    for model in (Reply, Participation):
        found = session.exec(select(model).join(Person, Person.id == model.person_id)
                             .join(Workspace, Workspace.id == Person.workspace_id)
                             .where(model.source_id == source_id, *mine)).first()
        if found is None:
            continue
        if model is Participation:
            found.text = (text or None) if found.text is not None else None  # text only if it was kept
        else:
            if found.visibility == "circle":  # its recap, if posted, shows the new text or none
                outbox.refresh_recaps(session, [found.run_id], now)
            found.text, found.updated_at = text, now
            if not text:
                found.visibility = "private"
        session.add(found)
        return True
    return False


def keep_private(ctx: Ctx, value: str) -> Response:
    key = ref_id(value)
    reply = ctx.session.get(Reply, key) if key else None
    if reply is None or reply.person_id != ctx.person.id:
        raise Refusal("prompt.not_yours")
    if reply.visibility == "circle":  # a recap already posted takes it out
        outbox.refresh_recaps(ctx.session, [reply.run_id], ctx.now)
    reply.visibility = "private"
    reply.updated_at = ctx.now
    ctx.session.add(reply)
    assignment = ctx.session.exec(select(Assignment).where(Assignment.run_id == reply.run_id,
                                                           Assignment.person_id == ctx.person.id)).first()
    if assignment is None:
        return Response(replace_source=message(ctx.t("answer.now_private")))
    circle = ctx.session.get(Circle, reply.circle_id)
    return Response(replace_source=answered_message(ctx.lang, circle, _text(ctx, reply.prompt_key), reply,
                                                    assignment.id))


def show(ctx: Ctx, value: str) -> Response:
    """The prompt's card as it stands (a form was cancelled): answered, or still open."""
    assignment, run, circle = _load(ctx, value)
    reply = _my_reply(ctx, run.id)
    if reply is not None:
        return Response(replace_source=answered_message(ctx.lang, circle, _text(ctx, reply.prompt_key), reply,
                                                        assignment.id))
    return Response(replace_source=prompt_message(ctx.lang, circle, _text(ctx, assignment.prompt_key), assignment.id,
                                                  run.closes_at, ctx.tz))


def skip(ctx: Ctx, value: str) -> Response:
    assignment, run, circle = _load(ctx, value)
    if _my_reply(ctx, run.id) is None:
        assignment.skipped_at = ctx.now
        ctx.session.add(assignment)
    return Response(replace_source=closed_message(ctx.lang, circle, _text(ctx, assignment.prompt_key), "skip.done"))


def another(ctx: Ctx, value: str) -> Response:
    assignment, run, circle = _load(ctx, value)
    if _my_reply(ctx, run.id) is not None:
        raise Refusal("another.answered")
    offered = frozenset(filter(None, assignment.offered.split(","))) | {assignment.prompt_key}
    if len(offered) > MAX_SWAPS:
        raise Refusal("another.no_more")
    key = rotation.next_prompt(ctx.session, ctx.services.library, circle.id, run.kind, exclude=offered,
                               after_theme=rotation.theme_of(ctx.services.library, assignment.prompt_key))
    assignment.prompt_key = key
    assignment.offered = ",".join(sorted(offered | {key}))
    assignment.skipped_at = None
    ctx.session.add(assignment)
    return Response(replace_source=prompt_message(ctx.lang, circle, _text(ctx, key), assignment.id,
                                                  run.closes_at, ctx.tz))


def snooze(ctx: Ctx, value: str) -> Response:
    assignment, run, circle = _load(ctx, value)
    if assignment.snoozes >= MAX_SNOOZES:
        raise Refusal("snooze.no_more")
    due = ctx.services.calendar.next_slot(ctx.now + SNOOZE, ctx.tz)
    if run.closes_at is not None and due >= run.closes_at:
        raise Refusal("snooze.too_late", when=ctx.when(run.closes_at))
    assignment.snoozes += 1
    ctx.session.add(assignment)
    outbox.enqueue(ctx.session, [outbox.row(
        DeliveryKind.PROMPT, ctx.workspace, due, run.id, ctx.person.id, f"snooze{assignment.snoozes}",
        person_id=ctx.person.id, circle_id=circle.id, run_id=run.id, assignment_id=assignment.id)])
    return Response(replace_source=closed_message(ctx.lang, circle, _text(ctx, assignment.prompt_key),
                                                  "snooze.done", when=ctx.when(due)))
