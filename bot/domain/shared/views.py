"""The messages the bot writes, built from domain rows. Texts come from bot/i18n."""
from __future__ import annotations

from bot.domain.shared.context import format_when
from bot.common.i18n import t
from bot.ports import Block, Button, Choice, Field, Form, Message
from storage.models import Circle, Reply

ANSWER_LIMIT = 3000
SHOWN = 300  # characters of an answer its card shows back to its author


def prompt_buttons(lang: str, assignment_id: int) -> tuple[Button, ...]:
    ref = str(assignment_id)
    return (
        Button(t(lang, "button.answer"), "prompt.answer", ref, "primary"),
        Button(t(lang, "button.skip"), "prompt.skip", ref),
        Button(t(lang, "button.another"), "prompt.another", ref),
        Button(t(lang, "button.snooze"), "prompt.snooze", ref),
    )


def answer_form(lang: str, assignment_id: int, prompt: str, default_visibility: str, initial: str = "") -> Form:
    return Form(
        title=t(lang, "form.title"),
        action="prompt.answer",
        value=str(assignment_id),
        submit_label=t(lang, "form.submit"),
        cancel_label=t(lang, "button.cancel"),
        cancel_action="prompt.show",
        intro=prompt,
        fields=(
            Field("answer", t(lang, "form.answer"), multiline=True, max_length=ANSWER_LIMIT, initial=initial,
                  placeholder=t(lang, "form.placeholder"), error=t(lang, "form.answer_missing")),
            Field("visibility", t(lang, "form.visibility"), kind="choice", initial=default_visibility,
                  choices=(Choice("circle", t(lang, "visibility.circle")),
                           Choice("private", t(lang, "visibility.private")))),
        ),
    )


def prompt_message(lang: str, circle: Circle, prompt: str, assignment_id: int, closes_at, tz: str,
                   reminder: bool = False) -> Message:
    heading = t(lang, "prompt.reminder_heading" if reminder else "prompt.heading", circle=circle.name)
    blocks = [Block("context", heading), Block("question", prompt)]
    if closes_at is not None:
        blocks.append(Block("context", t(lang, "prompt.context", when=format_when(lang, closes_at, tz))))
    return Message(
        blocks=tuple(blocks),
        buttons=prompt_buttons(lang, assignment_id),
        form=answer_form(lang, assignment_id, prompt, circle.default_visibility),
        summary=heading,
    )


def shown(text: str) -> str:
    return text if len(text) <= SHOWN else text[:SHOWN].rstrip() + " …"


def answered_message(lang: str, circle: Circle, prompt: str, reply: Reply, assignment_id: int) -> Message:
    """The prompt card once answered, for its author only: the answer (its start) and who may read it."""
    status = "answered.shared" if reply.visibility == "circle" else "answered.private"
    buttons = [Button(t(lang, "button.edit"), "prompt.answer", str(assignment_id))]
    if reply.visibility == "circle":
        buttons.append(Button(t(lang, "button.keep_private"), "reply.private", str(reply.id)))
    blocks = [Block("context", t(lang, "prompt.heading", circle=circle.name)), Block("question", prompt)]
    if reply.text:
        blocks.append(Block("quote", shown(reply.text)))
    blocks.append(Block("context", t(lang, status, circle=circle.name)))
    return Message(blocks=tuple(blocks), buttons=tuple(buttons), summary=t(lang, status, circle=circle.name))


def closed_message(lang: str, circle: Circle, prompt: str, key: str, **params) -> Message:
    return Message(
        blocks=(Block("context", t(lang, "prompt.heading", circle=circle.name)), Block("question", prompt),
                Block("context", t(lang, key, **params))),
        summary=t(lang, key, **params),
    )


def recap_message(lang: str, circle: Circle, prompt: str, shared: list[tuple[str, str, str]]) -> Message:
    """shared: (author name, the question they answered, answer text) for circle-shared replies only."""
    blocks = [Block("heading", t(lang, "recap.heading", circle=circle.name)),
              Block("context", t(lang, "recap.intro", count=len(shared)))]
    asked = {question for _, question, _ in shared}
    if len(asked) <= 1:
        blocks.append(Block("text", prompt))
    for author, question, text in shared:
        if len(asked) > 1:
            blocks.append(Block("context", question))
        blocks.append(Block("quote", text, author=author))
    follow_up = Message(blocks=(Block("text", t(lang, "recap.starter")),), summary=t(lang, "recap.starter"))
    return Message(blocks=tuple(blocks), summary=t(lang, "recap.heading", circle=circle.name), follow_up=follow_up)


def recap_withdrawn(lang: str, circle: Circle) -> Message:
    """A posted recap whose every answer was taken back (deleted, made private or erased)."""
    return Message(blocks=(Block("heading", t(lang, "recap.heading", circle=circle.name)),
                           Block("context", t(lang, "recap.withdrawn"))),
                   summary=t(lang, "recap.heading", circle=circle.name))


def coffee_message(lang: str, circle: Circle, starter: str) -> Message:
    return Message(
        blocks=(Block("heading", t(lang, "coffee.heading", circle=circle.name)), Block("text", starter),
                Block("context", t(lang, "coffee.context"))),
        summary=t(lang, "coffee.heading", circle=circle.name),
    )


def in_languages(messages: list[Message]) -> Message:
    """One channel post for a bilingual circle: the same message in each language, block by block
    (heading by heading, question by question), with what is the same in all (the answers) once."""
    if len(messages) == 1:
        return messages[0]
    blocks: list[Block] = []
    lengths = {len(m.blocks) for m in messages}
    if len(lengths) == 1:
        for row in zip(*(m.blocks for m in messages)):
            blocks.extend(dict.fromkeys(row))  # the shared answer once, each language's own text in turn
    else:
        for m in messages:
            blocks.extend(b for b in m.blocks if b not in blocks)
    follow_ups = [m.follow_up for m in messages if m.follow_up is not None]
    return Message(blocks=tuple(blocks), buttons=messages[0].buttons,
                   summary=" / ".join(dict.fromkeys(m.summary for m in messages))[:150],
                   follow_up=in_languages(follow_ups) if follow_ups else None)
