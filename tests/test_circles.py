"""Circle use cases and their permissions: only the mentor changes a circle; anyone may leave."""
from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, func, select

from bot.ports import ActionRequest
from harness import make_world
from storage.models import Circle, Membership, Person, Schedule

C1, C2 = "C1", "C2"


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine)
    w.command("Mia", "new Learners <@ann|Ann> <@bob|Bob>", channel=C1)
    return w


def said(response) -> str:
    return "\n".join(m.plain_text for m in response.to_caller)


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize("text", ["add <@cy|Cy>", "remove <@bob|Bob>", "schedule reflection thu 14:00",
                                  "schedule off", "prompt now", "coffee now", "prompt add Why?", "archive"])
def test_only_the_mentor_changes_a_circle(world, engine, text):
    before = (count(engine, Membership), count(engine, Schedule))
    assert "Only the mentor of Learners" in said(world.command("Ann", text, channel=C1))
    assert (count(engine, Membership), count(engine, Schedule)) == before


def test_members_may_leave_but_the_mentor_may_not(world, engine):
    assert "You left Learners" in said(world.command("Ann", "leave", channel=C1))
    assert "archive it" in said(world.command("Mia", "leave", channel=C1))
    assert "You aren't in Learners" in said(world.command("Ann", "leave", channel=C1))


def test_unknown_bare_name_refuses_and_stores_nothing(world, engine):
    circles, people = count(engine, Circle), count(engine, Person)
    answer = said(world.command("Mia", "new Second <@cy|Cy> @nobody", channel=C2))
    assert "I don't recognise @nobody" in answer
    assert (count(engine, Circle), count(engine, Person)) == (circles, people)


def test_bare_name_of_a_known_person_works(world, engine):
    world.command("Mia", "new Second @ann", channel=C2)
    with Session(engine) as s:
        second = s.exec(select(Circle).where(Circle.name == "Second")).one()
        assert len(s.exec(select(Membership).where(Membership.circle_id == second.id)).all()) == 2


def test_one_circle_per_channel(world):
    assert "already has the circle Learners" in said(world.command("Ann", "new Other", channel=C1))


def test_commands_in_a_dm_find_the_only_circle_or_ask(world):
    assert "Mentor: Mia" in said(world.command("Ann", "info"))
    world.command("Ann", "new Ann's circle", channel=C2)
    assert "several circles" in said(world.command("Ann", "info"))


def test_info_names_members_only_to_members(world):
    assert "Ann, Bob, and Mia" in said(world.command("Ann", "info", channel=C1))
    outsider = said(world.command("Zed", "info", channel=C1))
    assert "Members: 3" in outsider and "Ann, Bob" not in outsider


def test_add_and_remove(world, engine):
    assert "Added to Learners: Cy" in said(world.command("Mia", "add <@cy|Cy> <@ann|Ann>", channel=C1))
    assert "already in" in said(world.command("Mia", "add <@cy|Cy>", channel=C1))
    assert "Removed from Learners: Bob" in said(world.command("Mia", "remove <@bob|Bob>", channel=C1))
    assert "can't be removed" in said(world.command("Mia", "remove <@mia|Mia>", channel=C1))
    assert count(engine, Membership) == 3  # Mia, Ann, Cy


def test_list_shows_roles(world):
    assert "Learners (mentor)" in said(world.command("Mia", "list"))
    assert "Learners" in said(world.command("Ann", "list"))


def test_schedule_is_shown_in_info_and_can_be_turned_off(world, engine):
    world.command("Mia", "schedule coffee mon,wed 09:30", channel=C1)
    assert "Coffee-room questions: Mon, Wed at 9:30" in said(world.command("Ann", "info", channel=C1))
    world.command("Mia", "schedule off coffee", channel=C1)
    assert count(engine, Schedule) == 0


def test_language_choice_sticks(world):
    assert "svenska" in said(world.command("Ann", "language sv")).lower()
    assert "Dina cirklar" in said(world.command("Ann", "list"))


def test_help_lists_the_commands_of_each_role_in_their_language(world):
    member = said(world.command("Ann", "help"))
    for word in ("new", "pause", "journal", "mydata", "forget-me", "leave"):
        assert f"/circle {word}" in member
    for word in ("add", "schedule", "prompt", "archive", "report", "audit"):
        assert f"/circle {word}" not in member  # not Ann's to use
    world.command("Mia", "new Learners <@ann|Ann>", channel="C1")
    mentor = said(world.command("Mia", "help"))
    for word in ("add", "schedule", "prompt", "coffee", "archive", "report"):
        assert f"/circle {word}" in mentor
    assert "/circle audit" not in mentor
    assert "/circle audit" in said(world.command("Otto", "help"))  # an admin
    world.locales["aino"] = "fi-FI"
    finnish = said(world.command("Aino", "help"))
    assert "/circle uusi <nimi>" in finnish and "/circle tauko" in finnish and "/circle new" not in finnish


def test_report_is_refused_to_non_hr(world):
    assert "only for HR" in said(world.command("Ann", "report"))


def test_home_view_shows_circles_next_prompt_and_pause_state(world):
    world.command("Mia", "schedule reflection thu 14:00", channel=C1)
    home = world.app.core.home(world.actor("Ann"), world.now)
    assert "Learners" in home.plain_text and "Next reflection prompt: Thu 3 Dec 14:00" in home.plain_text
    assert home.buttons[0].action == "home.pause"
    world.app.core.action(ActionRequest(world.actor("Ann"), "home.pause", ""), world.now)
    home = world.app.core.home(world.actor("Ann"), world.now)
    assert home.buttons[0].action == "home.resume" and "Paused until" in home.plain_text


def test_mentioned_people_are_stored_with_the_command_or_not_at_all(world, engine):
    from bot.ports import Actor, CommandRequest, Place

    cy = Actor("test", "T1", "cy", "Cy", address={"conversation": "a:cy"})
    refused = world.app.core.command(CommandRequest(world.actor("Mia"), "new Other <@cy|Cy> @nobody",
                                                    Place("C9", False), people=(cy,)), world.now)
    assert refused.refused
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "cy")).first() is None
    world.app.core.command(CommandRequest(world.actor("Mia"), "new Other <@cy|Cy>", Place("C9", False),
                                          people=(cy,)), world.now)
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "cy")).one().address == {"conversation": "a:cy"}


def test_a_partial_address_is_merged_not_replaced(world, engine):
    from bot.ports import Actor, CommandRequest

    first = Actor("test", "T1", "ann", "Ann", address={"service": "s1", "dm": "a:ann"})
    world.app.core.command(CommandRequest(first, "list"), world.now)
    world.app.core.command(CommandRequest(replace(first, address={"service": "s2"}), "list"), world.now)
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "ann")).one().address == \
            {"service": "s2", "dm": "a:ann"}


def test_a_handle_given_as_fallback_never_overwrites_a_known_name(world, engine):
    from bot.ports import Actor, CommandRequest

    world.app.core.command(CommandRequest(Actor("test", "T1", "ann", "ann.k", name_is_fallback=True), "list"),
                           world.now)
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "ann")).one().name == "Ann"


def test_help_and_usage_are_spelled_for_the_platform(world):
    from bot.ports import Actor, CommandRequest

    teams = Actor("teams", "tenant", "29:x", "Tea")
    text = said(world.app.core.command(CommandRequest(teams, "help"), world.now))
    assert "\nnew <name>" in text and "/circle" not in text
    usage = said(world.app.core.command(CommandRequest(teams, "pause forever"), world.now))
    assert "Usage: pause [2w|3d]" in usage and "/circle" not in usage
    assert "/circle pause" in said(world.command("Ann", "pause forever"))


def test_with_a_prompt_open_a_short_answer_starting_with_a_command_word_is_an_answer(settings, engine):
    from sqlmodel import Session, select

    from harness import make_world
    from storage.models import Circle, Reply

    world = make_world(settings, engine)
    world.locales["aino"] = "fi-FI"
    world.command("Mia", "new Learners <@aino|Aino>", channel="C1")
    world.command("Mia", "prompt now", channel="C1")
    assert world.prompts("Aino")
    answered = said(world.dm("Aino", "Uusi näkökulma asiakkaisiin"))
    assert "/circle uusi …" in answered  # saved as the answer, with how to give the command instead
    paused = said(world.dm("Aino", "tauko 2 vk"))  # a harmless command still works from a plain line
    assert "Tauko" in paused or "tauko" in paused
    with Session(engine) as s:
        assert [c.name for c in s.exec(select(Circle))] == ["Learners"]
        assert [r.text for r in s.exec(select(Reply))] == ["Uusi näkökulma asiakkaisiin"]


def test_a_member_asking_for_a_mentors_command_in_a_dm_is_told_whose_it_is(settings, engine):
    from harness import make_world

    world = make_world(settings, engine)
    world.command("Mia", "new Learners <@ann|Ann>", channel="C1")
    said_to_ann = said(world.command("Ann", "prompt now"))  # in a direct message, not the circle's channel
    assert "You are a member of Learners, not its mentor" in said_to_ann
    world.locales["ann"] = "fi-FI"
    assert "Olet jäsen piirissä Learners" in said(world.command("Ann", "kysymys nyt"))
