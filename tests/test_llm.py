"""Themes from an OpenAI-compatible model, against a local stub server over real HTTP."""
from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from sqlmodel import Session, select

from bot.domain.reports import llm
from bot.domain.reports.jobs import plan_workspace
from bot.domain.reports.scrub import Scrubber
from bot.domain.reports.view import render
from fakes.openai_stub import OpenAIStub
from harness import at, make_world
from storage.models import Delivery
from summary_world import (DUO, LEARNERS, MAKERS, NEVER_SEEN, PRIVATE_MARKER, STRANGER_ANSWERS, TINY, Seed,
                           realistic, strangers)

NOW = at("2026-12-07 09:00")
WORD = re.compile(r"[^\W\d_]+")


@pytest.fixture
def stub():
    server = OpenAIStub().start()
    yield server
    server.stop()


def model_settings(settings, stub, **more):
    return replace(settings, openai_api_key="sk-test-0123456789", openai_base_url=stub.base_url,
                   openai_model="stub-model", **more)


def plan(settings, engine, timeout=llm.TIMEOUT):
    world = make_world(settings, engine, start=NOW)
    seed = realistic(engine)
    planned = plan_workspace(engine, world.app.services, seed.workspace, NOW, model_timeout=timeout)
    with Session(engine) as s:
        rows = s.exec(select(Delivery).where(Delivery.kind == "summary").order_by(Delivery.id)).all()
    return planned, rows


def test_scrub_removes_names_contacts_mentions_and_markup():
    scrubber = Scrubber(["Aino Virtanen", "Mikko", "ann"])
    text = ("Aino virtanen and AINO helped; I thanked Annalle and Mikon team. Mail aino.v@example.fi, "
            "call +358 40 123 4567 or (09) 310 1691, ping @bob.k, <@U012AB|bob>, <at>Ann Berg</at>, "
            "see https://intra.example/people/aino. In 2026 we shipped 3 releases.")
    out = scrubber(text)
    for gone in ("Aino", "virtanen", "AINO", "Annalle", "Mikon", "example.fi", "358", "310", "@bob", "U012AB",
                 "Ann Berg", "intra.example"):
        assert gone not in out, gone
    assert "[email]" in out and "[phone]" in out and "[mention]" in out and "[link]" in out
    assert "In 2026 we shipped 3 releases." in out  # years and small numbers stay


def test_themes_come_back_in_each_language_asked_for(stub, settings):
    stub.content = "```json\n" + json.dumps({
        "fi": [{"title": "Palautteen pyytäminen", "summary": "Aino pyysi palautetta ajoissa."}],
        "en": [{"title": "Asking for feedback", "summary": "People asked early."}]}) + "\n```"
    found = llm.themes(model_settings(settings, stub), ["a", "b"], ["Aino Virtanen"], ["en", "fi"], 5)
    assert found["en"] == [{"title": "Asking for feedback", "summary": "People asked early."}]
    assert found["fi"][0]["summary"] == "[name] pyysi palautetta ajoissa."  # an echoed name is scrubbed too
    body = stub.requests[0]
    assert body["model"] == "stub-model" and len(stub.requests) == 1
    assert '"fi" (Finnish)' in body["messages"][0]["content"]
    assert stub.headers[0]["Authorization"] == "Bearer sk-test-0123456789"


def test_only_scrubbed_shared_answers_reach_the_model(stub, settings, engine):
    settings = model_settings(settings, stub, hr_users=frozenset({"test:hanna", "test:helmi"}))
    planned, rows = plan(settings, engine)
    assert planned == 2 and len(stub.requests) == 1  # one request per summary, whoever receives it
    sent = stub.sent_text()
    assert PRIVATE_MARKER not in sent and "told nobody" not in sent and "tiny circle secret" not in sent
    assert "example.com" not in sent and "358" not in sent and "@bob" not in sent and "U123" not in sent
    answers = stub.requests[0]["messages"][1]["content"]
    words = {w.lower() for w in WORD.findall(answers)}
    parts = {p.lower() for name in LEARNERS + MAKERS + TINY + DUO for p in name.split()}
    # "Tiny circle shared…", "Duo reflection…": everyday words that are not about a person stay
    assert words & parts == {"tiny", "duo"}
    assert "Asking for feedback early on the migration plan" in answers  # the shared answers themselves do go
    payload = rows[0].payload
    assert payload["themes"] == {"method": "llm", "by_language": {
        "en": [{"title": "Asking for feedback", "summary": "People ask early."}]}}
    assert "• Asking for feedback: People ask early." in render(payload, "en").plain_text
    assert "language model" in render(payload, "en").plain_text


def test_a_model_that_times_out_leaves_numbers_and_a_note(stub, settings, engine):
    stub.delay = 3.0
    planned, rows = plan(model_settings(settings, stub), engine, timeout=0.3)
    assert planned == 1 and len(stub.requests) == 1 + llm.MAX_RETRIES  # bounded retries
    payload = rows[0].payload
    assert payload["themes"] == {"method": "failed"} and payload["totals"]["answers"] > 0
    text = render(payload, "en").plain_text
    assert "The language model did not answer" in text and "Reflection prompts sent" in text


def test_a_500_from_the_model_leaves_numbers_and_a_note(stub, settings, engine):
    stub.status = 500
    planned, rows = plan(model_settings(settings, stub), engine)
    assert planned == 1 and len(stub.requests) == 1 + llm.MAX_RETRIES
    assert rows[0].payload["themes"] == {"method": "failed"}
    assert "Kielimalli ei vastannut" in render(rows[0].payload, "fi").plain_text


def test_an_answer_that_is_not_the_json_asked_for_counts_as_a_failure(stub, settings, engine):
    stub.content = "Here are some themes: feedback, trust."
    _, rows = plan(model_settings(settings, stub), engine)
    assert rows[0].payload["themes"] == {"method": "failed"}


def test_planning_twice_asks_the_model_once(stub, settings, engine):
    settings = model_settings(settings, stub)
    world = make_world(settings, engine, start=NOW)
    seed = realistic(engine)
    assert plan_workspace(engine, world.app.services, seed.workspace, NOW) == 1
    assert plan_workspace(engine, world.app.services, seed.workspace, NOW) == 0
    assert len(stub.requests) == 1


def test_too_few_authors_means_no_request_and_no_themes(stub, settings, engine):
    settings = model_settings(settings, stub)
    world = make_world(settings, engine, start=NOW)
    seed = Seed(engine)
    seed.circle("Six", ["P One", "P Two", "P Three", "P Four", "P Five", "P Six"])
    run = seed.run("Six", at("2026-12-03 14:00"))
    for name in ("P Two", "P Three"):
        seed.answer(run, name, "A shared thought about feedback")
    for name in ("P Four", "P Five", "P Six"):
        seed.answer(run, name, f"{PRIVATE_MARKER} private", "private")
    assert plan_workspace(engine, world.app.services, seed.workspace, NOW) == 1
    assert stub.requests == []
    with Session(engine) as s:
        payload = s.exec(select(Delivery).where(Delivery.kind == "summary")).one().payload
    assert payload["themes"] == {"method": "none"} and payload["totals"]["private"] == 3


def plan_strangers(settings, engine):
    world = make_world(settings, engine, start=NOW)
    seed = strangers(engine)
    assert plan_workspace(engine, world.app.services, seed.workspace, NOW) == 1
    with Session(engine) as s:
        return s.exec(select(Delivery).where(Delivery.kind == "summary")).one().payload


def test_names_nobody_told_us_about_and_identity_numbers_never_reach_the_model(stub, settings, engine):
    stub.content = json.dumps({"en": [{"title": "Backlog workshops", "summary": (
        "Karl-Johan Lindqvist and Virtaselta's team (131052-308T) keep the backlog workshop going.")}]})
    payload = plan_strangers(model_settings(settings, stub), engine)
    sent = stub.sent_text()
    for gone in NEVER_SEEN:
        assert gone not in sent, gone
    answers = stub.requests[0]["messages"][1]["content"]
    assert answers.count("[id]") == 6 and answers.count("[name]") == 13
    assert "backlog workshop" in answers and "hjälpte mig" in answers and "neuvoa" in answers  # the rest goes
    themes = payload["themes"]
    assert themes["method"] == "llm"  # themes still arrive, and the model's answer is scrubbed the same way
    assert themes["by_language"]["en"] == [{"title": "Backlog workshops", "summary": (
        "[name]-[name] [name] and [name] team ([id]) keep the backlog workshop going.")}]


def test_a_model_answer_that_quotes_an_answer_is_dropped(stub, settings, engine):
    quoted = "showed me how she runs a backlog workshop"  # eight words in a row of one (scrubbed) answer
    stub.content = json.dumps({"en": [{"title": "Backlog workshops", "summary": f"Someone {quoted}."}]})
    payload = plan_strangers(model_settings(settings, stub), engine)
    assert len(stub.requests) == 1 and quoted in stub.requests[0]["messages"][1]["content"]
    assert payload["themes"] == {"method": "failed"} and payload["totals"]["answers"] == 6
    assert "did not answer, so this week's summary has no themes" in render(payload, "en").plain_text


def test_seven_words_of_an_answer_are_no_quote(stub, settings, engine):
    stub.content = json.dumps({"en": [{"title": "Backlog workshops", "summary": (
        "People showed me how she runs a backlog, and more.")}]})  # seven words in a row, then it departs
    payload = plan_strangers(model_settings(settings, stub), engine)
    assert payload["themes"]["method"] == "llm"


def test_llm_themes_wait_for_their_own_number_of_authors(stub, settings, engine):
    payload = plan_strangers(model_settings(settings, stub, llm_min_authors=7), engine)  # six wrote
    assert stub.requests == [] and payload["themes"] == {"method": "none"}
    assert len(STRANGER_ANSWERS) == 6


def test_model_calls_are_counted_by_outcome(stub, settings):
    from prometheus_client import REGISTRY

    def calls(outcome: str) -> float:
        return REGISTRY.get_sample_value("kipina_model_calls_total", {"outcome": outcome}) or 0.0

    before = {outcome: calls(outcome) for outcome in ("ok", "error", "unusable")}
    configured = model_settings(settings, stub)
    stub.content = json.dumps({"en": [{"title": "Trust", "summary": "People trust."}]})
    assert llm.themes(configured, ["a"], [], ["en"], 5, max_retries=0) is not None
    stub.content = "no JSON here"
    assert llm.themes(configured, ["a"], [], ["en"], 5, max_retries=0) is None
    stub.status = 500
    assert llm.themes(configured, ["a"], [], ["en"], 5, max_retries=0) is None
    assert {outcome: calls(outcome) - before[outcome] for outcome in before} == {"ok": 1, "error": 1, "unusable": 1}
