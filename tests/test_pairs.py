"""Learning coffees on the real core and storage, through the recording platform: rounds, the
rhythm through the tick, introductions and check-ins through the outbox, history, opting out."""
from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.ports import ActionRequest
from harness import at, make_world
from storage.models import Delivery, PairGroup, PairMember, PairRound, PairSchedule, Person

C1 = "C-coffee"
NAMES = ["Mia", "Ann", "Bob", "Cai", "Dan", "Eva", "Fay", "Gus", "Hal", "Ida"]  # Mia is the mentor


@pytest.fixture
def world(settings, engine):
    w = make_world(settings, engine)  # Monday 30 November 2026, 9.00 in Helsinki
    mentions = " ".join(f"<@{n.lower()}|{n}>" for n in NAMES[1:])
    w.command("Mia", f"new Coffee {mentions}", channel=C1)
    return w


def said(response) -> str:
    return "\n".join(m.plain_text for m in response.to_caller)


def rounds(engine) -> list[list[tuple[int, ...]]]:
    """Each round's groups as tuples of person ids, in the order the rounds were made."""
    with Session(engine) as s:
        out = []
        for r in s.exec(select(PairRound).order_by(PairRound.id)):
            groups: dict[int, list[int]] = {}
            for m in s.exec(select(PairMember).where(PairMember.round_id == r.id)):
                groups.setdefault(m.group_id, []).append(m.person_id)
            out.append([tuple(sorted(g)) for g in groups.values()])
        return out


def ids(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {p.name: p.id for p in s.exec(select(Person))}


def intros(world, name: str) -> list:
    return [p for p in world.inbox(name) if p.message.summary.startswith("Learning coffee")]


def check_ins(world, name: str) -> list:
    return [p for p in world.inbox(name) if any(b.action == "pairs.met" for b in p.message.buttons)]


def test_eight_rounds_in_a_circle_of_ten_put_everyone_in_one_group_and_never_repeat(world, engine):
    for n in range(8):
        world.set_time(at("2026-11-30 09:00") + timedelta(minutes=n))
        assert "5 learning-coffee groups made in Coffee" in said(world.command("Mia", "pairs now", channel=C1))
    everyone = set(ids(engine).values())
    seen = set()
    made = rounds(engine)
    assert len(made) == 8
    for groups in made:
        assert sorted(len(g) for g in groups) == [2] * 5
        assert sorted(p for g in groups for p in g) == sorted(everyone)  # each person exactly once
        for a, b in groups:
            assert (a, b) not in seen, "a pair met again"
            seen.add((a, b))
    # everyone got one introduction per round, naming their partner, with a conversation starter
    for name in NAMES:
        got = intros(world, name)
        assert len(got) == 8, name
        mention = [b for b in got[0].message.blocks if b.kind == "mention"]
        assert len(mention) == 1 and mention[0].text in NAMES and mention[0].text != name
        assert any(b.kind == "quote" and b.text for b in got[0].message.blocks)


def test_a_paused_member_is_left_out_and_nine_make_three_pairs_and_a_triple(world, engine):
    world.command("Ida", "pause 1w")
    assert "4 learning-coffee groups" in said(world.command("Mia", "pairs now", channel=C1))
    groups = rounds(engine)[0]
    assert sorted(len(g) for g in groups) == [2, 2, 2, 3]
    assert ids(engine)["Ida"] not in {p for g in groups for p in g}
    assert intros(world, "Ida") == []
    triple = next(g for g in groups if len(g) == 3)
    name = next(n for n, i in ids(engine).items() if i == triple[0])
    partners = [b.text for b in intros(world, name)[0].message.blocks if b.kind == "mention"]
    assert len(partners) == 2  # a triple names both others


def test_check_in_comes_a_few_working_days_later_and_each_answers_for_themselves(world, engine):
    world.command("Mia", "pairs now", channel=C1)
    with Session(engine) as s:
        made = s.exec(select(PairRound)).one()
        # three working days after Monday 9.00 (the test clock ran on for a moment)
        assert timedelta(0) <= made.check_in_at - at("2026-12-03 09:00") < timedelta(minutes=1)
    assert world.tick(at("2026-12-02 09:00"))["pair_checkins"] == 0
    assert world.tick(at("2026-12-03 09:01"))["pair_checkins"] == 10
    assert world.tick(at("2026-12-03 09:05"))["pair_checkins"] == 0  # planned once
    asked = check_ins(world, "ann")
    assert len(asked) == 1 and [b.label for b in asked[0].message.buttons] == ["We met", "Not this time"]
    partner = asked[0].message.blocks[1].text.split("Your partner was ")[1].rstrip(".")

    answered = world.press("Ann", asked[0].message, "We met")
    assert "noted that you met" in answered.replace_source.plain_text and not answered.replace_source.buttons
    world.press(partner, check_ins(world, partner)[0].message, "Not this time")
    # someone outside the group pressing its button changes nothing
    stranger = next(n for n in NAMES if n not in ("Ann", partner))
    other = world.app.core.action(ActionRequest(world.actor(stranger), "pairs.met", asked[0].message.buttons[0].value),
                                  world.now)
    assert other.refused and "isn't yours" in said(other)
    with Session(engine) as s:
        answers = {s.get(Person, m.person_id).name: m.met for m in s.exec(select(PairMember))
                   if m.met is not None}
    assert answers == {"Ann": True, partner: False}


def test_pairs_history_lists_only_ones_own_partners(world, engine):
    for n in range(3):
        world.set_time(at("2026-11-30 10:00") + timedelta(minutes=n))
        world.command("Mia", "pairs now", channel=C1)
    shown = said(world.command("Ann", "pairs history"))
    person = ids(engine)
    mine = [g for groups in rounds(engine) for g in groups if person["Ann"] in g]
    partners = {n for n, i in person.items() for g in mine if i in g and n != "Ann"}
    assert len(partners) == 3 and all(p in shown for p in partners)
    assert "Only you can see this list" in shown
    strangers = set(NAMES) - partners - {"Ann"}
    assert not any(f"· {s}" in shown or f", {s}" in shown for s in strangers)
    assert "haven't been in a learning coffee" in said(world.command("Zed", "pairs history"))


def test_pairs_on_makes_rounds_through_the_tick_once_each_and_off_stops_them(world, engine):
    on = said(world.command("Mia", "pairs on every 1w tue 10:00", channel=C1))
    assert "a new round every week, Tue at 10:00" in on and "Tue 1 Dec 10:00" in on
    assert "Type /circle pairs skip" in world.responses[-1].to_channel[0].plain_text
    assert world.tick(at("2026-12-01 09:59"))["pair_rounds"] == 0
    assert world.tick(at("2026-12-01 10:00"))["pair_rounds"] == 1
    assert world.tick(at("2026-12-01 10:01"))["pair_rounds"] == 0
    assert len(intros(world, "ann")) == 1
    assert world.tick(at("2026-12-08 10:00"))["pair_rounds"] == 1
    with Session(engine) as s:
        assert s.exec(select(PairSchedule)).one().next_run_at == at("2026-12-15 10:00")
    assert "are off in Coffee" in said(world.command("Mia", "pairs off", channel=C1))
    assert world.tick(at("2026-12-15 10:00"))["pair_rounds"] == 0
    assert "weren't on" in said(world.command("Mia", "pairs off", channel=C1))


def test_default_rhythm_is_every_two_weeks_on_monday_at_ten(world, engine):
    on = said(world.command("Mia", "pairs on", channel=C1))
    assert "every other week, Mon at 10:00" in on and "Mon 30 Nov 10:00" in on
    assert world.tick(at("2026-11-30 10:00"))["pair_rounds"] == 1
    assert world.tick(at("2026-12-07 10:00"))["pair_rounds"] == 0
    assert world.tick(at("2026-12-14 10:00"))["pair_rounds"] == 1
    with Session(engine) as s:  # check-in after three working days: at most half of two weeks
        first = s.exec(select(PairRound).order_by(PairRound.id)).first()
        assert first.check_in_at == at("2026-12-03 10:00")


def test_a_round_planned_twice_is_made_once(world, engine):
    from bot.domain.pairs import rounds as planner
    from storage.db import unit_of_work
    from storage.models import Circle

    when = at("2026-12-01 10:00")
    for _ in range(2):
        with unit_of_work(engine) as s:
            circle = s.exec(select(Circle)).one()
            planner.start_round(s, world.app.core.services, circle, when)
    world.drain()
    with Session(engine) as s:
        assert len(s.exec(select(PairRound)).all()) == 1 and len(s.exec(select(PairGroup)).all()) == 5
        keys = [d.key for d in s.exec(select(Delivery).where(Delivery.kind == "pair-intro"))]
    assert len(keys) == len(set(keys)) == 10


def test_skip_and_join_are_for_oneself(world, engine):
    assert "won't be paired in Coffee until you type /circle pairs join" in said(world.command("Ann", "pairs skip"))
    world.command("Mia", "pairs now", channel=C1)
    assert ids(engine)["Ann"] not in {p for g in rounds(engine)[0] for p in g}
    assert "again" in said(world.command("Ann", "parit mukaan", channel=C1))
    world.set_time(at("2026-11-30 09:30"))
    world.command("Mia", "pairs now", channel=C1)
    assert ids(engine)["Ann"] in {p for g in rounds(engine)[1] for p in g}
    assert "You aren't in Coffee" in said(world.command("Zed", "pairs skip", channel=C1))


def test_only_the_mentor_turns_pairs_on_or_off_or_makes_a_round(world):
    for command in ("pairs on", "pairs off", "pairs now"):
        response = world.command("Ann", command, channel=C1)
        assert response.refused and "Only the mentor" in said(response), command


def test_people_whose_working_hours_do_not_overlap_are_not_paired(settings, engine):
    world = make_world(settings, engine)
    world.zones.update({"tia": "Pacific/Honolulu", "uma": "Pacific/Honolulu"})
    world.command("Mia", "new Far <@ann|Ann> <@tia|Tia> <@uma|Uma>", channel="C-far")
    for name in ("Tia", "Uma"):
        world.command(name, "list")  # the platform tells their time zone on first contact
    world.command("Mia", "pairs now", channel="C-far")
    person = ids(engine)
    honolulu = {person["Tia"], person["Uma"]}
    for group in rounds(engine)[0]:
        assert set(group) <= honolulu or not set(group) & honolulu
    # Honolulu's introductions wait for Honolulu's working hours
    with Session(engine) as s:
        due = {s.get(Person, d.person_id).name: d.due_at for d in s.exec(select(Delivery).where(
            Delivery.kind == "pair-intro"))}
    assert due["Tia"] > due["Ann"]


def test_mydata_has_ones_history_and_forget_me_erases_it(world, engine):
    world.command("Mia", "pairs now", channel=C1)
    world.command("Ann", "pairs skip", channel=C1)
    exported = json.loads(world.command("Ann", "mydata").to_caller[0].attachment.content)
    assert len(exported["learning_coffees"]) == 1 and exported["learning_coffees_skipped_in"] == ["Coffee"]
    partner = exported["learning_coffees"][0]["with"][0]
    assert partner in NAMES
    forget = world.command("Ann", "forget-me").to_caller[0]
    world.press("Ann", forget, "Yes, erase my data")
    with Session(engine) as s:
        ann = s.exec(select(Person).where(Person.name == "")).one()
        assert s.exec(select(PairMember).where(PairMember.person_id == ann.id)).all() == []
        assert len(s.exec(select(PairMember).where(PairMember.person_id.is_(None))).all()) == 1  # counts stay
    assert "a former member" in said(world.command(partner, "pairs history"))


def test_the_summary_counts_coffees_under_the_group_size_rule_and_never_names_anyone(world, engine):
    world.command("Mia", "pairs now", channel=C1)
    world.tick(at("2026-12-03 09:01"))
    for name in NAMES[:6]:
        world.press(name, check_ins(world, name)[0].message, "We met")
    report = world.command("Mia", "report", channel=C1).to_caller[0].plain_text
    assert "Learning coffees" in report and "5 groups made, 10 people in them." in report
    assert "Met: " in report
    assert not [name for name in NAMES if name in report]  # never who, let alone who met whom
    # with a threshold above the people who answered, the share is withheld but the groups are shown
    from dataclasses import replace as changed
    from bot.domain.reports import compute, week_at

    with Session(engine) as s:
        from storage.models import Workspace

        ws = s.exec(select(Workspace)).one()
        week = week_at(world.now, "Europe/Helsinki")
        strict = compute(s, ws, changed(world.app.core.services.settings, min_group_size=8), week, world.now)
        assert strict["coffees"]["groups"] == 5 and strict["coffees"]["met_share"] is None
        tiny = compute(s, ws, changed(world.app.core.services.settings, min_group_size=11), week, world.now)
        assert tiny.get("too_small") or tiny["coffees"]["withheld"]


def test_a_pair_of_intros_in_finnish_and_english(settings, engine):
    world = make_world(settings, engine)
    world.locales["aino"] = "fi-FI"
    world.command("Aino", "list")
    world.command("Mia", "new Pari <@aino|Aino>", channel="C-pari")
    world.command("Mia", "parit nyt", channel="C-pari")
    assert "Oppimiskahvi · Pari" in intros_any(world, "aino")
    assert "Learning coffee · Pari" in intros_any(world, "mia")


def intros_any(world, name: str) -> str:
    return "\n".join(p.message.plain_text for p in world.inbox(name))


def test_no_round_for_fewer_than_two(settings, engine):
    world = make_world(settings, engine)
    world.command("Mia", "new Solo", channel="C-solo")
    assert "Nobody to pair in Solo" in said(world.command("Mia", "pairs now", channel="C-solo"))
    assert list(itertools.chain.from_iterable(rounds(engine))) == []
