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

from bot.common.i18n import t
from fakes.teams_issuer import ChannelKeys, LocalAuthority
from fakes.teams_world import BOT, CHANNEL as BOT_CHANNEL, TENANT, TeamsWorld, User
from harness import at
from storage.models import Participation, Person, Reply

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


# -- files with an answer, old-format channel messages: through the SDK's token check --------------
#
# Microsoft's samples, with our tenant, service URL and people where Kipinä needs its own:
#   msteams-docs bots/how-to/bots-filesv4.md, "Message activity with file attachment example";
#   msteams-docs bots/how-to/conversations/conversation-messages.md, "Receive a message" (JSON tab);
#   msteams-docs bots/how-to/conversations/channel-and-group-conversations.md, "Retrieve mentions" (JSON tab);
#   microsoft/teams-sdk teams.md/.../file-handling/receiving-inline-images.mdx (its "..." filled in);
#   aosolis/visionsample-msteams-node README, "Directly inserting images into compose box".

APP_ID = BOT["id"].removeprefix("28:")
SECRET = "not-a-real-secret"
FILE = {"contentType": "application/vnd.microsoft.teams.file.download.info",
        "contentUrl": "https://contoso.sharepoint.com/personal/johnadams_contoso_com/Documents/Applications/"
                      "file_example.txt",
        "name": "file_example.txt",
        "content": {"downloadUrl": "https://download.link", "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
                    "fileType": "txt", "etag": "123"}}
PASTED = {"contentType": "image/*", "contentUrl": "https://smba.trafficmanager.net/amer-client-ss.msg/v3/attachments/"
                                                  "0-cus-d7-e0ee4ec513aecf2e64124d1b11de2878/views/original"}
INLINE = [{"contentType": "image/png",
           "contentUrl": "https://smba.trafficmanager.net/emea/v3/attachments/0-weu-d3-5ab8/views/original"},
          {"contentType": "text/html",
           "content": '<p><img src="https://eu-api.asm.skype.com/v1/objects/0-weu-d3-5ab8/views/imgo" width="250" '
                      'height="250" itemscope="" itemtype="http://schema.skype.com/AMSImage"></p>'}]
RICH = ("Hello Teams TestBot.Sending bold-italic rich text",
        [{"contentType": "text/html",
          "content": "<div><div>Hello Teams TestBot. Sending <strong>bold</strong>-<em>italic</em> rich text.</div>\n"
                     "</div>"}])
CARD = {"contentType": "application/vnd.microsoft.card.adaptive",
        "content": {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hi"}]}}


@pytest.fixture
async def signed(settings, engine, tmp_path, monkeypatch):
    """A world with MICROSOFT_APP_ID set: each activity carries a token signed with the local channel's
    keys and is checked by the SDK TEAMS_SDK names; replies carry the local authority's token."""
    authority = await LocalAuthority(tmp_path, APP_ID, SECRET).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", authority.ca_file)
    keys = await ChannelKeys().start()
    env = dict(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD=SECRET, TEAMS_ENABLED="", MICROSOFT_APP_TYPE="MultiTenant",
               MICROSOFT_OPENID_METADATA_URL=keys.url, MICROSOFT_AUTHORITY=authority.authority())

    def sign(body: dict) -> dict:
        return {"Authorization": f"Bearer {keys.token(body.get('serviceUrl') or '', APP_ID)}"}

    try:
        async with TeamsWorld(settings, engine, at("2026-12-03 13:00"), env=env, sign=sign) as w:
            yield w
    finally:
        await keys.stop()
        await authority.stop()


async def prompted(world) -> None:
    """Mia's circle Learners with Ann in a channel, a reflection prompt sent to both."""
    await world.command(MIA, "new Learners", people=[ANN])
    await world.command(MIA, "prompt now")


def answers(engine) -> list[str]:
    with Session(engine) as s:
        return [r.text for r in s.exec(select(Reply))]


def said(world, user: User) -> str:
    return "\n".join(c.text for c in world.inbox(user))


async def test_an_unsigned_activity_is_refused_in_the_signed_world(signed):
    response = await signed.client.post("/api/messages", json=signed.activity(ANN, text="help"))
    assert response.status == 401
    assert signed.connector.calls == []


@pytest.mark.parametrize("text, attachments, stored", [
    ("Here is what we drew", [FILE], "Here is what we drew\n📎 file_example.txt"),
    (None, [FILE], "📎 file_example.txt"),
    (None, [PASTED], "📎"),
    (None, INLINE, "📎"),  # the picture and the html showing it: one file
    ("Our board", [INLINE[1]], "Our board\n📎"),  # a picture only in the html, as in some channels
    (RICH[0], RICH[1], RICH[0]),  # html that mirrors the text is no file
    ("Plain words", [CARD], "Plain words"),  # a card is no file
], ids=["words and a file", "a file alone", "a pasted picture", "inline picture", "picture in html only",
        "rich text", "card"])
async def test_a_reply_with_files_is_the_answer_and_notes_each_file(signed, engine, text, attachments, stored):
    await prompted(signed)
    body = signed.activity(ANN, attachments=attachments, **({"text": text} if text is not None else {}))
    assert (await signed.post(body)).status in (200, 201)

    assert answers(engine) == [stored]
    assert t("en", "answer.empty") not in said(signed, ANN)
    assert "will be shared with your circle Learners" in signed.inbox(ANN)[-1].text


async def test_emoji_in_the_html_are_not_files(signed, engine):
    await prompted(signed)
    html = ('<p>I learnt to ask early <img itemscope="" itemtype="http://schema.skype.com/Emoji" alt="🙂" '
            'src="https://statics.teams.cdn.office.net/evergreen-assets/personal-expressions/v2/assets/emoticons/'
            'smile/default/20_f.png"></p>')
    await signed.post(signed.activity(ANN, text="I learnt to ask early 🙂", attachments=[
        {"contentType": "text/html", "content": html}]))
    assert answers(engine) == ["I learnt to ask early 🙂"]


async def test_a_file_added_by_an_edit_is_noted_in_the_stored_answer(signed, engine):
    await prompted(signed)
    answer = signed.activity(ANN, text="First thoughts")
    await signed.post(answer)
    edited = signed.activity(ANN, "messageUpdate", id=answer["id"], text="First thoughts", attachments=[PASTED])
    edited["channelData"]["eventType"] = "editMessage"
    await signed.post(edited)
    assert answers(engine) == ["First thoughts\n📎"]


def test_file_lines_read_as_on_slack():
    from bot.platforms.slack.inbound import with_files as slack_lines
    from bot.platforms.teams.attachments import with_files as teams_lines

    for name in ("board.jpg", "  two   words\n.png ", "x" * 150, ""):
        assert teams_lines("words", [{"contentType": "image/png", "name": name}]) == \
            slack_lines("words", [{"name": name}])


def docs_channel_message(world, conversation_id: str, **changes) -> dict:
    """channel-and-group-conversations.md's message: no conversationType, no channelData, and the bot
    (recipient) not mentioned; the tenant added (Teams sends it; Kipinä ignores activities without one)."""
    body = {
        "type": "message", "text": "Hey <at>Pranav Smith</at> check out this message",
        "timestamp": "2017-10-29T00:51:05.9908157Z", "localTimestamp": "2017-10-28T17:51:05.9908157-07:00",
        "serviceUrl": world.connector.url, "channelId": "msteams",
        "from": {"id": "29:9e52142b-5e5e-4d7b-bb3e-e82dcf620000", "name": "Jane Smith"},
        "conversation": {"id": conversation_id},
        "recipient": {"id": "8:orgid:6aebbad0-e5a5-424a-834a-20fb051f3c1a", "name": "stlrgload100"},
        "attachments": [{"contentType": "image/png", "name": "Bender_Rodriguez.png",
                         "contentUrl": "https://upload.wikimedia.org/wikipedia/en/a/a6/Bender_Rodriguez.png"}],
        "entities": [{"type": "mention", "mentioned": {"id": "29:08q2j2o3jc09au90eucae", "name": "Pranav Smith"},
                      "text": "<at>@Pranav Smith</at>"}],
        "replyToId": "3UP4UTkzUk1zzeyW",
        "channelData": {"tenant": {"id": TENANT}},
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("conversation_id, channel_data", [
    ("19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype;messageid=1481567603816", None),  # as in the docs
    ("19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.tacv2;messageid=1481567603816", None),
    ("19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype", None),
    ("19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype", {"team": {"id": TEAM}}),
], ids=["thread.skype thread", "thread.tacv2 thread", "channel id only", "channelData.team"])
async def test_an_unmentioned_old_format_channel_message_is_ignored_quietly(signed, caplog, conversation_id,
                                                                           channel_data):
    caplog.set_level(logging.WARNING)
    body = docs_channel_message(signed, conversation_id)
    if channel_data:
        body["channelData"].update(channel_data)
    response = await signed.post(body)
    assert response.status in (200, 201)
    assert signed.connector.calls == []  # not taken for a personal chat: no "Nothing is waiting…" in the channel
    assert loud(caplog) == []


async def test_an_old_format_reply_in_the_bots_thread_counts_as_taking_part(signed, engine):
    await signed.command(MIA, "new Learners", people=[ANN])
    await signed.command(MIA, "coffee now")
    [post] = signed.connector.to(BOT_CHANNEL)
    before = len(signed.connector.calls)

    reply = docs_channel_message(signed, f"{BOT_CHANNEL};messageid={post.id}", id="1700000000999",
                                 **{"from": ANN.account(), "recipient": dict(BOT)})
    await signed.post(reply)

    with Session(engine) as s:
        taking_part = s.exec(select(Participation)).all()
        ann = s.exec(select(Person).where(Person.platform_user_id == ANN.id)).one()
    assert [p.person_id for p in taking_part] == [ann.id]
    assert len(signed.connector.calls) == before  # nothing said in the channel


@pytest.mark.parametrize("conversation_id", [
    "a:17I0kl9EkpE1O9PH5TWrzrLNwnWWcfrU7QZjKR0WSfOpzbfcAg2IaydGElSo10tVr4C7Fc6GtieTJX663WuJCc1uA83n4CSrHSgGBj5XNY"
    "LcVlJAs2ZX8DbYBPck201w-",
    "8:orgid:7faf8ab2-3d56-4244-b585-20c8a42ed2b8",
])
async def test_a_personal_chat_without_a_conversation_type_is_still_personal(signed, conversation_id):
    # conversation-messages.md's "Receive a message", conversationType left out as older payloads do
    body = {
        "type": "message", "id": "1485983408511", "timestamp": "2017-02-01T21:10:07.437Z",
        "localTimestamp": "2017-02-01T14:10:07.437-07:00", "serviceUrl": signed.connector.url,
        "channelId": "msteams",
        "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
                 "name": "Megan Bowen", "aadObjectId": "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"},
        "conversation": {"id": conversation_id},
        "recipient": {"id": "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", "name": "Teams TestBot"},
        "textFormat": "plain", "text": "help",
        "attachments": [{"contentType": "text/html", "content": "<div><div>help</div>\n</div>"}],
        "entities": [{"locale": "en-US", "country": "US", "platform": "Windows", "timezone": "America/Los_Angeles",
                      "type": "clientInfo"}],
        "channelData": {"tenant": {"id": "72f988bf-86f1-41af-91ab-2d7cd011db47"}}, "locale": "en-US",
    }
    await signed.post(body)
    [answer] = signed.connector.to(conversation_id)
    assert "Kipinä — commands" in answer.text
