"""Activities as Teams really sends them, through the real route: the shapes are copied from the
samples in Microsoft's Teams documentation (MicrosoftDocs/msteams-docs: bots/how-to/conversations,
subscribe-to-conversation-events.md, conversation-messages.md), with our ids.

Teams adds event types at any time and says a bot must expect them: whatever Kipinä does not
handle gets a quiet 200/201 and nothing is stored or sent; only what is not an activity gets a 4xx.
"""
from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, select

from fakes.teams_world import BOT, TENANT, TeamsWorld, User
from harness import at
from storage.models import Person, Reply

ANN = User("Ann")
MIA = User("Mia")
TEAM = "19:efa9296d959346209fea44151c742e73@thread.skype"
CHANNEL = "19:6d97d816470f481dbcda38244b98689a@thread.skype"


@pytest.fixture
async def world(settings, engine):
    async with TeamsWorld(settings, engine, at("2026-12-03 13:00")) as w:
        yield w


def base(world, kind: str, conversation: dict, channel_data: dict, sender: dict | None = None, **extra) -> dict:
    return {"type": kind, "timestamp": "2017-02-23T19:34:07.478Z", "localTimestamp": "2017-02-23T12:34:07.478-07:00",
            "id": "f:dd6ec311", "channelId": "msteams", "serviceUrl": world.connector.url,
            "from": sender or {"id": ANN.id, "aadObjectId": ANN.aad}, "conversation": conversation,
            "recipient": dict(BOT), "channelData": {**channel_data, "tenant": {"id": TENANT}}, **extra}


def in_team(world, kind: str, event_type: str | None = None, channel: dict | None = None, **extra) -> dict:
    data = {"team": {"id": TEAM, "name": "Team Name"}}
    if channel:
        data["channel"] = channel
    if event_type:
        data["eventType"] = event_type
    return base(world, kind, {"isGroup": True, "conversationType": "channel", "id": TEAM}, data, **extra)


def personal(world, kind: str, **extra) -> dict:
    return base(world, kind, {"conversationType": "personal", "id": ANN.personal, "tenantId": TENANT}, {},
                sender=ANN.account(), **extra)


ACTIVITIES = {
    "channelCreated": lambda w: in_team(w, "conversationUpdate", "channelCreated",
                                        {"id": CHANNEL, "name": "FunDiscussions"}),
    "channelRenamed": lambda w: in_team(w, "conversationUpdate", "channelRenamed",
                                        {"id": CHANNEL, "name": "PhotographyUpdates"}),
    "channelDeleted": lambda w: in_team(w, "conversationUpdate", "channelDeleted", {"id": CHANNEL, "name": "X"}),
    "channelRestored": lambda w: in_team(w, "conversationUpdate", "channelRestored", {"id": CHANNEL, "name": "X"}),
    "teamRenamed": lambda w: in_team(w, "conversationUpdate", "teamRenamed"),
    "teamDeleted": lambda w: in_team(w, "conversationUpdate", "teamDeleted"),
    "teamArchived": lambda w: in_team(w, "conversationUpdate", "teamArchived"),
    "teamMemberRemoved (the bot)": lambda w: in_team(w, "conversationUpdate", "teamMemberRemoved",
                                                     membersRemoved=[{"id": BOT["id"]}]),
    "teamMemberAdded (a person)": lambda w: in_team(w, "conversationUpdate", "teamMemberAdded",
                                                    membersAdded=[{"id": MIA.id, "aadObjectId": MIA.aad}]),
    "reactionsAdded": lambda w: in_team(w, "messageReaction", channel={"id": CHANNEL},
                                        reactionsAdded=[{"type": "like"}], replyToId="1575667808184",
                                        legacy={"replyToId": "1:19uJ8TZA1cZcms7-2HLOW3pWRF4nSWEoVnRqc0DPa_kY"}),
    "reactionsRemoved": lambda w: personal(w, "messageReaction", reactionsRemoved=[{"type": "heart"}],
                                           replyToId="1575667808184"),
    "installationUpdate remove": lambda w: personal(w, "installationUpdate", action="remove"),
    "typing": lambda w: personal(w, "typing"),
    "endOfConversation": lambda w: personal(w, "endOfConversation", code="userCancelled"),
    "event readReceipt": lambda w: personal(w, "event", name="application/vnd.microsoft.readReceipt",
                                            value={"lastReadMessageId": "1678771912119"}),
    "messageUpdate editMessage": lambda w: {**personal(w, "messageUpdate", text="edited answer",
                                                       textFormat="plain"), "channelData": {
                                                "eventType": "editMessage", "tenant": {"id": TENANT}}},
    "messageDelete softDeleteMessage": lambda w: {**personal(w, "messageDelete"), "channelData": {
                                                  "eventType": "softDeleteMessage", "tenant": {"id": TENANT}}},
    "invoke adaptiveCard/action": lambda w: personal(w, "invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "id": "x", "verb": "refresh", "data": {}}, "trigger": "manual"}),
    "invoke composeExtension/query": lambda w: personal(w, "invoke", name="composeExtension/query", value={
        "commandId": "search", "parameters": [{"name": "q", "value": "kahvi"}],
        "queryOptions": {"skip": 0, "count": 25}}),
    "invoke of a name nobody knows": lambda w: personal(w, "invoke", name="kipina/never-heard-of", value={}),
}


def loud(caplog) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records
            if r.levelno >= logging.WARNING and r.name.startswith(("kipina", "botbuilder", "botframework"))]


@pytest.mark.parametrize("name", sorted(ACTIVITIES))
async def test_activities_kipina_does_not_handle_get_a_quiet_2xx(world, engine, caplog, name):
    caplog.set_level(logging.WARNING)
    response = await world.post(ACTIVITIES[name](world))
    assert response.status in (200, 201), await response.text()
    assert loud(caplog) == []
    assert world.connector.calls == []
    with Session(engine) as s:
        assert s.exec(select(Person)).all() == []


async def test_a_message_with_an_html_attachment_is_read_as_its_text(world, engine):
    # conversation-messages.md: Teams sends rich text both as `text` and as a text/html attachment
    await world.say(MIA, "help", attachments=[{"contentType": "text/html", "content": "<div><div>help</div></div>"}])
    assert any("Kipinä — commands" in c.text for c in world.inbox(MIA))


@pytest.mark.parametrize("body", [
    {"type": "message", "from": "Ann"},
    {"type": "message", "conversation": ["not", "an", "object"]},
    {"type": "message", "entities": [{"type": "mention", "mentioned": {"name": "no id"}}]},
    {"no": "type"},
])
async def test_what_is_not_an_activity_gets_a_4xx(world, engine, body):
    response = await world.client.post("/api/messages", json=body)
    assert 400 <= response.status < 500
    await world.platform.idle()
    with Session(engine) as s:
        assert s.exec(select(Reply)).all() == [] and s.exec(select(Person)).all() == []
