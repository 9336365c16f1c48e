"""Crash safety: SIGKILL the sender in the middle of a 2,000-person prompt, start it again.

Everyone gets the prompt, and duplicates stay within the bound the README states: the sends in
flight at the kill, at most the platform's concurrency (Slack: 32).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from bot.context import Services
from bot.nudges import start_run
from bot.platforms.slack.platform import SlackPlatform
from bot.rhythm import Calendar
from prompts import default_library
from storage.db import unit_of_work
from storage.models import Circle, Delivery

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 2000

pytestmark = pytest.mark.slow


def start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stats(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/stats", timeout=10) as answer:
        return json.loads(answer.read())


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def slack_service():
    """The stand-in Slack Web API, in its own process: a few ms per call, no random failures."""
    process = start(["-m", "bench.mock_apis", "slack", "--rate", "2000", "--random-429", "0", "--random-500", "0",
                     "--latency-min", "0.005", "--latency-max", "0.02"], {**os.environ, "PYTHONPATH": str(ROOT)})
    line = process.stdout.readline()
    assert line.startswith("PORT"), process.stderr.read()
    yield f"http://127.0.0.1:{line.split()[1]}"
    process.kill()
    process.wait()


def plan_prompt(engine, settings) -> int:
    """A circle of 2,000 in a Slack workspace, and a prompt to all of them waiting in the outbox."""
    from bench.common import seed_circles, seed_people, seed_workspace

    with engine.begin() as conn:
        ws = seed_workspace(conn, "slack", "TBENCH")
        people = seed_people(conn, ws, MEMBERS + 1, lambda i: f"U{i:05d}")
        seed_circles(conn, ws, [people])
    services = Services(settings, default_library(), Calendar(*settings.working_hours, (0, 1, 2, 3, 4, 5, 6), ""))
    with unit_of_work(engine) as session:
        circle = session.get(Circle, 1)
        from storage.types import utcnow

        return len(start_run(session, services, circle, "reflection", utcnow(), "manual").due)


def test_sigkill_mid_fan_out_loses_no_one_and_duplicates_stay_bounded(settings, engine, slack_service):
    planned = plan_prompt(engine, replace(settings, working_days=(0, 1, 2, 3, 4, 5, 6)))
    assert planned == MEMBERS + 1
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url,
           "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench-secret",
           "SLACK_API_URL": f"{slack_service}/api/", "SLACK_MESSAGES_PER_SECOND": "400",
           "OUTBOX_LEASE_SECONDS": "2", "HOLIDAY_COUNTRY": "", "WORKING_DAYS": "mon-sun",
           "WORKING_HOURS": "00:00-23:59", "LOG_FORMAT": "json"}
    first = start(["-m", "bot", "worker"], env)
    try:
        assert wait_for(lambda: stats(slack_service)["recipients"] >= 400, 60), first.stderr
        first.send_signal(signal.SIGKILL)  # in the middle of sending, no chance to tidy up
        first.wait()
        at_kill = stats(slack_service)["recipients"]
        assert at_kill < MEMBERS  # the kill really came mid-way
    finally:
        first.kill()
    second = start(["-m", "bot", "worker"], env)
    try:
        assert wait_for(lambda: stats(slack_service)["recipients"] == MEMBERS + 1, 120), second.stderr
        assert wait_for(lambda: _unsent(engine) == 0, 30)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(15)
        except subprocess.TimeoutExpired:
            second.kill()
    final = stats(slack_service)
    story = f"killed after {at_kill} recipients; then {final['recipients']} with {final['duplicates']} duplicates"
    assert final["recipients"] == MEMBERS + 1, story  # nobody missed
    assert final["duplicates"] <= SlackPlatform.limits.concurrency, story  # at most the sends in flight


def _unsent(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Delivery).where(Delivery.status != "sent")).one()
