"""Edits and deletions honoured: a person who edits a DM answer in Slack or Teams has the new text in
their journal, the recap not yet posted and the themes; one who deletes it has it gone from all of
them and from what a language model is sent. Payload shapes as in test_slack_payloads.py and
test_teams_payloads.py (the platforms' own samples)."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.domain.reports.jobs import llm_input
from fakes.slack_api import TEAM
from fakes.slack_world import close_world, open_world
from fakes.teams_world import CHANNEL, TENANT, TeamsWorld, User
from harness import at
from storage.models import Circle, Participation, Person, Reply, Workspace

WEEK = {"week": "2026-W49", "timezone": "Europe/Helsinki"}  # the week of 2026-11-30


def replies(engine) -> list[Reply]:
    with Session(engine) as s:
        return list(s.exec(select(Reply)))


def model_input(engine, platform: str) -> list[str]:
    with Session(engine) as s:
        ws = s.exec(select(Workspace).where(Workspace.platform == platform)).one()
        found = llm_input(s, ws, WEEK, 1)
        return found[0] if found else []


# -- Slack -----------------------------------------------------------------------------------------


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    for uid, name in {"UMIA": "Mia", "UANN": "Ann", "UBOB": "Bob"}.items():
        api.add_user(uid, name)
    yield world
    await close_world(world)


async def slack_answer(slack, text: str) -> dict:
    """Mia's circle with Ann and Bob, a prompt sent, Ann's DM answer: that DM event."""
    await slack.command("UMIA", "new Learners <@UANN|ann> <@UBOB|bob>")
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    answer = slack.dm_event("UANN", text)
    await slack.event(answer)
    return answer


def changed(answer: dict, text: str, user: str = "UANN") -> dict:
    return {"type": "message", "subtype": "message_changed", "hidden": True, "channel": answer["channel"],
            "channel_type": "im", "ts": "1900000500.000100", "event_ts": "1900000500.000100",
            "message": {"type": "message", "text": text, "user": user, "team": TEAM, "ts": answer["ts"],
                        "client_msg_id": answer["client_msg_id"], "edited": {"user": user, "ts": "1900000500.0"}},
            "previous_message": {"type": "message", "text": answer["text"], "user": user, "team": TEAM,
                                 "ts": answer["ts"], "client_msg_id": answer["client_msg_id"]}}


def deleted(answer: dict, user: str = "UANN") -> dict:
    return {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": answer["channel"],
            "channel_type": "im", "deleted_ts": answer["ts"], "event_ts": "1900000600.000100",
            "ts": "1900000600.000100",
            "previous_message": {"type": "message", "text": answer["text"], "user": user, "team": TEAM,
                                 "ts": answer["ts"]}}


def slack_recap(slack) -> str:
    return "\n".join(c.text for c in slack.api.posts("CLEARN") if "Recap" in c.text)


async def test_slack_an_edited_dm_answer_is_in_the_journal_and_the_recap(slack, engine):
    answer = await slack_answer(slack, "First thoughts on feedback loops")
    reply = await slack.event(changed(answer, "Second thoughts on pairing with a mentor"))
    assert reply.status == 200

    assert [r.text for r in replies(engine)] == ["Second thoughts on pairing with a mentor"]
    journal = await slack.command("UANN", "journal", channel="DUANN", channel_name="directmessage")
    assert "Second thoughts" in journal.body and "First thoughts" not in journal.body
    assert model_input(engine, "slack") == ["Second thoughts on pairing with a mentor"]
    await slack.tick(at("2026-12-02 09:30"))  # window closed: the recap
    recap = slack_recap(slack)
    assert "Second thoughts on pairing" in recap and "First thoughts" not in recap


async def test_slack_a_deleted_dm_answer_is_gone_from_journal_recap_and_model(slack, engine):
    answer = await slack_answer(slack, "Something I would rather not share after all")
    reply = await slack.event(deleted(answer))
    assert reply.status == 200

    [row] = replies(engine)
    assert row.text == "" and row.visibility == "private"  # still counts as answered, says nothing
    journal = await slack.command("UANN", "journal", channel="DUANN", channel_name="directmessage")
    assert "rather not share" not in journal.body
    assert model_input(engine, "slack") == []
    await slack.tick(at("2026-12-02 09:30"))
    assert "rather not share" not in "\n".join(c.text for c in slack.api.posts("CLEARN"))


async def test_slack_a_posted_recap_is_edited_when_its_answer_is_edited_or_deleted(slack, engine):
    answer = await slack_answer(slack, "First thoughts on feedback loops")
    await slack.tick(at("2026-12-02 09:30"))  # window closed: the recap is posted
    [recap] = [c for c in slack.api.posts("CLEARN") if "Recap" in c.text]
    assert "First thoughts on feedback loops" in recap.text

    await slack.event(changed(answer, "Second thoughts on pairing with a mentor"))
    await slack.drain()
    [edit] = slack.api.of("chat.update")
    assert (edit.params["channel"], edit.params["ts"]) == ("CLEARN", recap.result["ts"])
    assert "Second thoughts on pairing" in edit.text and "First thoughts" not in edit.text

    await slack.event(deleted(answer))
    await slack.drain()
    last = slack.api.of("chat.update")[-1]
    assert last.params["ts"] == recap.result["ts"] and "Second thoughts" not in last.text
    assert "taken back" in last.text  # her answer was the only one shared
    assert len([c for c in slack.api.posts("CLEARN") if "Recap" in c.text]) == 1  # edited, not posted again


def long_answer(mark: str) -> str:
    return (f"{mark} " + " ".join(f"{mark.lower()}{i}" for i in range(400)))[:2900]  # the limit is 3,000


def shown(slack) -> str:
    return "\n".join(c.text for c in slack.api.visible("CLEARN"))


def recap_posts(slack) -> list:
    """The recap's posts people see now: those quoting an answer."""
    return [c for c in slack.api.visible("CLEARN") if any(m in c.text for m in ("SAID", "LATER", "Short"))]


async def test_slack_a_recap_in_several_posts_is_edited_in_all_of_them(slack, engine):
    """A recap longer than one post continues in its thread; an answer taken back must leave every
    one of those posts, and a post no longer needed goes."""
    people = {"UCID": "Cid", "UDAN": "Dan", "UEVE": "Eve"}
    for uid, name in people.items():
        slack.api.add_user(uid, name)
    await slack.command("UMIA", "new Learners <@UANN|ann> <@UBOB|bob> <@UCID|cid> <@UDAN|dan> <@UEVE|eve>")
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    said = {}
    for uid in ("UANN", "UBOB", "UCID", "UDAN", "UEVE"):
        said[uid] = slack.dm_event(uid, long_answer(f"SAID{uid}"))
        await slack.event(said[uid])
    await slack.tick(at("2026-12-02 09:30"))
    posted = [c for c in slack.api.posts("CLEARN") if "SAID" in c.text]
    assert len(posted) == 2 and posted[1].params["thread_ts"] == posted[0].result["ts"]  # one recap, two posts
    assert "SAIDUEVE" in posted[1].text  # the last answer is in the continuation

    await slack.event(changed(said["UANN"], "Short and new"))
    await slack.event(changed(said["UBOB"], "Short too", user="UBOB"))  # now it all fits one post
    await slack.drain()
    assert [c.params["ts"] for c in slack.api.of("chat.delete")] == [posted[1].result["ts"]]
    assert len(recap_posts(slack)) == 1
    assert "SAIDUANN" not in shown(slack) and "SAIDUBOB" not in shown(slack)
    assert all(f"SAID{u}" in shown(slack) for u in ("UCID", "UDAN", "UEVE")) and "Short too" in shown(slack)

    await slack.event(changed(said["UANN"], long_answer("LATERUANN")))  # long again: a new continuation
    await slack.drain()
    assert len(recap_posts(slack)) == 2 and "LATERUANN" in shown(slack)
    await slack.event(deleted(said["UEVE"], user="UEVE"))
    await slack.event(deleted(said["UDAN"], user="UDAN"))
    await slack.drain()
    assert "SAIDUEVE" not in shown(slack) and "SAIDUDAN" not in shown(slack)
    assert all(mark in shown(slack) for mark in ("LATERUANN", "Short too", "SAIDUCID"))
    assert len([c for c in slack.api.posts("CLEARN") if "Recap" in c.text and "thread_ts" not in c.params]) == 1


async def test_slack_someone_elses_edit_or_delete_changes_nothing(slack, engine):
    answer = await slack_answer(slack, "My own words about trust")
    calls = len(slack.api.calls)
    await slack.event({**changed(answer, "Bob was here", user="UBOB"), "channel": "DUBOB"})
    await slack.event(changed({**answer, "ts": "1800000000.000100"}, "An id nobody stored"))
    await slack.event({**deleted(answer, user="UBOB"), "channel": "DUBOB"})
    await slack.event(deleted(answer, user="UBOB"))

    assert [(r.text, r.visibility) for r in replies(engine)] == [("My own words about trust", "circle")]
    assert len(slack.api.calls) == calls  # quiet: nobody is answered


async def test_slack_a_coffee_thread_reply_follows_its_edit_and_deletion(slack, engine):
    await slack.command("UMIA", "new Learners <@UANN|ann>")
    with Session(engine) as s:  # the circle opted in to keeping coffee-room text
        circle = s.exec(select(Circle)).one()
        circle.store_coffee_text = True
        s.add(circle)
        s.commit()
    await slack.command("UMIA", "coffee now")
    await slack.drain()
    starter = [c for c in slack.api.posts("CLEARN") if "Coffee" in c.text][-1]
    said = {"type": "message", "channel_type": "channel", "channel": "CLEARN", "user": "UANN",
            "text": "We talked about feedback", "ts": "1900000999.000100", "thread_ts": starter.result["ts"],
            "client_msg_id": "m-coffee"}
    await slack.event(said)

    await slack.event({**changed(said, "We talked about mentoring"), "channel_type": "channel"})
    with Session(engine) as s:
        assert [p.text for p in s.exec(select(Participation))] == ["We talked about mentoring"]
    await slack.event({**deleted(said), "channel_type": "channel"})
    with Session(engine) as s:
        assert [p.text for p in s.exec(select(Participation))] == [None]  # still counted as taking part


# -- Teams -----------------------------------------------------------------------------------------

MIA, ANN, BOB = User("Mia"), User("Ann"), User("Bob")


@pytest.fixture
async def teams(settings, engine):
    async with TeamsWorld(settings, engine, at("2026-11-30 09:00")) as w:
        yield w


async def teams_answer(world, text: str) -> dict:
    await world.command(MIA, "new Learners", people=[ANN, BOB])
    await world.command(MIA, "prompt now")
    answer = world.activity(ANN, text=text, textFormat="plain")
    await world.post(answer)
    return answer


def revised(world, answer: dict, kind: str, user: User = ANN, **extra) -> dict:
    body = {**world.activity(user, kind=kind, **extra), "id": answer["id"]}
    event = "editMessage" if kind == "messageUpdate" else "softDeleteMessage"
    body["channelData"] = {"eventType": event, "tenant": {"id": TENANT}}
    return body


def teams_recap(world) -> str:
    return "\n".join(c.text for c in world.connector.to(CHANNEL) if "recap" in c.text.lower())


async def test_teams_an_edited_dm_answer_is_in_the_journal_and_the_recap(teams, engine):
    answer = await teams_answer(teams, "First thoughts on feedback loops")
    response = await teams.post(revised(teams, answer, "messageUpdate", text="Second thoughts on mentoring",
                                        textFormat="plain"))
    assert response.status in (200, 201)

    assert [r.text for r in replies(engine)] == ["Second thoughts on mentoring"]
    await teams.say(ANN, "journal")
    shown = "\n".join(c.text for c in teams.inbox(ANN))
    assert "Second thoughts on mentoring" in shown
    assert model_input(engine, "teams") == ["Second thoughts on mentoring"]
    await teams.tick(at("2026-12-02 09:30"))
    recap = teams_recap(teams)
    assert "Second thoughts on mentoring" in recap and "First thoughts" not in recap


async def test_teams_a_deleted_dm_answer_is_gone_from_journal_recap_and_model(teams, engine):
    answer = await teams_answer(teams, "Something I would rather not share after all")
    await teams.post(revised(teams, answer, "messageDelete"))

    [row] = replies(engine)
    assert row.text == "" and row.visibility == "private"
    before = len(teams.inbox(ANN))
    await teams.say(ANN, "journal")
    assert all("rather not share" not in c.text for c in teams.inbox(ANN)[before:])
    assert model_input(engine, "teams") == []
    await teams.tick(at("2026-12-02 09:30"))
    assert all("rather not share" not in c.text for c in teams.connector.to(CHANNEL))


async def test_teams_a_recap_in_several_cards_is_edited_in_all_of_them(teams, engine):
    """A recap too long for one card continues in its thread, each answer whole; taking answers
    back edits every card and deletes the ones no longer needed."""
    people = [User(f"P{n}") for n in range(1, 10)]
    await teams.command(MIA, "new Learners", people=people)
    await teams.command(MIA, "prompt now")
    said = {}
    for person in people:
        said[person.name] = teams.activity(person, text=long_answer(f"SAID{person.name}"), textFormat="plain")
        await teams.post(said[person.name])
    await teams.tick(at("2026-12-02 09:30"))
    cards = [c for c in teams.connector.visible(CHANNEL) if "SAID" in c.text]
    assert len(cards) == 2 and cards[1].conversation_id == f"{CHANNEL};messageid={cards[0].id}"
    assert all(long_answer(f"SAID{p.name}") in "".join(c.text for c in cards) for p in people)  # none cut short

    for person in people[5:]:  # four take their answers back: what is left fits one card
        await teams.post(revised(teams, said[person.name], "messageDelete", user=person))
    await teams.drain()
    shown = "\n".join(c.text for c in teams.connector.visible(CHANNEL))
    assert [c.id for c in teams.connector.of("delete")] == [cards[1].id]
    assert all(f"SAID{p.name}" in shown for p in people[:5])
    assert not any(f"SAID{p.name}" in shown for p in people[5:])


async def test_teams_someone_elses_edit_or_delete_changes_nothing(teams, engine):
    answer = await teams_answer(teams, "My own words about trust")
    calls = len(teams.connector.calls)
    await teams.post(revised(teams, answer, "messageUpdate", user=BOB, text="Bob was here", textFormat="plain"))
    await teams.post(revised(teams, answer, "messageDelete", user=BOB))
    await teams.post({**revised(teams, answer, "messageUpdate", text="An id nobody stored"), "id": "1699999999999"})

    assert [(r.text, r.visibility) for r in replies(engine)] == [("My own words about trust", "circle")]
    assert len(teams.connector.calls) == calls
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == BOB.id)).first() is not None  # a member


async def test_teams_a_posted_recap_loses_an_answer_made_private_or_erased(teams, engine):
    await teams.command(MIA, "new Learners", people=[ANN, BOB])
    await teams.command(MIA, "prompt now")
    await teams.say(ANN, "Ann: what I learned about asking early")
    await teams.say(BOB, "Bob: a note on pairing that I may take back")
    await teams.tick(at("2026-12-02 09:30"))
    [recap] = [c for c in teams.connector.to(CHANNEL) if "recap" in c.text.lower()]
    assert "asking early" in recap.text and "pairing" in recap.text

    thanks = [c for c in teams.inbox(BOB) if c.card and any(a["title"] == "Keep private"
                                                            for a in c.card.get("actions", []))][-1]
    await teams.submit(BOB, thanks, "Keep private")
    [edit] = [u for u in teams.connector.of("update") if u.id == recap.id]
    assert edit.conversation_id == CHANNEL
    assert "asking early" in edit.text and "pairing" not in edit.text

    await teams.say(ANN, "forget-me")
    confirm = teams.inbox(ANN)[-1]
    await teams.submit(ANN, confirm, next(a["title"] for a in confirm.card["actions"] if a["data"]["kipina"] == "forget.confirm"))
    last = [u for u in teams.connector.of("update") if u.id == recap.id][-1]
    assert "asking early" not in last.text and "taken back" in last.text
    assert len([c for c in teams.connector.to(CHANNEL) if "recap" in c.text.lower()]) == 1
