"""A Slack test world: the real app (bolt AsyncApp on the real aiohttp route) against the local
Slack Web API, with requests signed like Slack signs them."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.app import App, build
from bot.runtime.clock import ManualClock
from bot.runtime.web import make_web_app
from harness import with_env
from fakes.slack_api import TEAM, Call, SlackApi
from fakes.slack_checks import assert_all_sent_valid, assert_valid_payload

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    status: int
    body: str

    @property
    def json(self) -> dict:
        return json.loads(self.body) if self.body else {}


class SlackWorld:
    def __init__(self, app: App, api: SlackApi, client: TestClient | None):
        self.app, self.api, self.client = app, api, client
        self.platform = app.platforms["slack"]
        self.ids = itertools.count(1)

    # -- sending what Slack sends ------------------------------------------------------------

    async def post(self, body: str, content_type: str, headers: dict | None = None, **sign) -> Reply:
        all_headers = {"Content-Type": content_type, **signed(body, **sign), **(headers or {})}
        response = await self.client.post("/slack/events", data=body.encode(), headers=all_headers)
        return Reply(response.status, await response.text())

    async def command(self, user: str, text: str, channel: str = "CLEARN", channel_name: str = "learners",
                      settle: bool = True, slash: str = "/circle", **sign) -> Reply:
        n = next(self.ids)
        form = {"token": "legacy", "team_id": TEAM, "team_domain": "test", "channel_id": channel,
                "channel_name": channel_name, "user_id": user, "user_name": user.lower(), "command": slash,
                "text": text, "api_app_id": "AKIPINA", "response_url": f"{self.api.url}/respond/{n}",
                "trigger_id": f"trigger-{n}"}
        reply = await self.post(urlencode(form), "application/x-www-form-urlencoded", **sign)
        if reply.status == 200 and reply.body:
            assert_valid_payload(reply.json)
        if settle:
            await self.settle()
            return self.answer(reply, str(n))
        return reply

    def answer(self, ack: Reply, key: str) -> Reply:
        """What the caller sees of a command: the first message sent to its response_url (the
        ack itself is empty), or the ack when nothing came that way."""
        answers = [c for c in self.api.of("response_url") if c.url_key == key]
        if ack.status != 200 or ack.body or not answers:
            return ack
        return Reply(ack.status, json.dumps(answers[0].params))

    async def interact(self, payload: dict, **sign) -> Reply:
        reply = await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded",
                                **sign)
        await self.settle()
        return reply

    async def press(self, user: str, post: Call, action: str, ephemeral: bool = False) -> Reply:
        """Press the button of `action` (e.g. prompt.answer) on a message the bot posted."""
        blocks = post.blocks()
        block, element = next((b, e) for b in blocks if b.get("type") == "actions" for e in b["elements"]
                              if e["action_id"].startswith(f"kipina:{action}:"))
        channel = post.result.get("channel") or post.params.get("channel")
        ts = post.result.get("ts") or post.params.get("ts")
        n = next(self.ids)
        return await self.interact({
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "AKIPINA", "token": "legacy", "trigger_id": f"trigger-{n}",
            "team": {"id": TEAM, "domain": "test"},
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral},
            "channel": {"id": channel, "name": "directmessage" if channel.startswith("D") else "learners"},
            "message": {"type": "message", "ts": ts, "bot_id": "BKIPINA", "blocks": blocks},
            "response_url": f"{self.api.url}/respond/{n}",
            "actions": [{"action_id": element["action_id"], "block_id": block["block_id"],
                         "value": element.get("value"), "type": "button", "action_ts": str(time.time())}]})

    async def press_home(self, user: str, published: Call, action: str) -> Reply:
        """Press a button in the App Home tab that views.publish showed."""
        view = published.result["view"]
        block, element = next((b, e) for b in view["blocks"] if b.get("type") == "actions" for e in b["elements"]
                              if e["action_id"].startswith(f"kipina:{action}:"))
        return await self.interact({
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "AKIPINA", "token": "legacy", "trigger_id": f"trigger-{next(self.ids)}",
            "team": {"id": TEAM, "domain": "test"}, "container": {"type": "view", "view_id": view["id"]},
            "view": view, "actions": [{"action_id": element["action_id"], "block_id": block["block_id"],
                                       "value": element.get("value"), "type": "button"}]})

    async def submit(self, user: str, opened: Call, answer: str, visibility: str | None = None) -> Reply:
        """Submit the modal that views.open showed."""
        view = opened.result["view"]
        values = {"answer": {"answer": {"type": "plain_text_input", "value": answer}}}
        if visibility is not None:
            values["visibility"] = {"visibility": {"type": "radio_buttons", "selected_option": {"value": visibility}}}
        return await self.interact({
            "type": "view_submission", "team": {"id": TEAM, "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM}, "api_app_id": "AKIPINA",
            "token": "legacy", "trigger_id": f"trigger-{next(self.ids)}",
            "view": {**view, "state": {"values": values}}})

    async def event(self, event: dict, event_id: str | None = None, retry: int | None = None, **sign) -> Reply:
        body = json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "AKIPINA", "type": "event_callback",
                           "event": event, "event_id": event_id or f"Ev{next(self.ids):06d}",
                           "event_time": int(time.time()),
                           "authorizations": [{"team_id": TEAM, "user_id": "UKIPINA", "is_bot": True}]})
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        reply = await self.post(body, "application/json", headers=headers, **sign)
        await self.settle()
        return reply

    def dm_event(self, user: str, text: str, thread_ts: str | None = None, ts: str | None = None) -> dict:
        event = {"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text,
                 "ts": ts or f"{1_900_000_000 + next(self.ids)}.000300", "client_msg_id": f"m-{next(self.ids)}"}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    # -- time and the outbox -----------------------------------------------------------------

    async def settle(self) -> None:
        await self.platform.idle()

    async def drain(self, settle: float = 0.0):
        stats = await self.app.dispatcher.drain(self.app.clock.now, settle=settle)
        await self.settle()
        return stats

    async def tick(self, when: datetime):
        report = await self.app.tick(when)
        await self.drain()
        return report

    def dms(self, user: str) -> list[Call]:
        return self.api.posts(user)

    def prompts(self, user: str) -> list[Call]:
        return [c for c in self.dms(user) if any(a.startswith("kipina:prompt.answer") for a in c.action_ids())]


async def open_world(settings, engine, start: datetime, **overrides) -> tuple[SlackWorld, SlackApi]:
    """Start the local Slack API and the app's web server on it; close with close_world().
    `overrides`: environment variables (SLACK_APP_TOKEN="xapp-…")."""
    api = SlackApi()
    await api.start()
    values = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api.url + "/api/",
              **overrides}
    settings = with_env(settings, **values)
    app = build(settings, clock=ManualClock(start), engine=engine)
    client = TestClient(TestServer(make_web_app(app)))
    await client.start_server()
    return SlackWorld(app, api, client), api


async def close_world(world: SlackWorld) -> None:
    await world.client.close()
    await world.api.stop()
    assert_all_sent_valid(world.api.calls)
