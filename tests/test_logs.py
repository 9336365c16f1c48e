"""Logs: one JSON object per line in production, and never a token, password or answer text."""
from __future__ import annotations

import io
import json
import logging

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
