"""Crash safety, at default settings: SIGKILL the sender in the middle of a 2,000-person prompt and
start it again: everyone gets the prompt within a minute of the restart, and nobody twice: the
sends that were in flight at the kill are looked up in Slack's history (their message metadata)
before they are sent again. SIGTERM it instead: it exits within 10 s, and the restart sends the
rest to each person once.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import time as time_of_day
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from bench.procs import free_port
from bot.domain.shared.context import Services
from bot.domain.circles.runs import start_run
from bot.domain.shared.rhythm import Calendar
from prompts import default_library
from storage.db import unit_of_work
from storage.models import Circle, Delivery, Sender

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = 2000

pytestmark = [pytest.mark.slow, pytest.mark.alone]


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
    # Every hour a working hour, as in bot_env: the prompt is due now whatever time the test runs.
    services = Services(settings, default_library(), Calendar(time_of_day(0, 0), time_of_day(23, 59), tuple(range(7)), ""))
    with unit_of_work(engine) as session:
        circle = session.get(Circle, 1)
        from storage.types import utcnow

        return len(start_run(session, services, circle, "reflection", utcnow(), "manual").due)


def bot_env(settings, slack_service: str) -> dict:
    """The sender's settings; the outbox and heartbeat ones left at their defaults."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OUTBOX_", "SENDER_", "SLACK_", "DATABASE_"))}
    return {**base, "PYTHONPATH": str(ROOT), "DATABASE_URL": settings.database_url,
            "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench-secret",
            "SLACK_API_URL": f"{slack_service}/api/", "SLACK_MESSAGES_PER_SECOND": "400",
            "HOLIDAY_COUNTRY": "", "WORKING_DAYS": "mon-sun", "WORKING_HOURS": "00:00-23:59", "LOG_FORMAT": "json"}


def start_worker(env: dict, log: Path, command: tuple[str, ...] = ("worker",)) -> subprocess.Popen:
    with open(log, "ab") as out:  # a file, not a pipe: a full pipe would stall the process
        return subprocess.Popen([sys.executable, "-m", "bot", *command], cwd=ROOT, env=env, stdout=out, stderr=out)


def tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-15:])


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def mid_fan_out(slack_service: str, process: subprocess.Popen, log: Path) -> None:
    assert wait_for(lambda: process.poll() is None and stats(slack_service)["recipients"] >= 400, 60), tail(log)


def test_sigkill_mid_fan_out_loses_no_one_and_duplicates_stay_bounded(settings, engine, slack_service, tmp_path):
    planned = plan_prompt(engine, settings)
    assert planned == MEMBERS + 1
    env, log = bot_env(settings, slack_service), tmp_path / "worker.log"
    first = start_worker(env, log)
    try:
        mid_fan_out(slack_service, first, log)
        first.send_signal(signal.SIGKILL)  # in the middle of sending, no chance to tidy up
        first.wait()
        at_kill = stats(slack_service)["recipients"]
        assert at_kill < MEMBERS  # the kill really came mid-way
        in_doubt = _in_doubt(engine)
    finally:
        first.kill()
    second = start_worker(env, log)
    restarted = time.monotonic()
    try:
        assert wait_for(lambda: stats(slack_service)["recipients"] == MEMBERS + 1, 60), tail(log)
        took = time.monotonic() - restarted
        assert wait_for(lambda: _unsent(engine) == 0, 30)
    finally:
        stop(second)
    final = stats(slack_service)
    story = (f"killed after {at_kill} recipients; everyone reached {took:.1f} s after the restart; "
             f"{final['recipients']} with {final['duplicates']} duplicates")
    print(story)
    assert final["recipients"] == MEMBERS + 1, story  # nobody missed
    # The sends in flight at the kill (marked 'unsure') are looked up in Slack (their message metadata)
    # before they go again; a kill between two sends leaves none in doubt and nothing to look up.
    assert final["duplicates"] == 0, story
    assert (final["calls"].get("history", 0) >= 1) == (in_doubt > 0), (story, in_doubt)


def test_sigterm_mid_fan_out_exits_fast_and_a_restart_sends_the_rest_once(settings, engine, slack_service, tmp_path):
    planned = plan_prompt(engine, settings)
    assert planned == MEMBERS + 1
    env, log = bot_env(settings, slack_service), tmp_path / "worker.log"
    first = start_worker(env, log, ("serve", "--port", str(free_port())))  # web, clock and dispatcher
    try:
        mid_fan_out(slack_service, first, log)
        asked = time.monotonic()
        first.send_signal(signal.SIGTERM)  # what a PaaS restart sends
        code = first.wait(15)
        took = time.monotonic() - asked
    finally:
        first.kill()
    at_stop = stats(slack_service)
    assert code == 0 and took < 10, f"exit {code} after {took:.1f} s: {tail(log)}"
    assert at_stop["recipients"] < MEMBERS and at_stop["duplicates"] == 0  # it really stopped mid-way
    with Session(engine) as session:  # nothing left claimed, no sender left behind
        assert session.exec(select(func.count()).select_from(Delivery).where(Delivery.status == "sending")).one() == 0
        assert session.exec(select(func.count()).select_from(Sender)).one() == 0
        assert session.exec(select(func.max(Delivery.attempts)).where(Delivery.status == "pending")).one() == 0
    final = send_the_rest(engine, env, log, slack_service)
    print(f"SIGTERM after {at_stop['recipients']} recipients: exited in {took:.1f} s; "
          f"then {final['recipients']} with {final['duplicates']} duplicates")
    assert final["recipients"] == MEMBERS + 1 and final["duplicates"] == 0


def send_the_rest(engine, env, log, slack_service) -> dict:
    """A worker started again until everyone has the prompt and every row is recorded sent."""
    worker = start_worker(env, log)
    try:
        assert wait_for(lambda: stats(slack_service)["recipients"] == MEMBERS + 1, 60), tail(log)
        assert wait_for(lambda: _unsent(engine) == 0, 30)
    finally:
        stop(worker)
    return stats(slack_service)


def _in_doubt(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Delivery).where(Delivery.status == "unsure")).one()


def _unsent(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Delivery).where(Delivery.status != "sent")).one()


SIGTERMS = 20


def test_sigterm_again_and_again_mid_fan_out_sends_everyone_exactly_once(settings, engine, slack_service, tmp_path):
    """A PaaS that restarts the worker twenty times while a prompt goes out: each stop finishes and
    records what is on its way, and between them all everyone gets the prompt once."""
    assert plan_prompt(engine, settings) == MEMBERS + 1
    env = {**bot_env(settings, slack_service), "SLACK_MESSAGES_PER_SECOND": "100"}
    log = tmp_path / "worker.log"
    stops = []
    for _ in range(SIGTERMS):
        before = stats(slack_service)["recipients"]
        worker = start_worker(env, log)
        try:
            assert wait_for(lambda: stats(slack_service)["recipients"] >= before + 30, 30), tail(log)
            asked = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            code = worker.wait(15)
            stops.append(time.monotonic() - asked)
        finally:
            worker.kill()
        assert code == 0, tail(log)
        with Session(engine) as session:  # every row is recorded, waiting, or left to be looked up
            assert session.exec(select(func.count()).select_from(Delivery)
                                .where(Delivery.status == "sending")).one() == 0
    mid = stats(slack_service)
    assert mid["recipients"] < MEMBERS  # every stop came in the middle of the fan-out
    final = send_the_rest(engine, env, log, slack_service)
    print(f"{SIGTERMS} SIGTERMs, each exit within {max(stops):.1f} s; {final['recipients']} reached, "
          f"{final['duplicates']} duplicates")
    assert max(stops) < 10
    assert final["recipients"] == MEMBERS + 1 and final["duplicates"] == 0
