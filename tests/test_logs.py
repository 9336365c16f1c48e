"""Logs: one JSON object per line in production, and never a token, password or answer text."""
from __future__ import annotations

import io
import json
import logging

import pytest
from sqlmodel import Session, select

from bot.common import logs
from fakes.slack_world import close_world, open_world
from harness import at
from storage.models import Delivery

TOKEN = "xoxb-1234-5678-SECRETtokenVALUE"
SIGNING = "signing-secret-0f9e8d7c6b5a"


def test_json_lines_with_secrets_scrubbed():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        logs.setup("json", stream=stream)
        logs.register_secrets("hunter2-password-xyz")
        log = logging.getLogger("kipina.test")
        log.warning("token %s and password %s", "xoxb-99-abc-DEF", "hunter2-password-xyz")
        try:
            raise RuntimeError("Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig in a trace")
        except RuntimeError:
            log.exception("failed")
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["warning", "error"]
    text = stream.getvalue()
    assert "xoxb-99" not in text and "hunter2" not in text and "eyJhbGci" not in text
    assert "[redacted]" in lines[0]["message"] and "Traceback" in lines[1]["error"]


async def test_slack_failures_leave_no_token_in_logs_or_rows(settings, engine, caplog):
    caplog.set_level(logging.DEBUG)
    world, api = await open_world(settings, engine, at("2026-12-03 10:00"), SLACK_BOT_TOKEN=TOKEN,
                                  SLACK_SIGNING_SECRET=SIGNING)
    try:
        api.add_user("UMIA", "Mia")
        api.add_user("UANN", "Ann")
        await world.command("UMIA", "new Learners <@UANN|ann>", secret=SIGNING)
        api.fail("chat.postMessage", error="invalid_auth", times=1)
        api.fail("chat.postMessage", status=500, times=1)
        await world.command("UMIA", "prompt now", secret=SIGNING)
        await world.drain()
    finally:
        await close_world(world)
    with Session(engine) as session:
        errors = " ".join(d.error or "" for d in session.exec(select(Delivery)))
    assert "invalid_auth" in errors or "500" in errors
    for secret in (TOKEN, SIGNING):
        assert secret not in caplog.text and secret not in errors


def record(created: float, message: str = "hello") -> logging.LogRecord:
    entry = logging.LogRecord("kipina.test", logging.INFO, __file__, 1, message, (), None)
    entry.created, entry.msecs = created, (created % 1) * 1000
    return entry


def test_times_are_utc_with_milliseconds_and_a_zone():
    moment = 1796479387.1234  # 2026-12-05 14:03:07.123 UTC (16:03 in Helsinki)
    line = json.loads(logs.JsonFormatter().format(record(moment)))
    assert line["time"] == "2026-12-05T14:03:07.123Z" and "request_id" not in line
    assert logs.TerminalFormatter().format(record(moment)).startswith("2026-12-05T14:03:07.123Z INFO")


def test_the_request_id_is_on_the_line_when_there_is_one():
    entry = record(1796479387.5)
    token = logs.request_id.set("req-7")
    try:
        logs.RequestIds().filter(entry)
    finally:
        logs.request_id.reset(token)
    assert json.loads(logs.JsonFormatter().format(entry))["request_id"] == "req-7"
    assert "kipina.test [req-7]: hello" in logs.TerminalFormatter().format(entry)


@pytest.mark.parametrize("raw,kept", [("req-42", True), ("5f0c1d2e-8a9b-4c3d-9e8f-0a1b2c3d4e5f", True),
                                      ("a" * 129, False), ("<script>", False), ("", False), ("two words", False),
                                      (None, False)])
def test_a_caller_request_id_is_kept_only_when_it_is_a_plain_token(raw, kept):
    made = logs.sane_request_id(raw)
    assert (made == raw) is kept
    if not kept:
        assert len(made) == 32 and int(made, 16) >= 0


@pytest.fixture
def json_logs():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    logs.setup("json", stream=stream)
    yield stream
    root.handlers[:], _ = saved[0], root.setLevel(saved[1])


def lines_of(stream: io.StringIO, rid: str) -> list[dict]:
    return [line for line in map(json.loads, stream.getvalue().splitlines()) if line.get("request_id") == rid]


async def test_one_command_followed_from_request_to_delivery(settings, engine, json_logs):
    world, api = await open_world(settings, engine, at("2026-12-03 10:00"))
    try:
        for uid, name in (("UMIA", "Mia"), ("UANN", "Ann"), ("UBEN", "Ben")):
            api.add_user(uid, name)
        await world.command("UMIA", "new Learners <@UANN|ann> <@UBEN|ben>")
        await world.drain()
        # Two commands in one lane: the second waits behind the first and keeps its own id.
        first = await world.command("UMIA", "prompt now", settle=False, headers={"X-Request-Id": "ops-prompt-1"})
        second = await world.command("UMIA", "coffee now", settle=False, headers={"X-Request-Id": "ops-coffee-2"})
        await world.settle()
        refused = await world.post("{}", "application/json", headers={"X-Request-Id": "<bad id>"})
        await world.drain()
    finally:
        await close_world(world)

    assert first.status == second.status == 200
    with Session(engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.kind.in_(("prompt", "coffee")))).all()
    kinds = sorted((d.kind, d.request_id) for d in rows)
    assert kinds == [("coffee", "ops-coffee-2"), ("prompt", "ops-prompt-1"), ("prompt", "ops-prompt-1"),
                     ("prompt", "ops-prompt-1")]
    sent = [line["message"] for line in lines_of(json_logs, "ops-prompt-1") if line["logger"] == "kipina.dispatch"]
    assert sorted(sent) == sorted(f"delivery {d.id} (prompt) sent" for d in rows if d.kind == "prompt")
    assert [line["message"] for line in lines_of(json_logs, "ops-coffee-2")] == [
        f"delivery {d.id} (coffee) sent" for d in rows if d.kind == "coffee"]
    # a request's own lines carry its id too; one that is not a plain token is replaced by a new one
    assert refused.status == 400
    warned = [line for line in map(json.loads, json_logs.getvalue().splitlines())
              if line["message"] == "malformed Slack payload refused"]
    assert len(warned) == 1 and len(warned[0]["request_id"]) == 32 and int(warned[0]["request_id"], 16) >= 0


async def test_the_answer_carries_the_request_id(settings, engine):
    world, _ = await open_world(settings, engine, at("2026-12-03 10:00"))
    try:
        given = await world.client.get("/livez", headers={"X-Request-Id": "lb-1234"})
        made = await world.client.get("/nowhere", headers={"X-Request-Id": "bad id!"})
    finally:
        await close_world(world)
    assert given.headers["X-Request-Id"] == "lb-1234"
    assert made.status == 404 and len(made.headers["X-Request-Id"]) == 32
