"""Teams as the bot sees it on the wire: Activities posted to /api/messages of the real aiohttp
app, with `serviceUrl` pointing at a local mock connector that records what the bot sends back."""
from __future__ import annotations

import importlib.util
import itertools
import json
import os
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import jsonschema
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.app import build
from bot.runtime.clock import ManualClock
from bot.runtime.web import make_web_app
from fakes.teams_connector import Call, MockConnector
from harness import with_env

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"  # official schemas, see SOURCE.txt there
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT = {"id": "28:9a1f3c2e-5b7d-4e8a-9c0f-1d2e3f4a5b6c", "name": "Kipinä"}
CHANNEL = "19:3b1c8a2f6d7e4f5a9b0c1d2e3f4a5b6c@thread.tacv2"
TEAM = "19:team0000000000000000000000000000@thread.tacv2"
GROUP = "19:meeting_chat_0001@thread.v2"
# Which SDK the Teams tests run on: `TEAMS_SDK=botbuilder pytest …` for the old path
# (tests/test_teams_auth.py runs on both either way). botbuilder is the extra kipina[botbuilder]:
# without it those tests are skipped (CI installs it: `make test EXTRA=botbuilder`).
SDK = os.environ.get("TEAMS_SDK") or "agents"
BOTBUILDER = importlib.util.find_spec("botbuilder") is not None
NO_BOTBUILDER = "botbuilder is not installed (the extra kipina[botbuilder]: make test EXTRA=botbuilder)"


def sdk_param(name: str):
    """A test parameter for an SDK, skipped when it is the extra and that is not installed."""
    return pytest.param(name, marks=pytest.mark.skipif(name == "botbuilder" and not BOTBUILDER, reason=NO_BOTBUILDER))


@dataclass(frozen=True)
class User:
    name: str
    locale: str = "en-US"
    timezone: str | None = "Europe/Helsinki"

    @property
    def id(self) -> str:
        return f"29:{self.name.lower()}-id"

    @property
    def aad(self) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{self.name.lower()}.example.org"))

    @property
    def personal(self) -> str:
        return f"a:personal-{self.id}"  # what the mock connector names a 1:1 conversation

    def account(self) -> dict:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}


def _validator(name: str, ref: str | None = None):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    if ref:
        schema = {"$ref": ref, "definitions": schema["definitions"]}
    return jsonschema.validators.validator_for(schema)(schema)


CARD_SCHEMA = _validator("adaptive-card.json")
ACTIVITY_SCHEMA = _validator("botframework.json", "#/definitions/Activity")


def elements(card: dict, kind: str) -> list[dict]:
    """Every element of this type in a card, however deep, in order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == kind:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def check_card(card: dict) -> None:
    """Adaptive Cards 1.5, Teams' own `msteams` property aside."""
    CARD_SCHEMA.validate({k: v for k, v in card.items() if k != "msteams"})


def check_activity(body: dict) -> None:
    ACTIVITY_SCHEMA.validate(body)
    for attachment in body.get("attachments") or []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            check_card(attachment["content"])


class TeamsWorld:
    def __init__(self, settings, engine, start, env: dict | None = None, sign=None):
        """`env` adds settings (MICROSOFT_APP_ID: the SDK's token check on); `sign(activity)` gives the
        headers with the channel's token for it (see tests/fakes/teams_issuer.py)."""
        self.settings, self.engine, self.start = settings, engine, start
        self.env, self.sign = env or {}, sign
        self.connector = MockConnector()
        self.ids = itertools.count(1)
        self.client: TestClient | None = None
        self.answers: list[dict] = []  # what invokes were answered, in order
        self.updates: list[Call] = []  # cards shown in place of the card whose button was pressed

    async def __aenter__(self) -> "TeamsWorld":
        if SDK == "botbuilder" and not BOTBUILDER:
            pytest.skip(NO_BOTBUILDER)
        await self.connector.start()
        settings = with_env(replace(self.settings, timezone="Europe/Helsinki"),
                            **{"TEAMS_ENABLED": "true", "MICROSOFT_APP_ID": "", "TEAMS_SDK": SDK, **self.env})
        self.app = build(settings, clock=ManualClock(self.start), platform_names=["teams"], engine=self.engine)
        self.platform = self.app.platforms["teams"]
        assert self.platform.sdk.name == SDK
        self.client = TestClient(TestServer(make_web_app(self.app)))
        await self.client.start_server()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.close()
        await self.connector.stop()

    # -- time and the outbox ---------------------------------------------------------------------

    @property
    def now(self):
        return self.app.clock.now()

    async def tick(self, when) -> dict:
        report = await self.app.tick(when)
        await self.drain()
        return report

    async def drain(self, settle: float = 0.0):
        await self.platform.idle()
        stats = await self.app.dispatcher.drain(self.app.clock.now, settle=settle)
        for call in self.connector.calls:
            check_activity(call.body) if call.kind not in ("create", "delete") else None  # those carry none
        return stats

    # -- what Teams sends ------------------------------------------------------------------------

    def activity(self, user: User, kind: str = "message", where: str = "personal", **extra) -> dict:
        number = next(self.ids)
        if where == "personal":
            conversation = {"conversationType": "personal", "tenantId": TENANT, "id": user.personal}
            channel_data = {"tenant": {"id": TENANT}}
        elif where == "group":
            conversation = {"isGroup": True, "conversationType": "groupChat", "tenantId": TENANT, "id": GROUP}
            channel_data = {"tenant": {"id": TENANT}}
        else:
            root = extra.pop("thread", None) or f"1700000000{number:03d}"
            conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                            "id": f"{CHANNEL};messageid={root}", "name": "Learners"}
            channel_data = {"teamsChannelId": CHANNEL, "teamsTeamId": TEAM, "team": {"id": TEAM},
                            "channel": {"id": CHANNEL, "name": "Learners"}, "tenant": {"id": TENANT}}
        body = {
            "type": kind, "id": f"1700000000{number:03d}", "timestamp": "2026-12-03T12:00:00.000Z",
            "serviceUrl": self.connector.url, "channelId": "msteams", "from": user.account(),
            "conversation": conversation, "recipient": dict(BOT), "channelData": channel_data,
            "locale": user.locale,
            "entities": [{"type": "clientInfo", "locale": user.locale, "country": "FI", "platform": "Web",
                          **({"timezone": user.timezone} if user.timezone else {})}],
        }
        if user.timezone:
            body["localTimezone"] = user.timezone
        body.update(extra)
        return body

    def mention(self, who) -> tuple[str, dict]:
        account = BOT if who == "bot" else who.account()
        text = f"<at>{account['name']}</at>"
        return text, {"type": "mention", "text": text, "mentioned": {k: v for k, v in account.items()}}

    def signed(self, body: dict, headers: dict | None = None) -> dict:
        return {**(self.sign(body) if self.sign else {}), **(headers or {})}

    async def post(self, body: dict, headers: dict | None = None, settle: bool = True):
        response = await self.client.post("/api/messages", json=body, headers=self.signed(body, headers))
        if settle:
            await self.drain()
        return response

    async def say(self, user: User, text: str, **extra):
        """A line typed in the personal chat with the bot."""
        return await self.post(self.activity(user, text=text, textFormat="plain", **extra))

    async def command(self, user: User, text: str, people=(), where: str = "channel", settle: bool = True, **extra):
        """`@Kipinä <text>` in a channel; `people` are @mentioned after the text."""
        bot_text, bot_entity = self.mention("bot")
        entities, parts = [bot_entity], [bot_text, text]
        for person in people:
            shown, entity = self.mention(person)
            parts.append(shown)
            entities.append(entity)
        body = self.activity(user, where=where, text=" ".join(parts), textFormat="plain", **extra)
        body["entities"] = entities + body["entities"]
        response = await self.post(body, settle=settle)
        if not settle:
            await self.platform.idle()  # direct replies done; the outbox not drained yet
        return response

    def pressed(self, user: User, card_call: Call, label: str, **inputs) -> dict:
        """The activity Teams sends when `label` is pressed on a card the bot sent, its inputs with it:
        an adaptiveCard/action invoke for an Action.Execute, a message with a value for an Action.Submit."""
        action = next(a for a in card_call.card["actions"] if a["title"] == label)
        value = dict(action["data"])
        if action.get("associatedInputs") != "none":
            for element in card_call.card["body"]:
                if element.get("type", "").startswith("Input."):
                    value[element["id"]] = inputs.get(element["id"], element.get("value", ""))
        if action["type"] != "Action.Execute":
            body = self.activity(user, replyToId=card_call.id, value=value)
        else:
            invoke = {"action": {"type": "Action.Execute", "id": f"action-{next(self.ids)}", "verb": action["verb"],
                                 "data": value}, "trigger": "manual"}
            body = self.activity(user, "invoke", name="adaptiveCard/action", replyToId=card_call.id, value=invoke)
        body["conversation"]["id"] = card_call.conversation_id
        return body

    async def submit(self, user: User, card_call: Call, label: str, **inputs):
        """Press a button of a card the bot sent. An invoke's answer (a card, or a message Teams shows
        on the card) is kept in `answers`, a card in `updates` too."""
        body = self.pressed(user, card_call, label, **inputs)
        if body["type"] == "invoke":
            return await self.invoke(body, card_call)
        return await self.post(body)

    async def invoke(self, body: dict, card_call: Call | None = None):
        """Post an invoke as Teams does and keep what it was answered."""
        response = await self.client.post("/api/messages", json=body, headers=self.signed(body))
        assert response.status == 200, await response.text()
        answer = await response.json()
        self.answers.append(answer)
        if answer.get("type") == "application/vnd.microsoft.card.adaptive":
            check_card(answer["value"])
            shown = {"type": "message", "attachments": [{"contentType": answer["type"], "content": answer["value"]}]}
            self.updates.append(Call("invoke", body["conversation"]["id"], card_call.id if card_call else None, shown))
        await self.drain()
        return response

    # -- what the bot sent -----------------------------------------------------------------------

    def inbox(self, user: User) -> list[Call]:
        return self.connector.to(user.personal)

    def cards(self, user: User, heading: str) -> list[Call]:
        return [c for c in self.inbox(user) if heading in c.text]
