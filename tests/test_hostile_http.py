"""Malformed and adversarial requests at the platform routes: signed Slack payloads and Teams
Activities of every shape get a 2xx or 4xx, never a 5xx, and nothing fails after the answer."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from fakes.slack_api import TEAM
from fakes.slack_world import SECRET, close_world, open_world
from fakes.teams_world import BOT, TeamsWorld, User
from harness import at

SETTINGS = hsettings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "70")), deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NASTY = st.sampled_from(["", " ", "<!channel>", "<@U1|x>", "*bold* _x_ `c`", "[x](http://evil)", "<at>a</at>",
                         "'; DROP TABLE person; --", "\u0000\u202e", "x" * 5000, "🙂" * 300, "prompt now",
                         "new <@UMIA|Mia>", "1", "-1", "99999999999999999999", "null"])
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10 ** 12), st.text(max_size=40), NASTY)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=15)


def mutated(template: dict):
    """The template with some keys dropped and some values replaced by anything at all."""
    keys = sorted(template)
    return st.tuples(st.sets(st.sampled_from(keys)), st.dictionaries(st.sampled_from(keys), json_values)).map(
        lambda drop_replace: {**{k: v for k, v in template.items() if k not in drop_replace[0]},
                              **drop_replace[1]})


def errors_after_answer(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("kipina")]


SLACK_ACTION = {"type": "block_actions", "user": {"id": "UMIA", "team_id": TEAM}, "team": {"id": TEAM},
                "api_app_id": "AKIPINA", "trigger_id": "t1", "container": {"type": "message", "channel_id": "DUMIA"},
                "channel": {"id": "DUMIA"}, "message": {"ts": "1.2"}, "response_url": "http://127.0.0.1:9/x",
                "actions": [{"action_id": "kipina:prompt.answer:0", "value": "1", "block_id": "b"}]}
SLACK_VIEW = {"type": "view_submission", "user": {"id": "UMIA", "team_id": TEAM}, "team": {"id": TEAM},
              "view": {"id": "V1", "callback_id": "kipina-form", "private_metadata": "{\"a\": \"prompt.answer\"}",
                       "state": {"values": {"answer": {"answer": {"value": "hi"}}}}}}
SLACK_EVENT = {"type": "message", "channel_type": "im", "channel": "DUMIA", "user": "UMIA", "text": "hello",
               "ts": "1700000000.000100", "client_msg_id": "m1", "thread_ts": "1.1"}
SLACK_COMMAND = {"command": "/circle", "text": "list", "user_id": "UMIA", "user_name": "mia", "team_id": TEAM,
                 "channel_id": "CLEARN", "channel_name": "learners", "response_url": "http://127.0.0.1:9/r",
                 "trigger_id": "t2"}


def test_slack_route_answers_any_signed_payload_without_a_5xx(settings, engine, caplog):
    loop = asyncio.new_event_loop()
    world, api = loop.run_until_complete(open_world(settings, engine, at("2026-12-03 10:00")))
    api.add_user("UMIA", "Mia")
    caplog.set_level(logging.ERROR)

    async def send(body: str, content_type: str) -> int:
        reply = await world.post(body, content_type)
        await world.settle()
        return reply.status

    @SETTINGS
    @given(st.one_of(
        mutated(SLACK_ACTION).map(lambda p: ("form", {"payload": json.dumps(p)})),
        mutated(SLACK_VIEW).map(lambda p: ("form", {"payload": json.dumps(p)})),
        mutated(SLACK_COMMAND).map(lambda p: ("form", {k: v if isinstance(v, str) else json.dumps(v)
                                                       for k, v in p.items()})),
        mutated(SLACK_EVENT).map(lambda e: ("json", {"type": "event_callback", "team_id": TEAM, "event": e,
                                                     "event_id": "Ev1", "api_app_id": "AKIPINA"})),
        json_values.map(lambda v: ("json", v)),
        st.text(max_size=200).map(lambda t: ("raw", t)),
    ))
    def check(case):
        kind, data = case
        if kind == "form":
            status = loop.run_until_complete(send(urlencode(data), "application/x-www-form-urlencoded"))
        elif kind == "json":
            status = loop.run_until_complete(send(json.dumps(data), "application/json"))
        else:
            status = loop.run_until_complete(send(data, "application/x-www-form-urlencoded"))
        assert status < 500, case
        assert errors_after_answer(caplog) == [], case

    try:
        check()
    finally:
        loop.run_until_complete(close_world(world))
        loop.close()


def test_teams_route_answers_any_activity_without_a_5xx(settings, engine, caplog):
    loop = asyncio.new_event_loop()
    world = TeamsWorld(settings, engine, at("2026-12-03 10:00"))
    loop.run_until_complete(world.__aenter__())
    mia = User("Mia")
    caplog.set_level(logging.ERROR)
    message = world.activity(mia, text="prompt now", textFormat="plain")
    submit = world.activity(mia, replyToId="1", value={"kipina": "prompt.answer", "value": "1", "answer": "x"})
    channel = world.activity(mia, where="channel", text="<at>Kipinä</at> new X", entities=[
        {"type": "mention", "text": "<at>Kipinä</at>", "mentioned": dict(BOT)}])
    install = world.activity(mia, kind="installationUpdate", action="add")
    update = world.activity(mia, kind="conversationUpdate", membersAdded=[dict(BOT)])

    async def send(body) -> int:
        response = await world.client.post("/api/messages", data=json.dumps(body).encode(),
                                           headers={"Content-Type": "application/json"})
        await world.platform.idle()
        return response.status

    @SETTINGS
    @given(st.one_of(mutated(message), mutated(submit), mutated(channel), mutated(install), mutated(update),
                     json_values))
    def check(body):
        status = loop.run_until_complete(send(body))
        assert status < 500, body
        assert errors_after_answer(caplog) == [], body

    try:
        check()
        garbage = loop.run_until_complete(world.client.post("/api/messages", data=b"{not json",
                                                            headers={"Content-Type": "application/json"}))
        assert garbage.status == 400
    finally:
        loop.run_until_complete(world.__aexit__(None, None, None))
        loop.close()


def _signature(body: bytes, stamp: str) -> str:
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


FORM = "application/x-www-form-urlencoded"
LIST = b"command=%2Fcircle&text=list&user_id=UMIA&team_id=" + TEAM.encode()


def hostile(now: str) -> list:
    """(what, body, headers, the status it must get): forged or broken headers and bodies, signed or
    not; signed at `now` (Slack refuses a signature five minutes old)."""
    return [
        ("400-digit timestamp", LIST, {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "0" * 64},
         401),
        ("negative huge timestamp", LIST, {"X-Slack-Request-Timestamp": "-" + "9" * 400, "X-Slack-Signature": "v0=1"},
         401),
        ("timestamp in Arabic-Indic digits", LIST,
         {"X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠", "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        ("timestamp 1e9", LIST, {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        ("non-ASCII signature", LIST, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=ää"}, 401),
        ("signature of another body", LIST, {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": _signature(b"x", now)},
         401),
        ("stale signature", LIST, {"X-Slack-Request-Timestamp": "1000000000",
                                   "X-Slack-Signature": _signature(LIST, "1000000000")}, 401),
        ("no signature", LIST, {}, 401),
        ("timestamp only", LIST, {"X-Slack-Request-Timestamp": now}, 401),
        ("gzip said, plain sent, signed", LIST,
         {"Content-Encoding": "gzip", "X-Slack-Request-Timestamp": now, "X-Slack-Signature": _signature(LIST, now)}, 400),
        ("gzip said, plain sent, unsigned", LIST, {"Content-Encoding": "gzip"}, None),
        ("deflate said, plain sent", LIST, {"Content-Encoding": "deflate"}, None),
        ("gzip said, garbage sent", b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"}, None),
        ("brotli said", LIST, {"Content-Encoding": "br"}, None),
        ("unknown charset, signed", LIST, {"Content-Type": FORM + "; charset=nope", "X-Slack-Request-Timestamp": now,
                                           "X-Slack-Signature": _signature(LIST, now)}, 400),
        ("invalid UTF-8 JSON, signed", b"{\"type\": \"\xff\xfe\"}",
         {"Content-Type": "application/json", "X-Slack-Request-Timestamp": now,
          "X-Slack-Signature": _signature(b"{\"type\": \"\xff\xfe\"}", now)}, None),
        ("two megabytes", b"a" * 2_000_000, {}, 413),
    ]


async def test_slack_route_refuses_hostile_headers_and_bodies_with_a_4xx(settings, engine, caplog):
    caplog.set_level(logging.DEBUG)
    world, _ = await open_world(settings, engine, at("2026-12-03 10:00"))
    try:
        for what, body, headers, expected in hostile(str(int(time.time()))):
            response = await world.client.post("/slack/events", data=body, headers={"Content-Type": FORM, **headers})
            text = await response.text()
            await world.settle()
            assert 400 <= response.status < 500 and (expected is None or response.status == expected), \
                (what, response.status, text)
            assert "Traceback" not in text, what
            assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info], what
    finally:
        await close_world(world)
