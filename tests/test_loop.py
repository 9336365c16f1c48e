"""The whole peer-learning loop on the real core and storage, through a recording platform."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from harness import at, make_world
from storage.models import Delivery, Participation, Reply

C1 = "C-learners"


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine)
    w.locales["aino"] = "fi-FI"
    w.command("Aino", "list")  # the platform tells her locale on first contact
    w.command("Mia", "new Learners <@mia|Mia> <@ann|Ann> <@aino|Aino>", channel=C1)
    w.command("Mia", "schedule reflection thu 14:00", channel=C1)
    return w


def texts(posted) -> str:
    return "\n".join(p.message.plain_text for p in posted)


def test_new_circle_is_announced_and_members_welcomed(world):
    announce = world.responses[1].to_channel[0].plain_text
    assert "Mia started the learning circle Learners" in announce and "Ann" in announce
    assert len(world.inbox("ann")) == 1 and "Welcome to Learners" in texts(world.inbox("ann"))
    assert "Tervetuloa" in texts(world.inbox("aino"))  # Aino's Finnish locale
    assert world.inbox("mia") == []  # the mentor is not welcomed to their own circle


def test_tick_sends_one_prompt_each_and_twice_sends_nothing_more(world):
    report = world.tick(at("2026-12-03 14:00"))
    assert report["runs"] == 1
    assert [len(world.prompts(n)) for n in ("mia", "ann", "aino")] == [1, 1, 1]
    assert world.tick(at("2026-12-03 14:00"))["runs"] == 0
    assert [len(world.prompts(n)) for n in ("mia", "ann", "aino")] == [1, 1, 1]
    labels = [b.label for b in world.prompts("ann")[0].message.buttons]
    assert labels == ["Answer", "Skip", "Another question", "Snooze"]
    assert [b.label for b in world.prompts("aino")[0].message.buttons][0] == "Vastaa"


def test_share_private_skip_then_recap_shows_only_shared(world, engine):
    world.tick(at("2026-12-03 14:00"))
    ann_prompt = world.prompts("ann")[0].message
    form = world.press("Ann", ann_prompt, "Answer").open_form
    assert form is not None and form.fields[0].max_length == 3000
    done = world.submit("Ann", ann_prompt, "I asked for help earlier than usual.", "circle")
    assert "shared with your circle" in done.replace_source.plain_text
    world.submit("Aino", world.prompts("aino")[0].message, "PRIVATE-MARKER vaikea viikko", "private")
    skipped = world.press("Mia", world.prompts("mia")[0].message, "Skip")
    assert "Skipped" in skipped.replace_source.plain_text

    world.tick(at("2026-12-07 14:00"))
    recap = world.channel(C1)
    assert len(recap) == 1
    assert "I asked for help earlier than usual." in recap[0].message.plain_text
    assert "PRIVATE-MARKER" not in texts(world.platform.posted)
    assert recap[0].message.follow_up is not None  # the discussion starter goes in the thread

    assert "I asked for help" in world.command("Ann", "journal").to_caller[0].plain_text
    aino_journal = world.command("Aino", "journal").to_caller[0].plain_text
    assert "PRIVATE-MARKER" in aino_journal and "Oppimispäiväkirjasi" in aino_journal
    assert "PRIVATE-MARKER" not in world.command("Mia", "journal").to_caller[0].plain_text
    with Session(engine) as s:
        assert {r.visibility for r in s.exec(select(Reply))} == {"circle", "private"}


def test_no_recap_when_nothing_was_shared(world):
    world.tick(at("2026-12-03 14:00"))
    world.submit("Ann", world.prompts("ann")[0].message, "only mine", "private")
    assert world.tick(at("2026-12-07 14:00"))["recaps"] == 0
    assert world.channel(C1) == []


def test_reminder_once_near_the_end_only_to_those_who_have_not_answered(world):
    world.tick(at("2026-12-03 14:00"))
    world.submit("Ann", world.prompts("ann")[0].message, "done", "circle")
    world.press("Mia", world.prompts("mia")[0].message, "Skip")
    assert world.tick(at("2026-12-07 09:00"))["reminders"] == 0  # before 80 % of the window
    assert world.tick(at("2026-12-07 10:30"))["reminders"] == 1
    world.tick(at("2026-12-07 10:45"))
    reminders = [p for p in world.inbox("aino") if "muistutus" in p.message.plain_text.lower()]
    assert len(reminders) == 1
    assert [p for p in world.inbox("ann") if "reminder" in p.message.plain_text.lower()] == []


def test_saturday_prompt_moves_to_the_next_working_day(world):
    world.command("Mia", "schedule reflection sat 10:00", channel=C1)
    world.tick(at("2026-12-05 10:00"))
    assert world.prompts("ann") == []
    world.tick(at("2026-12-07 09:59"))
    assert world.prompts("ann") == []
    world.tick(at("2026-12-07 10:00"))
    assert len(world.prompts("ann")) == 1


def test_finnish_public_holiday_moves_the_prompt(world):
    world.tick(at("2026-12-24 14:00"))  # Christmas Eve, then Christmas Day and a weekend
    assert world.prompts("ann") == []
    world.tick(at("2026-12-28 13:59"))
    assert world.prompts("ann") == []
    world.tick(at("2026-12-28 14:00"))
    assert len(world.prompts("ann")) == 1


def test_person_time_zone_decides_the_slot(world):
    world.zones["ann"] = "America/New_York"
    world.command("Ann", "list")  # Ann's time zone is learnt from her next request
    world.tick(at("2026-12-03 14:00"))  # 07:00 in New York: before her working hours
    assert world.prompts("ann") == [] and len(world.prompts("mia")) == 1
    world.tick(at("2026-12-03 15:00"))  # 08:00 in New York
    assert len(world.prompts("ann")) == 1


def test_prompt_now_outside_hours_says_when(world):
    world.set_time(at("2026-12-05 11:00"))  # Saturday
    said = world.command("Mia", "prompt now", channel=C1).to_caller[0].plain_text
    assert "next working time" in said and "Mon 7 Dec 11:00" in said
    assert "3 members" in said and said.count("Mon 7 Dec") == 1  # all at the same time: said once, no range
    assert world.prompts("ann") == []


def test_plain_dm_is_the_answer_with_the_circle_default_and_keep_private(world, engine):
    world.tick(at("2026-12-03 14:00"))
    response = world.dm("Ann", "Learnt to slow down before deciding.", source="ev-1")
    thanks = response.to_caller[0]
    assert "shared" in thanks.plain_text and thanks.buttons[0].label == "Keep private"
    world.dm("Ann", "Learnt to slow down before deciding.", source="ev-1")  # redelivered event
    with Session(engine) as s:
        assert len(s.exec(select(Reply)).all()) == 1
    world.press("Ann", thanks, "Keep private")
    with Session(engine) as s:
        assert s.exec(select(Reply)).one().visibility == "private"


def test_dm_in_the_thread_of_a_prompt_answers_that_prompt(world, engine):
    world.tick(at("2026-12-03 14:00"))
    first = world.prompts("ann")[0]
    world.command("Mia", "prompt now", channel=C1)
    world.dm("Ann", "About the first one", thread_of=first.message_id)
    with Session(engine) as s:
        reply = s.exec(select(Reply)).one()
        delivery = s.exec(select(Delivery).where(Delivery.platform_message_id == first.message_id)).one()
        assert reply.run_id == delivery.run_id


def test_dm_without_open_prompt_is_not_stored(world, engine):
    greeting = world.dm("Ann", "hello there, anyone?").to_caller[0]
    assert "Nothing is waiting for your answer right now" in greeting.plain_text
    assert [b.label for b in greeting.buttons] == ["Commands", "My journal"]
    assert "Kipinä" in world.press("Ann", greeting, "Commands").to_caller[0].plain_text  # the help
    with Session(engine) as s:
        assert s.exec(select(Reply)).all() == []


def test_short_command_in_dm_runs_as_a_command(world):
    assert "Your circles" in world.dm("Ann", "list").to_caller[0].plain_text


def test_another_question_swaps_the_prompt_and_runs_out(world):
    world.tick(at("2026-12-03 14:00"))
    message = world.prompts("ann")[0].message
    seen = {message.blocks[1].text}
    for _ in range(3):
        message = world.press("Ann", message, "Another question").replace_source
        seen.add(message.blocks[1].text)
    assert len(seen) == 4
    assert "last alternative" in world.press("Ann", message, "Another question").to_caller[0].plain_text


def test_snooze_asks_again_later(world):
    world.tick(at("2026-12-03 14:00"))
    said = world.press("Ann", world.prompts("ann")[0].message, "Snooze").replace_source.plain_text
    assert "ask again on Thu 3 Dec 16:00" in said
    world.tick(at("2026-12-03 15:59"))
    assert len(world.prompts("ann")) == 1
    world.tick(at("2026-12-03 16:01"))
    assert len(world.prompts("ann")) == 2


def test_pause_stops_prompts_until_resume(world):
    assert "Paused until" in world.command("Ann", "pause 2w").to_caller[0].plain_text
    world.tick(at("2026-12-03 14:00"))
    assert world.prompts("ann") == [] and len(world.prompts("mia")) == 1
    world.command("Ann", "resume")
    world.tick(at("2026-12-10 14:00"))
    assert len(world.prompts("ann")) == 1


def test_coffee_starter_in_channel_and_thread_replies_count(world, engine):
    from bot.ports import MessageRequest, Place

    world.command("Mia", "coffee now", channel=C1)
    post = world.channel(C1)[-1]
    assert "Coffee-room question" in post.message.plain_text
    request = MessageRequest(world.actor("Ann"), "Mine is a podcast", "ev-9", Place(C1, False), thread_of=post.message_id)
    world.app.core.message(request, world.now)
    world.app.core.message(request, world.now)  # redelivered
    with Session(engine) as s:
        rows = s.exec(select(Participation)).all()
    assert len(rows) == 1 and rows[0].text is None  # counted, text not kept unless the circle opts in


def test_custom_prompt_goes_first(world):
    world.command("Mia", "prompt add What surprised you in the new case system?", channel=C1)
    world.tick(at("2026-12-03 14:00"))
    assert world.prompts("ann")[0].message.blocks[1].text == "What surprised you in the new case system?"


def test_archive_stops_the_rhythm(world):
    world.command("Mia", "archive", channel=C1)
    assert world.tick(at("2026-12-03 14:00"))["runs"] == 0
    assert world.prompts("ann") == []


def test_members_who_left_get_nothing_and_vanish_from_recap(world):
    world.tick(at("2026-12-03 14:00"))
    world.submit("Ann", world.prompts("ann")[0].message, "shared then left", "circle")
    world.command("Ann", "leave", channel=C1)
    world.submit("Aino", world.prompts("aino")[0].message, "jaettu", "circle")
    world.tick(at("2026-12-07 14:00"))
    recap = world.channel(C1)[0].message.plain_text
    assert "jaettu" in recap and "shared then left" not in recap
