"""Universal Actions and files on Teams, on the wire: adaptiveCard/action and fileConsent/invoke
activities in the shapes Microsoft documents (cards/universal-actions-for-adaptive-cards,
bots/how-to/bots-filesv4.md), answered over HTTP; the connector and OneDrive are local fakes."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlmodel import Session, select

from fakes.teams_world import TeamsWorld, User
from harness import at
from storage.models import Assignment, Circle, Membership, Reply

MIA = User("Mia")
ANN = User("Ann")
AINO = User("Aino", locale="fi-FI")
CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@pytest.fixture
async def world(settings, engine):
    async with TeamsWorld(settings, engine, at("2026-12-03 13:00")) as w:
        yield w


def prompt_card(world, user: User):
    [card] = [c for c in world.inbox(user) if c.card and any(a["data"].get("kipina") == "prompt.skip"
                                                             for a in c.card.get("actions", []))]
    return card


def assignment_of(card) -> int:
    return int(next(a for a in card.card["actions"] if a["title"] in ("Skip", "Ohita"))["data"]["value"])


async def prompted(world, *users: User):
    for user in users:
        if user.locale != "en-US":
            await world.say(user, "moi")
    await world.command(MIA, "new Learners", people=users)
    await world.command(MIA, "prompt now")
    return [prompt_card(world, u) for u in users]


async def test_an_answer_comes_back_as_the_card_showing_its_start_and_who_reads_it(world, engine):
    [card] = await prompted(world, ANN)
    long_answer = "I asked for help earlier than usual. " * 20
    await world.submit(ANN, card, "Answer", answer=long_answer, visibility="circle")

    [answer] = world.answers
    assert answer["statusCode"] == 200 and answer["type"] == CARD
    shown = world.updates[-1].text
    assert long_answer[:290] in shown and long_answer.strip() not in shown and " …" in shown
    assert "Answered — shared with your circle Learners." in shown
    assert [a["title"] for a in world.updates[-1].card["actions"]] == ["Edit my answer", "Keep private"]
    with Session(engine) as s:
        assert s.exec(select(Reply)).one().text == long_answer.strip()

    await world.submit(ANN, world.updates[-1], "Keep private")
    assert "Answered — kept private" in world.updates[-1].text
    assert long_answer[:100] in world.updates[-1].text
    with Session(engine) as s:
        assert s.exec(select(Reply)).one().visibility == "private"


async def test_a_redelivered_invoke_is_handled_once_and_answered_the_same(world, engine):
    [card] = await prompted(world, ANN)
    body = world.pressed(ANN, card, "Snooze")
    await world.invoke(body, card)
    await world.invoke(body, card)  # Teams sends it again

    assert len(world.answers) == 2 and world.answers[0] == world.answers[1]
    assert "ask again" in world.updates[0].text
    with Session(engine) as s:
        assert s.get(Assignment, assignment_of(card)).snoozes == 1

    answer = world.pressed(ANN, card, "Answer", answer="Once only", visibility="private")
    await world.invoke(answer, card)
    await world.invoke({**answer, "id": "another-delivery-id"}, card)  # even under another id: one reply
    with Session(engine) as s:
        assert [r.text for r in s.exec(select(Reply))] == ["Once only"]


async def test_an_invoke_sent_again_while_the_first_is_at_work_is_answered_with_its_answer(world, engine):
    [card] = await prompted(world, ANN)
    body = world.pressed(ANN, card, "Snooze")
    first, second = await asyncio.gather(world.client.post("/api/messages", json=body),
                                         world.client.post("/api/messages", json=body))
    answers = [await first.json(), await second.json()]
    assert answers[0] == answers[1] and answers[0]["type"] == CARD
    await world.drain()
    with Session(engine) as s:
        assert s.get(Assignment, assignment_of(card)).snoozes == 1


async def test_a_refused_answer_is_said_on_the_card_in_the_persons_language(world, engine):
    [card] = await prompted(world, AINO)
    answer = next(e for e in card.card["body"] if e.get("id") == "answer")
    assert answer["isRequired"] and answer["errorMessage"] == "Kirjoita ensin vastauksesi tähän – lause tai kaksi riittää."

    await world.invoke(world.pressed(AINO, card, "Vastaa", answer="   ", visibility="circle"), card)
    [refusal] = world.answers
    assert refusal["statusCode"] == 200 and refusal["type"] == MESSAGE
    assert refusal["value"] and "answer" not in refusal["value"].lower()  # Finnish, not English
    assert world.updates == [] and world.connector.of("update") == []
    with Session(engine) as s:
        assert s.exec(select(Reply)).all() == []


async def test_a_slow_answer_is_promised_and_the_card_updated_when_done(world, engine):
    world.platform.invokes.wait = 0.0  # every answer is late
    [card] = await prompted(world, ANN)
    await world.submit(ANN, card, "Skip")
    [answer] = world.answers
    assert answer["type"] == MESSAGE and "card will update" in answer["value"]
    [update] = world.connector.of("update")
    assert update.id == card.id and "skip" in update.text.lower()


async def test_a_card_sent_before_universal_actions_still_works(world, engine):
    [card] = await prompted(world, ANN)
    ref = next(a for a in card.card["actions"] if a["title"] == "Skip")["data"]["value"]
    body = world.activity(ANN, replyToId=card.id, value={"kipina": "prompt.skip", "value": ref})  # Action.Submit
    body["conversation"]["id"] = card.conversation_id
    await world.post(body)
    [update] = world.connector.of("update")
    assert update.id == card.id and "skip" in update.text.lower()
    with Session(engine) as s:
        assert s.get(Assignment, assignment_of(card)).skipped_at is not None


async def test_someone_elses_card_action_is_refused(world, engine):
    [card] = await prompted(world, ANN)
    await world.invoke(world.pressed(MIA, card, "Skip"), card)
    [answer] = world.answers
    assert answer["type"] == MESSAGE and answer["value"].strip()
    with Session(engine) as s:
        assert s.get(Assignment, assignment_of(card)).skipped_at is None


async def offered(world, user: User, text: str):
    await world.say(user, text)
    offer = [c for c in world.inbox(user) if any(a.get("contentType") == CONSENT
                                                  for a in c.body.get("attachments") or [])][-1]  # the newest
    return offer, offer.body["attachments"][0]


def consent(world, user: User, offer, card: dict, action: str, context: dict | None = None) -> dict:
    value = {"type": "fileUpload", "action": action,
             "context": context or card["content"]["acceptContext" if action == "accept" else "declineContext"]}
    if action == "accept":
        value["uploadInfo"] = world.connector.upload_info(card["name"])
    body = world.activity(user, "invoke", name="fileConsent/invoke", replyToId=offer.id, value=value)
    return body


async def test_mydata_is_a_json_file_put_in_onedrive_after_consent(world, engine):
    [card] = await prompted(world, AINO)
    await world.submit(AINO, card, "Vastaa", answer="Opin kysymään apua aiemmin.", visibility="private")
    offer, consent_card = await offered(world, AINO, "omat tiedot")

    assert consent_card["name"] == "kipina-my-data.json"
    assert consent_card["content"]["sizeInBytes"] > 100 and consent_card["content"]["description"]
    assert "Opin kysymään" not in json.dumps(offer.body)  # the content is not in the chat

    response = await world.client.post("/api/messages", json=consent(world, AINO, offer, consent_card, "accept"))
    assert response.status == 200
    await world.drain()
    [(name, headers, data)] = world.connector.uploads
    assert name == "kipina-my-data.json" and len(data) == consent_card["content"]["sizeInBytes"]
    assert headers["Content-Range"] == f"bytes 0-{len(data) - 1}/{len(data)}"
    assert "Authorization" not in headers  # the upload URL is pre-authorised: our token stays ours
    exported = json.loads(data)
    assert [a["text"] for a in exported["answers"]] == ["Opin kysymään apua aiemmin."]
    info = world.inbox(AINO)[-1].body
    assert info["attachments"][0]["contentType"] == "application/vnd.microsoft.teams.card.file.info"
    assert info["attachments"][0]["content"]["uniqueId"] == "1150D938-8870-4044-9F2C-5BBDEBA70C9D"
    assert "OneDrivessasi" in info["text"]

    await world.client.post("/api/messages", json=consent(world, AINO, offer, consent_card, "accept"))
    await world.drain()
    assert len(world.connector.uploads) == 1  # an offer is used once
    assert "vanhentunut" in world.inbox(AINO)[-1].text


async def test_an_offer_made_by_another_web_process_is_made_again_when_accepted(world, engine):
    """The offer's content lives in the process that made it; accepted in another one (or after a
    restart), the file is made again from the command in the card's context, for the accepting person."""
    [card] = await prompted(world, AINO)
    await world.submit(AINO, card, "Vastaa", answer="Opin kysymään apua aiemmin.", visibility="private")
    offer, consent_card = await offered(world, AINO, "omat tiedot")
    context = consent_card["content"]["acceptContext"]
    assert context["again"] == "omat tiedot" and context["until"] > time.time()
    world.platform.invokes.offers.waiting.clear()  # this process never made it

    await world.client.post("/api/messages", json=consent(world, AINO, offer, consent_card, "accept"))
    await world.drain()
    [(name, _, data)] = world.connector.uploads
    assert name == "kipina-my-data.json"
    assert [a["text"] for a in json.loads(data)["answers"]] == ["Opin kysymään apua aiemmin."]
    assert "OneDrivessasi" in world.inbox(AINO)[-1].body["text"]

    await world.client.post("/api/messages", json=consent(world, AINO, offer, consent_card, "accept"))
    await world.drain()
    assert len(world.connector.uploads) == 1 and "vanhentunut" in world.inbox(AINO)[-1].text  # once here too

    offer, consent_card = await offered(world, AINO, "omat tiedot")
    world.platform.invokes.offers.waiting.clear()
    late = {**consent_card["content"]["acceptContext"], "until": int(time.time()) - 1}  # the hour has passed
    await world.client.post("/api/messages", json=consent(world, AINO, offer, consent_card, "accept", late))
    await world.drain()
    assert len(world.connector.uploads) == 1 and "vanhentunut" in world.inbox(AINO)[-1].text


async def test_a_declined_or_foreign_file_offer_uploads_nothing(world, engine):
    offer, consent_card = await offered(world, ANN, "mydata")
    stolen = consent(world, MIA, offer, consent_card, "accept")  # Mia replays Ann's token
    await world.client.post("/api/messages", json=stolen)
    await world.drain()
    assert world.connector.uploads == []
    assert "expired" in world.inbox(MIA)[-1].text

    await world.client.post("/api/messages", json=consent(world, ANN, offer, consent_card, "decline"))
    await world.drain()
    assert world.connector.uploads == []
    assert "no file" in world.inbox(ANN)[-1].text


async def test_a_failed_upload_says_so(world, engine):
    offer, consent_card = await offered(world, ANN, "mydata")
    world.connector.upload_status = 500
    await world.client.post("/api/messages", json=consent(world, ANN, offer, consent_card, "accept"))
    await world.drain()
    assert len(world.connector.uploads) == 1
    assert "could not be saved" in world.inbox(ANN)[-1].text


async def test_mydata_in_a_channel_goes_to_the_personal_chat_without_a_public_note(world, engine):
    await world.say(ANN, "hello")
    await world.command(ANN, "mydata")
    assert any(a.get("contentType") == CONSENT for c in world.inbox(ANN) for a in c.body.get("attachments") or [])
    channel_posts = [c for c in world.connector.posted if c.conversation_id != ANN.personal]
    assert channel_posts == []


async def test_a_mention_whose_entity_text_differs_from_the_message_still_names_the_person(world, engine):
    # Microsoft's own sample: the message says <at>Pranav Smith</at>, the entity <at>@Pranav Smith</at>
    bot_text, bot_entity = world.mention("bot")
    entity = {"type": "mention", "text": "<at>@Pranav Smith</at>",
              "mentioned": {"id": "29:08q2j2o3jc09au90eucae", "name": "Pranav Smith"}}
    body = world.activity(MIA, where="channel", text=f"{bot_text} new Learners <at>Pranav Smith</at>",
                          textFormat="plain")
    body["entities"] = [bot_entity, entity] + body["entities"]
    await world.post(body)
    with Session(engine) as s:
        [circle] = s.exec(select(Circle)).all()
        members = s.exec(select(Membership).where(Membership.circle_id == circle.id)).all()
    assert circle.name == "Learners"
    assert len(members) == 2  # Mia, who mentors, and Pranav


async def test_the_dashboard_link_is_tappable(world, engine):
    await world.say(AINO, "koontinäyttö")
    [card] = [c for c in world.inbox(AINO) if "/dashboard/signin/" in c.text.replace("\u200b", "")]
    [run] = [r for b in card.card["body"] for r in b.get("inlines", []) if "selectAction" in r]
    shown = run["text"].replace("\u200b", "")  # zero-width spaces let the shown address wrap on a phone
    assert run["selectAction"]["type"] == "Action.OpenUrl" and run["selectAction"]["url"] == shown != run["text"]
    assert "/dashboard/signin/" in shown
    linked = [r for b in card.card["body"] for r in b.get("inlines", []) if r.get("selectAction")]
    assert linked == [run]  # nothing else in the card is a link


async def test_a_button_that_answers_with_a_new_message_leaves_its_card_and_posts_the_message(world, engine):
    await world.say(ANN, "hello")
    [greeting] = [c for c in world.inbox(ANN) if c.card and any(a["data"].get("kipina") == "chat.help"
                                                                for a in c.card.get("actions", []))]
    before = len(world.inbox(ANN))
    await world.submit(ANN, greeting, next(a["title"] for a in greeting.card["actions"]
                                           if a["data"]["kipina"] == "chat.help"))
    [answer] = world.answers
    assert answer["type"] == MESSAGE and answer["value"].strip()  # Teams shows it on the card
    assert world.updates == []  # the greeting stays as it was
    assert any("Kipinä — commands" in c.text for c in world.inbox(ANN)[before:])
