"""Learning coffees on each platform, over the fakes: on Slack a group DM per pair (opened with
conversations.open) with the check-in buttons in it, each person answering for themselves; on
Teams a card to each person in their personal chat that mentions the partner; in the console a
DM to each."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from fakes.slack_world import close_world, open_world
from fakes.teams_world import TeamsWorld, User
from harness import at
from storage.models import PairMember, Person
from test_console import run_console, section

SLACK_PEOPLE = {"UMIA": "Mia", "UANN": "Ann", "UBEN": "Ben", "UCAI": "Cai"}


def answers(engine) -> dict[str, bool]:
    with Session(engine) as s:
        return {s.get(Person, m.person_id).name: m.met for m in s.exec(select(PairMember)) if m.met is not None}


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    for uid, name in SLACK_PEOPLE.items():
        api.add_user(uid, name)
    yield world
    await close_world(world)


async def test_slack_introduces_each_pair_in_a_group_dm_and_asks_there_later(slack, engine):
    mentions = " ".join(f"<@{u}|{n.lower()}>" for u, n in SLACK_PEOPLE.items() if u != "UMIA")
    await slack.command("UMIA", f"new Coffee {mentions}")
    await slack.drain()
    welcomes = len(slack.api.posts())
    reply = await slack.command("UMIA", "pairs now")
    assert "2 learning-coffee groups made in Coffee" in reply.json["text"]
    await slack.drain()

    opened = slack.api.of("conversations.open")
    groups = [set(c.params["users"].split(",")) for c in opened]
    assert len(groups) == 2 and set().union(*groups) == set(SLACK_PEOPLE) and all(len(g) == 2 for g in groups)
    intros = [c for c in slack.api.posts() if c.params["channel"].startswith("G")]
    assert len(intros) == 2 and {c.params["channel"] for c in intros} == set(slack.api.groups)
    for post in intros:
        people = slack.api.groups[post.params["channel"]]
        assert all(SLACK_PEOPLE[u] in post.text for u in people)  # both named in their own chat
        assert "Learning coffee · Coffee" in post.text and "A question to start with" in post.text
        assert not post.action_ids()
    assert len(slack.api.posts()) == welcomes + 2  # no DMs besides

    await slack.tick(at("2026-12-03 09:05"))
    asks = [c for c in slack.api.posts() if c.params["channel"].startswith("G") and c.action_ids()]
    assert len(asks) == 2 and {c.params["channel"] for c in asks} == set(slack.api.groups)
    names = [a.split(":")[1] for a in asks[0].action_ids()]
    assert names == ["pairs.met", "pairs.missed"]

    first, second = slack.api.groups[asks[0].params["channel"]]
    await slack.press(first, asks[0], "pairs.met")
    await slack.press(second, asks[0], "pairs.missed")
    told = [c.params for c in slack.api.of("response_url")][-2:]
    assert "noted that you met" in told[0]["text"] and told[0]["response_type"] == "ephemeral"
    assert "not this time" in told[1]["text"]
    assert not slack.api.of("chat.update")  # the group's message stays as it is for the other
    assert answers(engine) == {SLACK_PEOPLE[first]: True, SLACK_PEOPLE[second]: False}

    outsider = next(u for u in SLACK_PEOPLE if u not in (first, second))
    await slack.press(outsider, asks[0], "pairs.met")
    assert "isn't yours" in slack.api.of("response_url")[-1].params["text"]
    assert len(answers(engine)) == 2


async def test_slack_manifest_asks_for_group_dms():
    from bot.platforms.slack.manifest import BOT_SCOPES

    assert "mpim:write" in BOT_SCOPES


MIA, ANN, BOB, AINO = User("Mia"), User("Ann"), User("Bob"), User("Aino", locale="fi-FI")


async def test_teams_sends_each_a_card_that_mentions_the_partner(settings, engine):
    async with TeamsWorld(settings, engine, at("2026-11-30 09:00")) as world:
        await world.say(AINO, "moi")
        await world.command(MIA, "new Coffee", people=[ANN, BOB, AINO])
        await world.command(MIA, "pairs now")
        by_id = {u.id: u for u in (MIA, ANN, BOB, AINO)}
        for user in (MIA, ANN, BOB, AINO):
            [card] = [c for c in world.inbox(user) if "Learning coffee" in c.text or "Oppimiskahvi" in c.text]
            entities = card.card["msteams"]["entities"]
            assert len(entities) == 1 and entities[0]["type"] == "mention"
            partner = by_id[entities[0]["mentioned"]["id"]]
            assert partner != user and entities[0]["text"] == f"<at>{partner.name}</at>"
            assert any(b.get("type") == "TextBlock" and b["text"] == entities[0]["text"] for b in card.card["body"])
        assert "Oppimiskahvi · Coffee" in next(c.text for c in world.inbox(AINO) if "Oppimiskahvi" in c.text)

        await world.tick(at("2026-12-03 09:05"))
        [ask] = [c for c in world.inbox(ANN) if any(a["data"].get("kipina") == "pairs.met"
                                                    for a in (c.card or {}).get("actions", []))]
        await world.submit(ANN, ask, "We met")
        [update] = [c for c in world.updates if c.id == ask.id]
        assert "noted that you met" in update.text and not update.card.get("actions")
        assert answers(engine) == {"Ann": True}


def test_console_sends_a_dm_each_and_takes_the_answer_by_number(tmp_path):
    script = """
/as Ann
/as Ben
/as Mia
/in #coffee
/tick 2026-11-30T09:00
/circle new Coffee @Ann @Ben
/circle pairs now
/tick 2026-12-03T09:05
/as Ann
1
/circle pairs history
"""
    out = run_console(script, tmp_path)
    made = section(out, "1 learning-coffee group made in Coffee", "::: tick 2026-12-03")
    assert made.count("--- DM → ") == 3 and "Learning coffee · Coffee" in made  # Mia, Ann and Ben as a triple
    ann = section(made, "--- DM → Ann", "---")
    assert "@Mia" in ann and "@Ben" in ann
    asked = section(out, "::: tick 2026-12-03")
    assert "[1] We met  [2] Not this time" in asked
    assert "noted that you met" in section(asked, "DM → Ann (updated)")
    assert "Mia and Ben · you met" in out or "Ben and Mia · you met" in out


def test_a_teams_mention_is_only_where_the_core_asked_and_its_name_is_cleaned():
    from bot.platforms.teams.cards import message_card
    from bot.ports import Block, Message
    from fakes.teams_world import check_card

    card = message_card(Message(blocks=(Block("text", "Your partner:"),
                                        Block("mention", "*Ann* <b>_x_</b>", user_id="29:ann-id"),
                                        Block("text", "<at>Bob</at>"))))
    check_card({k: v for k, v in card.items()})
    [entity] = card["msteams"]["entities"]
    assert entity == {"type": "mention", "text": "<at>Ann b x b</at>",
                      "mentioned": {"id": "29:ann-id", "name": "*Ann* <b>_x_</b>"}}
    assert [b["text"] for b in card["body"] if b["type"] == "TextBlock"] == ["<at>Ann b x b</at>"]
    plain = message_card(Message(blocks=(Block("mention", "Ann"),)))  # no id: just the name, no entity
    assert "entities" not in plain["msteams"] and plain["body"][0]["type"] == "RichTextBlock"
