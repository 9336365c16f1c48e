"""Outcome pulses on each platform, over the fakes: on Slack the Answer button opens a modal with one
choice per statement and its submission is stored; on Teams one Adaptive Card (valid 1.5) with a
choice set per statement, answered by a Universal Action; in the console by numbers."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from fakes.slack_world import TEAM, close_world, open_world
from fakes.teams_world import TeamsWorld, User, check_card
from harness import at
from storage.models import Person
from storage.pulses import ANSWERS, PulseInvite
from test_console import run_console, section

SLACK_PEOPLE = {"UMIA": "Mia", "UANN": "Ann", "UBEN": "Ben"}


def stored(engine) -> dict[str, list[int]]:
    """name → their answers in statement order."""
    with Session(engine) as s:
        return {s.get(Person, invite.person_id).name: [getattr(invite, a) for a in ANSWERS[:5]]
                for invite in s.exec(select(PulseInvite).where(PulseInvite.answered_at.is_not(None)))}


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-12-01 10:00"))
    for uid, name in SLACK_PEOPLE.items():
        api.add_user(uid, name)
    yield world
    await close_world(world)


async def test_slack_opens_a_modal_with_a_choice_per_statement_and_stores_the_submission(slack, engine):
    mentions = " ".join(f"<@{u}|{n.lower()}>" for u, n in SLACK_PEOPLE.items() if u != "UMIA")
    await slack.command("UMIA", f"new Pulse {mentions}")
    reply = await slack.command("UMIA", "pulse now")
    assert "The pulse goes to 3 people in Pulse" in reply.json["text"]
    await slack.drain()
    [post] = [c for c in slack.dms("UANN") if any(a.startswith("kipina:pulse.answer") for a in c.action_ids())]
    assert "How is it going?" in post.text

    await slack.press("UANN", post, "pulse.answer")
    [opened] = slack.api.of("views.open")
    view = opened.result["view"]
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 5 and all(b["element"]["type"] == "radio_buttons" for b in inputs)
    assert [o["value"] for o in inputs[0]["element"]["options"]] == ["1", "2", "3", "4", "5", "0"]
    assert inputs[0]["label"]["text"] == "This month I learned something useful from a colleague."

    chosen = ["5", "4", "0", "3", "2"]
    values = {b["block_id"]: {b["block_id"]: {"type": "radio_buttons", "selected_option": {"value": v}}}
              for b, v in zip(inputs, chosen)}
    ack = await slack.interact({
        "type": "view_submission", "team": {"id": TEAM, "domain": "test"},
        "user": {"id": "UANN", "username": "ann", "team_id": TEAM}, "api_app_id": "AKIPINA", "token": "legacy",
        "trigger_id": "trigger-pulse", "view": {**view, "state": {"values": values}}})
    assert ack.status == 200
    await slack.drain(settle=0.2)
    assert stored(engine) == {"Ann": [5, 4, 0, 3, 2]}
    [update] = slack.api.of("chat.update")
    assert "Thank you! Your answers are saved." in update.text and "rather not say" in update.text


MIA, ANN, BOB = User("Mia"), User("Ann"), User("Bob")


async def test_teams_sends_one_card_with_a_choice_set_per_statement_answered_by_a_universal_action(settings,
                                                                                                    engine):
    async with TeamsWorld(settings, engine, at("2026-12-01 10:00")) as world:
        await world.command(MIA, "new Pulse", people=[ANN, BOB])
        await world.command(MIA, "pulse now")
        [card] = world.cards(ANN, "How is it going?")
        check_card(card.card)
        sets = [b for b in card.card["body"] if b["type"] == "Input.ChoiceSet"]
        assert len(sets) == 5 and [c["value"] for c in sets[1]["choices"]] == ["1", "2", "3", "4", "5", "0"]
        [action] = card.card["actions"]
        assert action["type"] == "Action.Execute" and action["associatedInputs"] == "auto"

        await world.submit(ANN, card, "Answer", s1="2", s2="3", s3="4", s4="5", s5="0")
        assert stored(engine) == {"Ann": [2, 3, 4, 5, 0]}
        [update] = [c for c in world.updates if c.id == card.id]
        assert "Thank you!" in update.text and not update.card.get("actions")


def test_console_asks_each_statement_by_number(tmp_path):
    script = """
/as Ann
/as Mia
/in #pulse
/tick 2026-12-01T10:00
/circle new Pulse @Ann
/circle pulse now
/as Ann
1
4
5
6
2
1
/circle journal
"""
    out = run_console(script, tmp_path)
    asked = section(out, "--- DM → Ann")
    assert "How is it going?" in asked and "[1] Answer" in asked
    # each statement on a line of its own (it ends with its full stop), its choices on the next
    assert ("::: This month I learned something useful from a colleague.\n"
            ":::   [1] not at all  [2] a little  [3] somewhat  [4] mostly  [5] fully  [6] rather not say\n") in out
    thanks = section(out, "--- DM → Ann (updated)", "\n---")
    answered = [line for line in thanks.splitlines() if " — " in line]
    assert len(answered) == 5 and all(line.startswith("    ") for line in answered)  # indented under the title
    journal = section(out, "Your pulse answers")
    assert "This month I learned something useful from a colleague. — 4 · mostly" in journal
    assert "These days I look forward to my work. — rather not say" in journal
