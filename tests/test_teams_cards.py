"""Adaptive Cards and activities the bot builds: valid against the official schemas, text inert."""
from __future__ import annotations

import json

import pytest

from bot.ports import Block, Button, Message, PermanentFailure, RateLimited, TemporaryFailure, message
from bot.platforms.teams.cards import MAX_BYTES, activity, form_card, sized_card
from bot.platforms.teams.inbound import classify, command_text
from bot.platforms.teams.rest import Refused, failure
from bot.domain.shared.views import answer_form, answered_message, coffee_message, prompt_message, recap_message
from fakes.teams_world import BOT, check_activity, check_card, elements
from storage.models import Circle, Reply

CIRCLE = Circle(id=1, workspace_id=1, name="Learners", mentor_id=1)


def texts(card: dict) -> list[str]:
    return [run["text"] for run in elements(card, "TextRun")]


@pytest.mark.parametrize("lang", ["en", "fi", "sv"])
def test_every_kind_of_message_is_a_valid_card(lang):
    reply = Reply(id=3, run_id=1, person_id=1, circle_id=1, prompt_key="k", text="x", visibility="circle",
                  source_id="s")
    messages = [
        prompt_message(lang, CIRCLE, "What surprised you?", 7, None, "Europe/Helsinki"),
        prompt_message(lang, CIRCLE, "What surprised you?", 7, None, "Europe/Helsinki", reminder=True),
        answered_message(lang, CIRCLE, "What surprised you?", reply, 7),
        recap_message(lang, CIRCLE, "What surprised you?", [("Ann", "What surprised you?", "A lot")]),
        coffee_message(lang, CIRCLE, "Best tool this week?"),
        message("plain", heading="Heading", buttons=(Button("Yes", "forget.confirm", "1", "danger"),)),
        Message(blocks=(Block("code", '{"a": 1}'), Block("context", "small print"))),
    ]
    for msg in messages:
        card = sized_card(msg)
        check_card(card)
        check_activity(activity(card, BOT, "a:1", msg.summary, "tenant"))
    check_card(form_card(answer_form(lang, 7, "What surprised you?", "private", "earlier words")))


def test_prompt_card_has_the_form_inline_and_the_four_buttons():
    card = sized_card(prompt_message("en", CIRCLE, "What surprised you?", 7, None, "Europe/Helsinki"))
    inputs = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert inputs["answer"]["isMultiline"] and inputs["answer"]["maxLength"] == 3000
    assert inputs["visibility"]["value"] == "circle"
    answer, *others = card["actions"]
    assert answer["title"] == "Answer" and answer["associatedInputs"] == "auto"
    assert answer["data"] == {"kipina": "prompt.answer", "value": "7", "kipina_form": 1}
    assert [(a["title"], a["associatedInputs"]) for a in others] == [
        ("Skip", "none"), ("Another question", "none"), ("Snooze", "none")]


def test_the_form_card_keeps_what_was_written():
    card = form_card(answer_form("en", 7, "Q?", "private", "my earlier answer"))
    answer = next(e for e in card["body"] if e["type"] == "Input.Text")
    assert answer["value"] == "my earlier answer"
    assert next(e for e in card["body"] if e["type"] == "Input.ChoiceSet")["value"] == "private"


def test_markdown_and_mentions_stay_plain_text():
    sneaky = "[click](http://evil) **bold** <at>everyone</at> _x_"
    card = sized_card(recap_message("en", Circle(id=1, workspace_id=1, name=sneaky, mentor_id=1), "Q",
                                    [(sneaky, "Q", sneaky)]))
    check_card(card)
    assert '"type": "TextBlock"' not in json.dumps(card)  # TextBlocks read Markdown; TextRuns do not
    assert sum(sneaky in text for text in texts(card)) >= 3
    body = activity(card, BOT, "19:c@thread.tacv2", "summary")
    assert "entities" not in body and "text" not in body


def test_a_long_recap_is_shortened_to_fit_one_teams_message():
    shared = [(f"Person {i}", "Q", "x" * 2900 + str(i)) for i in range(15)]
    msg = recap_message("en", CIRCLE, "Q", shared)
    card = sized_card(msg)
    assert len(json.dumps(card, ensure_ascii=False).encode()) <= MAX_BYTES
    check_card(card)
    assert all(f"Person {i}: " in texts(card) for i in range(15))  # everyone is still there
    assert len(json.dumps(sized_card(recap_message("en", CIRCLE, "Q", shared[:2])))) > 5800  # short ones whole


def test_connector_answers_map_to_what_the_dispatcher_does():
    limited = failure(429, {"Retry-After": "7"}, "Throttled")
    assert isinstance(limited, RateLimited) and 7 <= limited.retry_after <= 8.5
    assert isinstance(failure(429, {}, "x"), RateLimited)
    assert isinstance(failure(412, {}, "x"), RateLimited)
    for status in (500, 502, 503, 504, 401):
        assert isinstance(failure(status, {}, "x"), TemporaryFailure)
    assert isinstance(failure(403, {}, "x"), Refused) and isinstance(failure(404, {}, "x"), Refused)
    assert isinstance(failure(400, {}, "x"), PermanentFailure)


def test_mentions_become_ids_for_the_grammar():
    body = {"text": "<at>Kipinä</at> add <at>Ann Smith</at> and <at>Bob</at> <at>General</at>",
            "recipient": {"id": "28:bot"},
            "entities": [
                {"type": "mention", "text": "<at>Kipinä</at>", "mentioned": {"id": "28:bot", "name": "Kipinä"}},
                {"type": "mention", "text": "<at>Ann Smith</at>", "mentioned": {"id": "29:ann", "name": "Ann Smith"}},
                {"type": "mention", "text": "<at>Bob</at>", "mentioned": {"id": "29:bob", "name": "B<o>b|x"}},
                {"type": "mention", "text": "<at>General</at>", "mentioned": {"id": "19:chan@thread.tacv2",
                                                                              "name": "General"}},
            ]}
    text, people = command_text(body)
    assert text == "add <@29:ann|Ann Smith> and <@29:bob|B o b x> General"
    assert [p["id"] for p in people] == ["29:ann", "29:bob"]


def test_activities_missing_what_is_needed_are_ignored():
    assert classify({"type": "message", "text": "hi"}).intent == "ignore"
    assert classify({"type": "message", "from": {"id": "29:a"}, "serviceUrl": "https://x/",
                     "conversation": {"id": "a:1"}}).intent == "ignore"  # no tenant
