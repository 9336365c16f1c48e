"""Teams end to end on the wire: Activities in over HTTP, connector REST calls out to a local mock."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.common.i18n import t
from fakes.teams_world import BOT, CHANNEL, GROUP, TENANT, TeamsWorld, User
from harness import at
from storage.models import Circle, Delivery, Membership, Participation, Person, Reply

MIA = User("Mia")
ANN = User("Ann")
BOB = User("Bob")
AINO = User("Aino", locale="fi-FI")
NYC = User("Nora", timezone="America/New_York")


@pytest.fixture
async def world(settings, engine):
    async with TeamsWorld(settings, engine, at("2026-12-03 13:00")) as w:  # a Thursday
        yield w


def person(engine, user: User) -> Person | None:
    with Session(engine) as s:
        return s.exec(select(Person).where(Person.platform_user_id == user.id)).first()


def circles(engine) -> list[Circle]:
    with Session(engine) as s:
        return list(s.exec(select(Circle)))


def prompt_cards(world, user: User) -> list:
    return [c for c in world.inbox(user) if c.card and any(a.get("data", {}).get("kipina") == "prompt.skip"
                                                             for a in c.card.get("actions", []))]


async def start_circle(world, *members: User, name: str = "Learners"):
    await world.command(MIA, f"new {name}", people=members)


async def test_install_stores_the_reference_and_says_hello_once(world, engine):
    install = world.activity(MIA, kind="installationUpdate", action="add")
    added = world.activity(MIA, kind="conversationUpdate", membersAdded=[{"id": BOT["id"]}])
    assert (await world.post(install)).status in (200, 201)
    assert (await world.post(added)).status in (200, 201)

    stored = person(engine, MIA)
    assert stored.address == {
        "service_url": world.connector.url, "tenant_id": TENANT, "bot_id": BOT["id"], "bot_name": BOT["name"],
        "user_id": MIA.id, "aad_object_id": MIA.aad, "conversation_id": MIA.personal}
    assert stored.timezone == "Europe/Helsinki" and stored.locale == "en-US"
    hello = world.inbox(MIA)
    assert len(hello) == 1 and "Kipinä — commands" in hello[0].text
    assert world.connector.of("create") == []  # the personal chat was known: nothing to create


async def test_added_to_a_team_the_bot_explains_itself_in_the_channel(world):
    added = world.activity(MIA, kind="conversationUpdate", where="channel", membersAdded=[{"id": BOT["id"]}])
    added["conversation"]["id"] = CHANNEL
    await world.post(added)
    posts = world.connector.to(CHANNEL)
    assert len(posts) == 1 and "Kipinä — commands" in posts[0].text
    assert world.inbox(MIA) == []


async def test_new_with_mentions_creates_a_circle_bound_to_the_channel(world, engine):
    await start_circle(world, ANN, BOB)

    [circle] = circles(engine)
    assert circle.name == "Learners" and circle.channel_id == CHANNEL
    assert circle.channel_address["service_url"] == world.connector.url
    assert circle.channel_address["tenant_id"] == TENANT and circle.channel_address["conversation_id"] == CHANNEL
    with Session(engine) as s:
        members = s.exec(select(Person.platform_user_id, Membership.role).join(
            Membership, Membership.person_id == Person.id)).all()
    assert sorted(members) == sorted([(MIA.id, "mentor"), (ANN.id, "member"), (BOB.id, "member")])
    assert person(engine, ANN).name == "Ann"

    announced = [c for c in world.connector.posted if c.conversation_id.startswith(CHANNEL)]
    assert len(announced) == 1 and "Mia started the learning circle Learners" in announced[0].text
    assert ";messageid=" in announced[0].conversation_id  # in the thread of the command
    assert any("Circle Learners is ready" in c.text for c in world.inbox(MIA))  # only Mia sees this
    assert any('e.g. "schedule reflection thu 14:00"' in c.text for c in world.inbox(MIA))  # no slash commands
    creates = world.connector.of("create")
    assert {c.body["members"][0]["id"] for c in creates} == {MIA.id, ANN.id, BOB.id}
    for create in creates:
        assert create.body["channelData"]["tenant"]["id"] == TENANT and create.body["bot"]["id"] == BOT["id"]
        assert TENANT in (create.body.get("tenantId"), create.body.get("tenantID"))  # botbuilder writes tenantID
        assert create.body["isGroup"] is False
    for user in (ANN, BOB):
        assert [c for c in world.inbox(user) if "Welcome to Learners" in c.text and '"pause"' in c.text
                and "/circle" not in c.text]  # commands as Teams users type them
        assert person(engine, user).address["conversation_id"] == user.personal


async def test_prompt_now_sends_one_card_per_member(world):
    await start_circle(world, ANN, BOB)
    await world.command(MIA, "prompt now")

    for user in (MIA, ANN, BOB):
        [card] = prompt_cards(world, user)
        body = card.card["body"]
        answer = next(e for e in body if e["type"] == "Input.Text")
        assert answer["id"] == "answer" and answer["isMultiline"] is True and answer["maxLength"] == 3000
        choice = next(e for e in body if e["type"] == "Input.ChoiceSet")
        assert {c["value"] for c in choice["choices"]} == {"circle", "private"}
        assert [a["title"] for a in card.card["actions"]] == ["Answer", "Skip", "Another question", "Snooze"]
        assert all(a["type"] == "Action.Execute" for a in card.card["actions"])
        # the form's Save stays a button; the rest go to the "…" menu, so the card fits a phone
        assert [a.get("mode", "primary") for a in card.card["actions"]] == ["primary", "secondary", "secondary",
                                                                          "secondary"]
        assert card.body["summary"].startswith("Reflection prompt")
    assert any("Reflection prompt sent to 3 members" in c.text for c in world.inbox(MIA))


async def test_submitting_the_card_stores_the_answer_and_updates_the_card(world, engine):
    await start_circle(world, ANN)
    await world.command(MIA, "prompt now")
    [card] = prompt_cards(world, ANN)

    await world.submit(ANN, card, "Answer", answer="I asked for help earlier than usual.", visibility="private")

    with Session(engine) as s:
        [reply] = s.exec(select(Reply)).all()
    assert reply.text == "I asked for help earlier than usual." and reply.visibility == "private"
    [update] = world.updates  # the invoke's answer is the card: no update call, no second message
    assert update.id == card.id and update.conversation_id == ANN.personal
    assert "Answered — kept private" in update.text and "I asked for help earlier than usual." in update.text
    assert not any(e["type"].startswith("Input.") for e in update.card["body"])
    assert world.connector.of("update") == []
    assert not any("Your answer is saved" in c.text for c in world.inbox(ANN))

    await world.submit(ANN, card, "Answer", answer="I asked for help earlier than usual.", visibility="private")
    with Session(engine) as s:
        assert len(s.exec(select(Reply)).all()) == 1


async def test_editing_an_answer_turns_the_card_into_the_form_and_back(world, engine):
    await start_circle(world, ANN)
    await world.command(MIA, "prompt now")
    [card] = prompt_cards(world, ANN)
    await world.submit(ANN, card, "Answer", answer="First thoughts", visibility="circle")
    answered = world.updates[-1]

    await world.submit(ANN, answered, "Edit my answer")
    form = world.updates[-1]
    assert form.id == card.id
    assert next(e for e in form.card["body"] if e.get("id") == "answer")["value"] == "First thoughts"
    await world.submit(ANN, form, "Cancel")  # back to the answered card, nothing changed
    assert "First thoughts" in world.updates[-1].text and "Edit my answer" in world.updates[-1].text
    await world.submit(ANN, world.updates[-1], "Edit my answer")
    await world.submit(ANN, world.updates[-1], "Save", answer="Second thoughts", visibility="private")

    with Session(engine) as s:
        [reply] = s.exec(select(Reply)).all()
    assert (reply.text, reply.visibility) == ("Second thoughts", "private")
    assert "Answered — kept private" in world.updates[-1].text and "Second thoughts" in world.updates[-1].text


async def test_skip_and_snooze_replace_the_card(world, engine):
    await start_circle(world, ANN, BOB)
    await world.command(MIA, "prompt now")
    await world.submit(ANN, prompt_cards(world, ANN)[0], "Skip", answer="not sent")
    await world.submit(BOB, prompt_cards(world, BOB)[0], "Snooze")
    updates = {u.conversation_id: u for u in world.updates}
    assert set(updates) == {ANN.personal, BOB.personal}
    assert "skip" in updates[ANN.personal].text.lower()
    assert updates[ANN.personal].card.get("actions") is None
    assert "ask again on Thu 3 Dec 15:00" in updates[BOB.personal].text
    with Session(engine) as s:
        assert s.exec(select(Reply)).all() == []


async def test_plain_reply_in_the_personal_chat_is_the_answer(world, engine):
    await start_circle(world, ANN)
    await world.command(MIA, "prompt now")
    await world.say(ANN, "I learned to ask for feedback sooner, and it made the work lighter.")

    with Session(engine) as s:
        [reply] = s.exec(select(Reply)).all()
    assert reply.text.startswith("I learned to ask") and reply.visibility == "circle"
    thanks = world.inbox(ANN)[-1]
    assert "will be shared with your circle Learners" in thanks.text
    await world.submit(ANN, thanks, "Keep private")
    with Session(engine) as s:
        assert s.exec(select(Reply)).one().visibility == "private"
    assert "Answered — kept private" in world.updates[-1].text and "I learned to ask" in world.updates[-1].text


async def test_a_finnish_member_gets_finnish_cards(world):
    await world.say(AINO, "moi")
    await start_circle(world, AINO)
    await world.command(MIA, "prompt now")
    [card] = prompt_cards(world, AINO)
    assert "Pohdintakysymys" in card.text
    assert [a["title"] for a in card.card["actions"]][:2] == ["Vastaa", "Ohita"]
    assert "Reflection prompt" in prompt_cards(world, MIA)[0].text


async def test_members_who_never_wrote_to_the_bot_hear_their_finnish_circle_in_finnish(world, engine):
    """Teams tells a person's language only when they write: until then the circle's is the guess,
    not the organisation's default (English here)."""
    await world.say(MIA, "hello")  # Mia has written: her client's language (English) is known
    await world.command(AINO, "uusi Oppijat", people=[ANN, BOB, MIA])
    await world.command(AINO, "kysymys nyt")
    assert person(engine, ANN).locale is None  # nothing known of Ann's own language yet
    for user in (ANN, BOB):
        assert [c for c in world.inbox(user) if "Tervetuloa piiriin Oppijat" in c.text]
        [card] = prompt_cards(world, user)
        assert "Pohdintakysymys" in card.text and "Welcome" not in "".join(c.text for c in world.inbox(user))
    assert [c for c in world.inbox(MIA) if "Welcome to Oppijat" in c.text]  # her own language comes first
    assert "Reflection prompt" in prompt_cards(world, MIA)[0].text


async def test_local_time_zone_moves_the_prompt_to_a_working_hour(world, engine):
    await world.say(NYC, "hello")  # Teams tells the bot her time zone
    assert person(engine, NYC).timezone == "America/New_York"
    await start_circle(world, ANN, NYC)
    await world.command(MIA, "prompt now")  # 13:00 in Helsinki is 06:00 in New York

    assert prompt_cards(world, ANN) and not prompt_cards(world, NYC)
    assert any("outside working hours" in c.text for c in world.inbox(MIA))
    await world.tick(at("2026-12-03 15:00"))  # 08:00 in New York
    assert len(prompt_cards(world, NYC)) == 1


async def test_bad_command_gets_the_localised_usage(world, engine):
    await world.say(AINO, "moi")
    await world.command(AINO, "schedule reflection to 25:00")
    reply = world.inbox(AINO)[-1]
    assert t("fi", "usage.bad_time", time="25:00") in reply.text
    assert "Käyttö: aikataulu pohdinta|kahvi" in reply.text and "/circle" not in reply.text
    assert circles(engine) == []
    await world.say(AINO, "new")
    assert t("fi", "usage.new_needs_name") in world.inbox(AINO)[-1].text
    assert circles(engine) == []


async def test_commands_in_the_personal_chat_with_or_without_circle(world, engine):
    await world.say(MIA, "circle new Book club")
    await world.say(MIA, "help")
    [circle] = circles(engine)
    assert circle.name == "Book club" and circle.channel_id is None
    assert "Kipinä — commands" in world.inbox(MIA)[-1].text


async def test_an_unreachable_member_is_reported_to_the_mentor_once(world, engine):
    world.connector.unreachable.add(BOB.id)
    await start_circle(world, ANN, BOB)
    await world.command(MIA, "prompt now")
    await world.command(MIA, "prompt now")

    notices = [c for c in world.inbox(MIA) if "I can't reach Bob" in c.text]
    assert len(notices) == 1
    assert world.inbox(BOB) == []
    with Session(engine) as s:
        bob = s.exec(select(Person).where(Person.platform_user_id == BOB.id)).one()
        rows = s.exec(select(Delivery).where(Delivery.person_id == bob.id)).all()
    assert rows and all(r.status == "failed" and r.attempts == 1 for r in rows)
    assert [k for k, status in world.connector.attempts if status == 403]  # asked, refused, not retried


async def test_rate_limited_send_is_retried_and_delivered_once(world, engine):
    await start_circle(world, ANN, BOB)
    await world.command(MIA, "prompt now", settle=False)
    world.connector.fail_next(429, retry_after=1, kind="send")

    await world.drain(settle=5)

    assert ("send", 429) in world.connector.attempts
    limited = world.connector.attempts.index(("send", 429))
    later = [at - world.connector.attempted_at[limited] for (kind, _), at
             in zip(world.connector.attempts[limited + 1:], world.connector.attempted_at[limited + 1:]) if kind == "send"]
    assert later and min(later) >= 1.0  # the tenant's sends wait out Retry-After, not just the row's
    for user in (MIA, ANN, BOB):
        assert len(prompt_cards(world, user)) == 1
    with Session(engine) as s:
        prompts = s.exec(select(Delivery).where(Delivery.kind == "prompt")).all()
    assert [r.status for r in prompts] == ["sent"] * 3 and max(r.attempts for r in prompts) == 1


async def test_a_connector_outage_is_retried_later(world, engine):
    await start_circle(world, ANN)
    await world.command(MIA, "coffee now", settle=False)
    world.connector.fail_next(502, kind="send")
    await world.drain()
    with Session(engine) as s:
        [row] = s.exec(select(Delivery).where(Delivery.kind == "coffee")).all()
    assert row.status == "pending" and "502" in row.error
    world.app.clock.set(world.now + timedelta(minutes=2))
    await world.drain()
    with Session(engine) as s:
        assert s.exec(select(Delivery).where(Delivery.kind == "coffee")).one().status == "sent"
    assert len([c for c in world.connector.of("send") if c.conversation_id == CHANNEL]) == 1


async def test_thread_replies_to_a_coffee_question_count_as_taking_part(world, engine):
    await start_circle(world, ANN)
    await world.command(MIA, "coffee now")
    [post] = world.connector.to(CHANNEL)
    assert "coffee" in post.text.lower()

    reply = world.activity(ANN, where="channel", thread=post.id, text="We tried walking meetings!")
    await world.post(reply)
    await world.post(reply)  # Teams may deliver twice
    with Session(engine) as s:
        taking_part = s.exec(select(Participation)).all()
    assert len(taking_part) == 1 and taking_part[0].person_id == person(engine, ANN).id
    chatter = world.activity(BOB, where="channel", text="unrelated chatter")
    await world.post(chatter)
    with Session(engine) as s:
        assert len(s.exec(select(Participation)).all()) == 1


async def test_recap_goes_to_the_channel_with_its_starter_in_the_thread(world):
    await start_circle(world, ANN)
    await world.command(MIA, "prompt now")
    await world.submit(ANN, prompt_cards(world, ANN)[0], "Answer", answer="Shared thought", visibility="circle")
    await world.tick(at("2026-12-07 14:00"))  # after the two-working-day window

    [recap] = [c for c in world.connector.to(CHANNEL) if "Recap" in c.text or "recap" in c.text.lower()]
    assert "Shared thought" in recap.text and "Ann" in recap.text
    starter = [c for c in world.connector.posted if c.conversation_id == f"{CHANNEL};messageid={recap.id}"]
    assert len(starter) == 1


async def test_a_group_chat_can_host_a_circle(world, engine):
    await world.command(MIA, "new Leads", people=[ANN], where="group")
    [circle] = circles(engine)
    assert circle.channel_id == GROUP and circle.channel_address["conversation_type"] == "groupChat"
    await world.command(MIA, "coffee now", where="group")
    assert [c for c in world.connector.of("send") if c.conversation_id == GROUP and "coffee" in c.text.lower()]


async def test_names_and_answers_cannot_inject_links_or_mentions(world, engine):
    await world.command(MIA, "new [x](http://evil)", people=[ANN])
    await world.command(MIA, "prompt now")
    sneaky = "<at>everyone</at> **urgent** [click](http://evil)"
    await world.submit(ANN, prompt_cards(world, ANN)[0], "Answer", answer=sneaky, visibility="circle")
    await world.tick(at("2026-12-07 14:00"))

    assert world.updates  # the answered card, which shows the answer back to its author
    for call in world.connector.posted + world.connector.of("update") + world.updates:
        assert "entities" not in call.body and "text" not in call.body  # nothing Teams would parse
        assert '"type": "TextBlock"' not in json.dumps(call.card)  # every text is a TextRun
    runs = [c for c in world.connector.posted if "[x](http://evil)" in c.text]
    assert runs, "the circle name is shown as typed"
    assert any(sneaky in c.text for c in world.connector.to(CHANNEL))


async def test_malformed_requests_get_a_4xx_and_change_nothing(world, engine, caplog):
    response = await world.client.post("/api/messages", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await world.client.post("/api/messages", json=["a list"])).status == 400
    assert (await world.client.post("/api/messages", json={"text": "no type"})).status == 400
    typing = world.activity(ANN, kind="typing")
    assert (await world.post(typing)).status in (200, 201)
    no_tenant = world.activity(ANN, text="help")
    no_tenant["channelData"], no_tenant["conversation"]["tenantId"] = {}, None
    assert (await world.post(no_tenant)).status in (200, 201)
    assert world.connector.calls == [] and person(engine, ANN) is None
    strange = [{**world.activity(ANN), "from": "someone"}, {**world.activity(ANN), "entities": "x"},
               {**world.activity(ANN), "conversation": [1]}, {**world.activity(ANN), "channelData": ["not", "an"]},
               {**world.activity(ANN), "text": 5}]
    for body in strange:  # fields the bot reads, of the wrong type
        assert (await world.post(body)).status == 400
    odd = [{**world.activity(ANN), "value": {"kipina": 1}, "text": None}]
    for body in odd:  # readable, but nothing the bot can do with it
        assert (await world.post(body)).status in (200, 201)
    assert all(c.conversation_id == ANN.personal for c in world.connector.calls)  # at most a polite answer
    assert "could not be handled" not in caplog.text


async def test_a_direct_reply_survives_one_connector_hiccup(world):
    await world.say(MIA, "hello")  # the personal chat is known now
    world.connector.fail_next(502, kind="send")
    await world.say(MIA, "help")
    assert ("send", 502) in world.connector.attempts
    assert len([c for c in world.inbox(MIA) if "Kipinä — commands" in c.text]) == 1


async def test_a_greeting_in_the_chat_while_a_prompt_is_open_is_asked_about_on_a_card(world, engine):
    await start_circle(world, ANN, AINO)
    await world.command(MIA, "prompt now")

    await world.say(ANN, "Thanks!")
    assert answers(engine) == []  # not stored, so never in a recap
    asked = world.inbox(ANN)[-1]
    assert "looks like a greeting" in asked.text
    buttons = [a for a in asked.card["actions"]]
    assert [(b["type"], b["title"]) for b in buttons] == [("Action.Execute", "Save as my answer"),
                                                          ("Action.Execute", "No")]
    await world.submit(ANN, asked, "No")
    assert answers(engine) == []
    await world.say(ANN, "I asked a colleague before the meeting, not after.")
    assert answers(engine) == ["I asked a colleague before the meeting, not after."]

    await world.say(AINO, "moi 👋")
    asked = world.inbox(AINO)[-1]
    assert "tervehdykseltä" in asked.text
    await world.submit(AINO, asked, "Tallenna vastaukseksi")
    assert sorted(answers(engine)) == ["I asked a colleague before the meeting, not after.", "moi 👋"]


def answers(engine) -> list[str]:
    with Session(engine) as s:
        return [r.text for r in s.exec(select(Reply).order_by(Reply.id))]
