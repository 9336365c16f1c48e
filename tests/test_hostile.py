"""Hostile and broken input at the core: every request gets an answer, nothing half-done is stored."""
from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from sqlmodel import Session, func, select

from bot.domain.commands import Command, UsageError, parse
from bot.ports import ActionRequest, Actor, CommandRequest, FormRequest, MessageRequest, Place
from bot.common.text import printable
from harness import at, make_world
from storage.models import Circle, Membership, Person, Reply, Schedule

WORDS = ["new", "add", "remove", "schedule", "reflection", "coffee", "off", "prompt", "now", "pause", "language",
         "leave", "archive", "mydata", "forget-me", "<@U1|x>", "<@", "@", "<!channel>", "<!here>", "*bold*",
         "'; DROP TABLE person; --", "\u0000", "\u202e", "🙂", "25:99", "thu", "ma-pe", "fi", "2w", "9999d"]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.text(alphabet=string.printable, max_size=200),
    st.just("x" * 10_000),
)
FAST = hsettings(max_examples=60, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@given(hostile_text)
@hsettings(max_examples=400, deadline=None)
def test_grammar_answers_a_command_or_a_usage_error(text):
    try:
        assert isinstance(parse(text), Command)
    except UsageError as error:
        assert error.reason.startswith("usage.")


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine)
    w.command("Mia", "new Learners <@ann|Ann>", channel="C1")
    w.tick(at("2026-11-30 09:00"))
    return w


def counts(engine):
    with Session(engine) as s:
        return tuple(s.exec(select(func.count()).select_from(m)).one() for m in (Circle, Membership, Schedule, Reply))


def said(response) -> str:
    return "\n".join(m.plain_text for m in response.to_caller + response.to_channel)


@FAST
@given(text=hostile_text, channel=st.sampled_from([None, "C1", "C2"]))
def test_any_command_text_gets_an_answer_and_failures_store_nothing(world, engine, text, channel):
    before = counts(engine)
    place = Place(channel_id=channel, is_direct=channel is None)
    response = world.app.core.command(CommandRequest(world.actor("Ann"), text, place), world.now)
    assert response.to_caller, text
    answer = said(response)
    assert "Traceback" not in answer and "Something went wrong" not in answer
    try:
        parse(text)
    except UsageError:
        assert counts(engine) == before


@FAST
@given(action=st.one_of(st.text(max_size=40), st.sampled_from(["prompt.answer", "prompt.skip", "prompt.another",
                                                               "prompt.snooze", "reply.private", "forget.confirm"])),
       value=st.one_of(st.text(max_size=40), st.integers(-5, 10 ** 12).map(str)))
def test_forged_button_presses_are_refused_politely(world, engine, action, value):
    before = counts(engine)
    response = world.app.core.action(ActionRequest(world.actor("Zed"), action, value), world.now)
    text = said(response) + (response.replace_source.plain_text if response.replace_source else "")
    assert text and "Something went wrong" not in text
    assert counts(engine)[:3] == before[:3]


@FAST
@given(answer=hostile_text, visibility=st.one_of(st.text(max_size=12), st.sampled_from(["circle", "private"])))
def test_form_submissions_with_any_content(world, engine, answer, visibility):
    prompt = world.prompts("ann")
    if not prompt:
        world.command("Mia", "prompt now", channel="C1")
        prompt = world.prompts("ann")
    form = prompt[-1].message.form
    response = world.app.core.form(FormRequest(world.actor("Ann"), form.action, form.value,
                                               {"answer": answer, "visibility": visibility}, "s"), world.now)
    text = said(response)
    assert text and "Something went wrong" not in text
    with Session(engine) as s:
        for reply in s.exec(select(Reply)):
            assert 0 < len(reply.text) <= 3000 and reply.visibility in ("circle", "private")
            assert "\u0000" not in reply.text


@FAST
@given(text=hostile_text)
def test_any_direct_message(world, text):
    response = world.app.core.message(MessageRequest(world.actor("Ann"), text, f"m-{hash(text)}"), world.now)
    assert response is not None and response.to_caller and "Something went wrong" not in said(response)


@FAST
@given(name=st.text(max_size=10_000), tz=st.text(max_size=40), locale=st.text(max_size=20),
       user=st.text(min_size=1, max_size=300))
def test_strange_people_are_stored_safely(world, engine, name, tz, locale, user):
    actor = Actor("test", "T1", user, name, locale=locale, timezone=tz)
    response = world.app.core.command(CommandRequest(actor, "list"), world.now)
    assert response.to_caller and "Something went wrong" not in said(response)
    stored_id = printable(user, 255)
    with Session(engine) as s:
        person = s.exec(select(Person).where(Person.platform_user_id == stored_id)).first()
    if not stored_id:
        assert person is None and "couldn't tell who" in said(response)
        return
    assert person is not None and len(person.name) <= 255 and "\x00" not in person.name
