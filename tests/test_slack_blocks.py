"""Block Kit rendering: every kind of message the bot sends passes slack_sdk validation and stays
within Slack's limits with long Finnish text and emoji; nothing is lost or turned into a mention."""
from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone

import pytest

from bot.common.i18n import t
from bot.ports import Block, Button, Message, message
from bot.platforms.slack.blocks import form_view, home_view, message_parts, pieces, units
from bot.domain.shared.views import answer_form, coffee_message, prompt_message, recap_message
from fakes.slack_checks import LIVE_MENTION, _texts, assert_valid_payload, assert_valid_view, parsed_text
from storage.models import Circle

EMOJI = "👩‍👩‍👧‍👦🇫🇮🙌🏽"
FINNISH = ("Mitä opit tällä viikolla siitä, miten epävarmuutta siedetään yhdessä, ja mikä yllätti sinut "
           "eniten työyhteisön käytävä- ja kahvihuonekeskusteluissa? " + EMOJI + " Älä & <!channel> ")
NAME = ("Äänekkäät ja ärhäkät öljynporaajat " + EMOJI)[:80]
CIRCLE = Circle(id=1, workspace_id=1, name=NAME, mentor_id=1, default_visibility="circle")
WHEN = datetime(2026, 12, 2, 7, 0, tzinfo=timezone.utc)


def visible(parts: list[dict]) -> str:
    """What a reader sees, with Slack's escapes undone."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([p["blocks"] for p in parts])
    return html.unescape(re.sub(r"(?m)^>", "", "\n".join(found)))


def words(text: str) -> list[str]:
    return text.split()


def kinds() -> dict[str, Message]:
    long_prompt = (FINNISH * 4)[:500]
    shared = [(f"Jäsen {n} {EMOJI}", long_prompt, (FINNISH * 30)[:3000]) for n in range(30)]
    return {
        "prompt": prompt_message("fi", CIRCLE, long_prompt, 42, WHEN, "Europe/Helsinki"),
        "reminder": prompt_message("fi", CIRCLE, long_prompt, 42, WHEN, "Europe/Helsinki", reminder=True),
        "recap": recap_message("fi", CIRCLE, long_prompt, shared),
        "recap-one-question": recap_message("sv", CIRCLE, long_prompt, [(a, long_prompt, x) for a, _, x in shared]),
        "coffee": coffee_message("fi", CIRCLE, long_prompt),
        "welcome": message(t("fi", "welcome.text", circle=NAME, by="Mia " + EMOJI), t("fi", "welcome.how"),
                           heading=t("fi", "welcome.heading", circle=NAME)),
        "notice": message(t("fi", "notice.unreachable", name="<!here> " + EMOJI, circle=NAME)),
        "code": Message(blocks=(Block("code", '{"text": "' + FINNISH * 20 + '"}'),), summary="JSON"),
        "buttons": message(FINNISH, buttons=(Button("Poista kaikki tietoni " * 6, "forget.confirm", "7", "danger"),
                                             Button("Peruuta", "forget.cancel", ""))),
    }


@pytest.mark.parametrize("kind", list(kinds()))
def test_every_message_kind_is_valid_block_kit_within_limits(kind):
    msg = kinds()[kind]
    parts = message_parts(msg)
    for part in parts:
        assert_valid_payload(part)
    if msg.follow_up is not None:
        for part in message_parts(msg.follow_up):
            assert_valid_payload(part)
    # nothing is lost: every word of every block is shown somewhere
    shown = words(visible(parts))
    for block in msg.blocks:
        for word in words(block.text)[:50]:
            assert word in shown or word.rstrip("…") in shown, (kind, word)


def test_a_recap_of_many_long_answers_becomes_several_posts():
    parts = message_parts(kinds()["recap"])
    assert len(parts) >= 6
    assert all(len(p["blocks"]) <= 50 for p in parts)
    assert visible(parts).count("Jäsen") == 30


def test_mentions_in_text_are_shown_never_obeyed():
    parts = message_parts(message("Hei <!channel> ja <@U123> & <https://evil.example|klikkaa>",
                                  heading="<!here> piiri"))
    # shown as typed in plain_text, which Slack does not parse; nothing it parses carries markup
    assert not any(markup in parsed_text(parts[0]) for markup in (*LIVE_MENTION, "<https://"))
    assert parts[0]["blocks"][1]["text"] == {"type": "plain_text", "emoji": False,
                                             "text": "Hei <!channel> ja <@U123> & <https://evil.example|klikkaa>"}
    assert "&lt;!here&gt;" in parts[0]["text"]


def test_long_unbroken_emoji_text_is_split_without_tearing_an_emoji():
    text = EMOJI * 800
    chunks = pieces(text, 3000, units)
    assert len(chunks) > 1 and "".join(chunks) == text
    for chunk in chunks:
        assert units(chunk) <= 3000
        assert not chunk.startswith(("\u200d", "\U0001f3fd")) and not chunk.endswith("\u200d")


def test_the_answer_form_is_a_valid_modal_with_its_metadata():
    form = answer_form("fi", 42, (FINNISH * 4)[:500], "private", initial=(FINNISH * 30)[:3000])
    view = form_view(form, {"a": form.action, "v": form.value, "c": "DU1", "ts": "1800000001.000100"})
    assert_valid_view(view)
    assert view["title"]["text"] and len(view["title"]["text"]) <= 24
    answer = next(b for b in view["blocks"] if b.get("block_id") == "answer")
    assert answer["element"]["max_length"] == 3000 and len(answer["element"]["initial_value"]) == 3000
    visibility = next(b for b in view["blocks"] if b.get("block_id") == "visibility")
    assert visibility["element"]["initial_option"]["value"] == "private"


def test_the_home_view_stays_within_a_hundred_blocks():
    blocks = tuple(Block("quote", FINNISH * 25, author=f"{n}") for n in range(120))
    view = home_view(Message(blocks=blocks, buttons=(Button("Tauko", "home.pause", ""),)))
    assert_valid_view(view)
    assert view["blocks"][-1]["type"] == "actions"


def test_the_answer_modal_closes_with_a_localised_label():
    from bot.platforms.slack.blocks import form_view
    from bot.domain.shared.views import answer_form

    for lang, label in (("fi", "Peruuta"), ("sv", "Avbryt"), ("en", "Cancel")):
        view = form_view(answer_form(lang, 1, "Mitä opit?", "circle"), {"a": "prompt.answer", "v": "1"})
        assert view["close"]["text"] == label


def test_formatting_characters_in_names_and_answers_are_shown_as_typed():
    typed = "*Tärkeä* _piiri_ ~vanha~ `koodi`"
    parts = message_parts(Message(blocks=(Block("heading", typed), Block("text", typed),
                                          Block("quote", typed, author=typed), Block("context", typed))))
    blocks = parts[0]["blocks"]
    mrkdwn = [text for kind, text in _texts(blocks, []) if kind == "mrkdwn"]
    assert blocks and not any(typed in text for text in mrkdwn)  # nothing Slack would format
    assert json.dumps(blocks, ensure_ascii=False).count(typed) >= 4  # heading, text, quote, author, context
