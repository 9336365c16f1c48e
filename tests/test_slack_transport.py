"""Slack transport: signatures, the three-second ack, Socket Mode, redelivery across processes."""
from __future__ import annotations

import json
import sqlite3
import time


import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from aiohttp.test_utils import TestClient, TestServer

from bot.runtime.web import make_web_app
from fakes.slack_api import SlackApi
from fakes.slack_world import SECRET, SlackWorld, close_world, open_world
from harness import at, with_env
from storage.models import Circle, Reply

PEOPLE = {"UMIA": "Mia", "UANN": "Ann"}


@pytest.fixture
async def slack(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"))
    for uid, name in PEOPLE.items():
        api.add_user(uid, name)
    yield world
    await close_world(world)


def circles(engine) -> list[Circle]:
    with Session(engine) as session:
        return list(session.exec(select(Circle)))


async def test_a_bad_signature_is_refused_and_nothing_is_stored(slack, engine):
    reply = await slack.command("UMIA", "new Learners", secret="not-the-signing-secret")

    assert reply.status == 401
    assert circles(engine) == [] and slack.api.calls == []


async def test_a_stale_timestamp_is_refused(slack, engine):
    reply = await slack.command("UMIA", "new Learners", timestamp=int(time.time()) - 6 * 60)

    assert reply.status == 401
    assert circles(engine) == []


async def test_a_forged_event_is_refused(slack, engine):
    reply = await slack.event(slack.dm_event("UANN", "help"), secret="forged")
    assert reply.status == 401 and slack.api.calls == []


async def test_url_verification_is_answered(slack):
    body = json.dumps({"token": "legacy", "challenge": "kipina-challenge", "type": "url_verification"})
    reply = await slack.post(body, "application/json")
    assert reply.status == 200 and "kipina-challenge" in reply.body


class HeldDatabase:
    """Another connection holds the write lock, as a long migration or a stuck writer would."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self):
        if self.engine.dialect.name == "sqlite":
            self.conn = sqlite3.connect(self.engine.url.database, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn = self.engine.connect()
            self.tx = self.conn.begin()
            self.conn.execute(text("LOCK TABLE workspace, person IN ACCESS EXCLUSIVE MODE"))
        return self

    def __exit__(self, *exc):
        if self.engine.dialect.name == "sqlite":
            self.conn.execute("ROLLBACK")
        else:
            self.tx.rollback()
        self.conn.close()


async def test_a_slow_database_does_not_delay_the_ack(slack, engine):
    with HeldDatabase(engine):
        reply = await slack.command("UMIA", "new Learners", settle=False)
        # Slack got its ack while the database was still busy: nothing to show yet
        assert reply.status == 200 and reply.body == ""
        assert slack.api.of("response_url") == []
    await slack.settle()

    later = slack.api.of("response_url")
    assert len(later) == 1 and later[0].params["response_type"] == "ephemeral"
    assert "Learners" in json.dumps(later[0].params["blocks"])
    assert len(slack.api.posts("CLEARN")) == 1  # the announcement followed


async def test_a_redelivery_to_another_web_process_stores_once(slack, engine):
    """Two web processes share the database: Slack retries at the other one."""
    await slack.command("UMIA", "new Learners <@UANN|ann>")
    await slack.command("UMIA", "prompt now")
    await slack.drain()
    prompt = slack.prompts("UANN")[0]
    event = slack.dm_event("UANN", "An answer sent once, delivered twice", thread_ts=prompt.result["ts"])
    await slack.event(event, event_id="Ev0TWICE")

    from bot.runtime.app import build
    from bot.runtime.clock import ManualClock

    second_app = build(slack.app.settings, clock=ManualClock(slack.app.clock.now()), engine=engine)
    second = SlackWorld(second_app, slack.api, TestClient(TestServer(make_web_app(second_app))))
    await second.client.start_server()
    try:
        reply = await second.event(event, event_id="Ev0TWICE", retry=1)
    finally:
        await second.client.close()

    assert reply.status == 200
    with Session(engine) as session:
        assert [r.text for r in session.exec(select(Reply))] == ["An answer sent once, delivered twice"]


async def test_socket_mode_receives_commands_and_events_over_the_websocket(settings, engine):
    world, api = await open_world(settings, engine, at("2026-11-30 09:00"), SLACK_APP_TOKEN="xapp-1-test",
                                  SLACK_SIGNING_SECRET="")
    api.add_user("UMIA", "Mia")
    try:
        assert api.of("apps.connections.open")[0].token == "xapp-1-test"
        ack = await api.envelope("slash_commands", {
            "team_id": "T0KIPINA", "channel_id": "CSOCK", "channel_name": "sockets", "user_id": "UMIA",
            "user_name": "mia", "command": "/circle", "text": "new Behind the firewall",
            "response_url": f"{api.url}/respond/socket", "trigger_id": "t-socket"}, "env-1")
        assert not ack  # acked at once over the socket; the answer follows through the response_url
        await world.settle()
        answer = api.of("response_url")[0]
        assert answer.url_key == "socket" and answer.params["response_type"] == "ephemeral"
        assert "Behind the firewall" in answer.text
        assert [c.name for c in circles(engine)] == ["Behind the firewall"]
        assert len(api.posts("CSOCK")) == 1

        ack = await api.envelope("events_api", {
            "team_id": "T0KIPINA", "type": "event_callback", "event_id": "EvSOCK1",
            "event": {"type": "app_home_opened", "user": "UMIA", "channel": "DUMIA", "tab": "home"}}, "env-2")
        await world.settle()
        assert len(api.of("views.publish")) == 1
        # no HTTP route without a signing secret: nothing unsigned is ever accepted
        response = await world.client.post("/slack/events", data=b"{}")
        assert response.status == 404
    finally:
        await close_world(world)


@pytest.mark.parametrize("body,content_type", [
    ("{broken", "application/json"),
    ("payload=not-json", "application/x-www-form-urlencoded"),
    ('payload={"type":"block_actions","actions":[]}', "application/x-www-form-urlencoded"),
    ('payload={"type":"view_submission","view":{"callback_id":"kipina:form"}}', "application/x-www-form-urlencoded"),
])
async def test_signed_but_malformed_requests_get_a_400_and_change_nothing(slack, engine, body, content_type):
    reply = await slack.post(body, content_type)
    await slack.settle()
    assert reply.status == 400
    assert circles(engine) == [] and slack.api.of("chat.postMessage") == []


async def test_unreadable_bytes_and_a_garbage_timestamp_are_refused_without_a_stack_trace(slack):
    response = await slack.client.post("/slack/events", data=b"\xff\xfe\x00junk",
                                       headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"})
    assert response.status == 401
    raw = "caf\xe9=1"  # signed, but not UTF-8 on the wire
    headers = {**signed_latin1(raw), "Content-Type": "application/x-www-form-urlencoded"}
    response = await slack.client.post("/slack/events", data=raw.encode("latin-1"), headers=headers)
    assert response.status in (400, 401)  # refused either way, never a 5xx


def signed_latin1(raw: str) -> dict:
    import hashlib
    import hmac

    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + raw.encode("latin-1"), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


async def test_a_wrong_app_token_stops_the_start_with_a_clear_message(settings, engine):
    from bot.runtime.app import build
    from bot.ports import ConfigError

    api = SlackApi()
    await api.start()
    wrong = with_env(settings, SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xoxb-not-an-app-token",
                     SLACK_API_URL=api.url + "/api/")
    client = TestClient(TestServer(make_web_app(build(wrong, engine=engine))))
    try:
        # the local API refuses anything but an xapp- token for apps.connections.open
        with pytest.raises(ConfigError, match="SLACK_APP_TOKEN"):
            await client.start_server()
    finally:
        await client.close()
        await api.stop()
