"""A short chat line that is not an answer: "hei", "tack!", "ok 👍", "are you a bot?".

With a prompt open, a plain DM is taken as the answer; a greeting or a thank-you stored as a shared
answer would show up in the circle's recap ("Erik: hej"). Such a line is not stored: the person is
asked whether it was meant as the answer (buttons), and a "no" treats it as chat.
"""
from __future__ import annotations

import json
import re

from bot.domain.circles import answers
from bot.domain.shared.context import Ctx, Refusal
from bot.common.text import printable
from bot.ports import Button, Response, message
from storage.models import Assignment

# Said to a colleague in passing, in fi, sv and en; several may come together ("hei kiitos", "ok thanks").
SMALL_TALK = frozenset("""
hei heippa hei hei moi moikka moro morjens terve terkut huomenta päivää iltaa kiitos kiitti kiitoksia kiitokset
kiva mahtavaa selvä okei ok oki joo jep jees juu kyllä ei eipä mitään nähdään hyvää
hej hejsan hallå tjena tja morrn morgon god dag kväll tack tackar tusen så mycket okej ja nej toppen bra fint
hi hello hey hiya morning good evening afternoon thanks thank you thx ty cheers yes no yep nope sure fine great
cool nice okay alright right bye see
""".split())
SHORT = 6  # words: longer lines are answers, whatever they say
MAX_HELD = 300  # characters carried in the button; a short line is far shorter
FILE_MARK = "📎"
EMOJI_CODE = re.compile(r":[a-z0-9_+\-']+:")  # Slack's :wave:


def is_chatter(text: str) -> bool:
    """Small talk, a bare emoji or a short question to the bot, not an answer to a prompt."""
    if FILE_MARK in text:  # a file sent as the answer (the platforms' 📎 line) is an answer
        return False
    stripped = EMOJI_CODE.sub(" ", text.lower()).strip()
    if not stripped:
        return bool(text.strip())  # only :emoji: codes
    if not any(ch.isalnum() for ch in stripped):
        return True  # 👍, 🙂, "!!", "?"
    words = re.findall(r"[^\W\d_]+|\d+", stripped)
    if len(words) > SHORT or len(stripped) > MAX_HELD:
        return False
    if all(word in SMALL_TALK for word in words):
        return True
    return stripped.endswith("?") and len(words) <= 4  # "oletko botti?", "vad gör du?", "what's this?"


def ask(ctx: Ctx, assignment: Assignment, text: str, source_id: str, *before: str) -> Response:
    """Not stored: ask whether it was meant as the answer (after `before`, a "did you mean")."""
    held = json.dumps({"a": assignment.id, "s": printable(source_id, 255), "t": text[:MAX_HELD]},
                      ensure_ascii=False)
    buttons = (Button(ctx.t("button.save_answer"), "chat.save", held, "primary"),
               Button(ctx.t("button.not_answer"), "chat.dismiss", str(assignment.id)))
    question = ctx.t("chat.save_anyway" if before else "chat.not_an_answer")  # after a "did you mean": short
    return Response().say(message(*before, question, buttons=buttons))


def save(ctx: Ctx, value: str) -> Response:
    """'Save as my answer': the line held in the button becomes the answer after all."""
    try:
        held = json.loads(value)
        assignment_id, source_id, text = int(held["a"]), str(held["s"]), str(held["t"])
    except (ValueError, KeyError, TypeError):
        raise Refusal("error.unknown_action") from None
    assignment = ctx.session.get(Assignment, assignment_id)
    if assignment is None or assignment.person_id != ctx.person.id:
        raise Refusal("prompt.not_yours")
    if answers.has_answered(ctx, assignment):  # answered meanwhile: a greeting never overwrites it
        raise Refusal("another.answered")
    response = answers.answer_message(ctx, assignment, text, source_id)
    return Response(replace_source=response.to_caller[0])


def dismiss(ctx: Ctx, value: str) -> Response:
    """'No': it was chat. The prompt stays open."""
    return Response(replace_source=message(ctx.t("chat.not_saved")))
