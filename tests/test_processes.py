"""The Procfile's processes on PostgreSQL, as real processes: several `worker`s share the outbox
without sending anything twice or missing anyone, and a standby `clock` takes over from a killed
leader without planning anything twice. The Slack side is the stand-in service of the benches
(bench/mock_apis.py, its own process on port 0), which counts every message per recipient."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from bench.common import most_within
from bot.runtime.app import build
from bot.common.config import load_settings
from bot.ports import Actor, CommandRequest, Place
from bot.runtime.leader import LOCK_KEY, Leadership, lock_key
from conftest import PG_URL
from storage.db import make_engine, normalise_url
from storage.models import Circle, Membership, Person, Schedule, Workspace

pytestmark = [pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL); CI sets it"), pytest.mark.alone]

ROOT = Path(__file__).resolve().parent.parent
TEAM = "TBENCH"  # the team the stand-in answers auth.test with
ALWAYS = {"WORKING_HOURS": "00:00-23:59", "WORKING_DAYS": "mon-sun", "HOLIDAY_COUNTRY": ""}
SETTINGS_PREFIXES = ("DATABASE_URL", "SLACK_", "MICROSOFT_", "TEAMS_", "OPENAI_", "WORKING_", "HOLIDAY_", "CLOCK_",
                     "OUTBOX_", "SENDER_", "HR_USERS", "ADMIN_USERS", "PORT")
MEMBERS = 300


class Processes:
    """Children of one test, each with a log file; all stopped at the end, whatever happened."""

    def __init__(self, folder: Path):
        self.folder, self.started = folder, []

    def start(self, name: str, args: list[str], env: dict, read_port: bool = False):
        base = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
        base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")]))
        log = open(self.folder / f"{name}.log", "wb")
        proc = subprocess.Popen([sys.executable, *args], cwd=self.folder, env={**base, "LOG_FORMAT": "json", **env},
                                stdout=subprocess.PIPE if read_port else log, stderr=log)
        proc.name, proc.log = name, log
        self.started.append(proc)
        if read_port:
            line = proc.stdout.readline().decode()
            assert line.startswith("PORT "), f"{name} did not start: {self.tail(name)}"
            proc.port = int(line.split()[1])
        return proc

    def tail(self, name: str) -> str:
        return "\n".join((self.folder / f"{name}.log").read_text(errors="replace").splitlines()[-15:])

    def stop_all(self) -> None:
        for proc in reversed(self.started):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()
            proc.log.close()


@pytest.fixture
def processes(tmp_path):
    running = Processes(tmp_path)
    yield running
    running.stop_all()


@pytest.fixture
def stand_in(processes):
    proc = processes.start("slack-stand-in", ["-m", "bench.mock_apis", "slack", "--rate", "2000", "--burst", "2000",
                                              "--latency-min", "0.05", "--latency-max", "0.1",
                                              "--random-429", "0", "--random-500", "0.05"], {}, read_port=True)
    return f"http://127.0.0.1:{proc.port}"


def named(url: str, name: str) -> str:
    return url + ("&" if "?" in url else "?") + f"application_name={name}"


def bot_env(url: str, name: str, api: str | None, rate: float = 200, **more) -> dict:
    env = {"DATABASE_URL": named(url, name), **ALWAYS, **more}
    if api:
        env.update(SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET="s3cret", SLACK_API_URL=f"{api}/api/",
                   SLACK_MESSAGES_PER_SECOND=f"{rate:g}")
    return env


def stats(api: str) -> dict:
    with urllib.request.urlopen(f"{api}/stats?targets=1&arrivals=1", timeout=10) as response:
        return json.loads(response.read())


def eventually(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def wait_connected(engine, processes: Processes, names: list[str]) -> None:
    """Until each has been seen connected: a standby clock holds a session only while it tries for the
    lock (a few milliseconds every poll), so two clocks are seldom seen at the same moment."""
    seen: set[str] = set()

    def all_there():
        for proc in processes.started:
            assert proc.poll() is None, f"{proc.name} exited: {processes.tail(proc.name)}"
        with engine.connect() as conn:
            seen.update(conn.execute(text("SELECT application_name FROM pg_stat_activity "
                                          "WHERE application_name = ANY(:n)"), {"n": names}).scalars())
        return seen == set(names)

    eventually(all_there, 60, f"{names} to connect")


def seed(engine, circles: list[list[int]], people: int) -> None:
    """People U000001…; circle c+1 in channel C00000c+1 with these members, the first its mentor."""
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(Workspace.__table__), [{"id": 1, "platform": "slack", "external_id": TEAM, "name": "T",
                                                    "created_at": now}])
        conn.execute(insert(Person.__table__), [{
            "id": i, "workspace_id": 1, "platform_user_id": f"U{i:06d}", "name": f"Person {i}", "is_hr": False,
            "is_admin": False, "is_bot": False, "is_active": True, "created_at": now} for i in range(1, people + 1)])
        for c, members in enumerate(circles, start=1):
            conn.execute(insert(Circle.__table__), [{
                "id": c, "workspace_id": 1, "name": f"Circle {c}", "channel_id": f"C{c:06d}", "mentor_id": members[0],
                "language": "en", "timezone": "Europe/Helsinki", "default_visibility": "circle",
                "store_coffee_text": False, "created_at": now}])
            conn.execute(insert(Membership.__table__), [{
                "circle_id": c, "person_id": p, "role": "mentor" if k == 0 else "member", "joined_at": now}
                for k, p in enumerate(members)])


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_three_workers_send_each_prompt_exactly_once(database_url, processes, stand_in):
    engine = make_engine(database_url)
    seed(engine, [list(range(1, MEMBERS + 1))], MEMBERS)
    names = ["worker-1", "worker-2", "worker-3"]
    for name in names:
        processes.start(name, ["-m", "bot", "worker"], bot_env(database_url, name, stand_in))
    wait_connected(engine, processes, names)  # idle and polling: they all meet the prompt at once

    app = build(load_settings({"DATABASE_URL": database_url, **ALWAYS}, dotenv=False), platform_names=[])
    answer = app.core.command(CommandRequest(Actor("slack", TEAM, "U000001", "Mentor"), "prompt now",
                                             Place("C000001", False)), datetime.now(timezone.utc))
    assert not answer.refused
    assert scalar(engine, "SELECT count(*) FROM delivery") == MEMBERS

    eventually(lambda: scalar(engine, "SELECT count(*) FROM delivery WHERE status <> 'sent'") == 0, 90,
               "every delivery to be sent")
    got = stats(stand_in)
    assert got["duplicates"] == 0
    assert sorted(got["targets"]) == [f"U{i:06d}" for i in range(1, MEMBERS + 1)]  # nobody missed
    assert all(count == 1 for count, _ in got["targets"].values())
    assert got["calls"].get("500 random", 0) > 0  # some sends failed and were retried, still once each
    with engine.connect() as conn:
        senders = conn.execute(text("SELECT DISTINCT claimed_by FROM delivery")).scalars().all()
    assert len(senders) >= 2, "the workers shared the outbox"
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_three_workers_together_keep_the_workspace_rate(database_url, processes):
    """SLACK_MESSAGES_PER_SECOND holds for all senders together, not for each (that was up to 3x)."""
    rate, members = 40, 600  # 15 s at the rate; 200 rows claimed at a time, so all three send
    api = processes.start("slack-generous", ["-m", "bench.mock_apis", "slack", "--rate", "2000", "--burst", "2000",
                                             "--random-429", "0", "--random-500", "0"], {}, read_port=True)
    api = f"http://127.0.0.1:{api.port}"
    engine = make_engine(database_url)
    seed(engine, [list(range(1, members + 1))], members)
    names = ["worker-1", "worker-2", "worker-3"]
    for name in names:
        processes.start(name, ["-m", "bot", "worker"], bot_env(database_url, name, api, rate))
    wait_connected(engine, processes, names)

    app = build(load_settings({"DATABASE_URL": database_url, **ALWAYS}, dotenv=False), platform_names=[])
    answer = app.core.command(CommandRequest(Actor("slack", TEAM, "U000001", "Mentor"), "prompt now",
                                             Place("C000001", False)), datetime.now(timezone.utc))
    assert not answer.refused
    eventually(lambda: scalar(engine, "SELECT count(*) FROM delivery WHERE status <> 'sent'") == 0, 60,
               "every delivery to be sent")

    got = stats(api)
    assert got["duplicates"] == 0
    assert sorted(got["targets"]) == [f"U{i:06d}" for i in range(1, members + 1)]  # nobody missed
    worst = most_within(sorted(got["arrivals"]), 5.0)
    assert worst <= 1.15 * rate * 5, f"{worst} messages in 5 s at {rate}/s"
    assert got["first_to_last_seconds"] >= 0.9 * (members - 1) / rate
    assert scalar(engine, "SELECT count(DISTINCT claimed_by) FROM delivery") == 3  # all three sent
    engine.dispose()


def leader(engine, schema: str) -> str | None:
    key = lock_key(schema)
    return scalar(engine, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                          "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :hi AND l.objid = :lo "
                          "AND l.objsubid = 1", hi=(key >> 32) & 0xFFFFFFFF, lo=key & 0xFFFFFFFF)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_standby_clock_takes_over_and_plans_a_due_run_once(database_url, processes):
    engine = make_engine(database_url)
    seed(engine, [[1, 2, 3, 4], [5, 6, 7]], 7)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(Schedule.__table__), [{
            "circle_id": c, "kind": "reflection", "days": "mon,tue,wed,thu,fri,sat,sun", "time": "03:00",
            "timezone": "Europe/Helsinki", "created_at": now,
            # circle 1 is due now, for the first leader; circle 2 only once the bench says so
            "next_run_at": now - timedelta(seconds=30) if c == 1 else now + timedelta(days=300)} for c in (1, 2)])
    schema = scalar(engine, "SELECT current_schema()")
    clocks = {}
    for name in ("clock-a", "clock-b"):
        clocks[name] = processes.start(name, ["-m", "bot", "clock"],
                                       bot_env(database_url, name, None, CLOCK_STANDBY_POLL_SECONDS="0.3"))
    wait_connected(engine, processes, list(clocks))

    first = eventually(lambda: leader(engine, schema), 30, "a leader")
    eventually(lambda: scalar(engine, "SELECT count(*) FROM promptrun WHERE circle_id = 1"), 30,
               "the leader's first tick")
    standby = next(name for name in clocks if name != first)
    time.sleep(1)  # the standby keeps trying meanwhile, and keeps failing
    assert leader(engine, schema) == first and clocks[standby].poll() is None

    with engine.begin() as conn:  # circle 2 comes due; the leader's next tick is a minute away
        conn.execute(text("UPDATE schedule SET next_run_at = :at WHERE circle_id = 2"), {"at": datetime.now(timezone.utc)})
    clocks[first].kill()
    clocks[first].wait(10)

    assert eventually(lambda: leader(engine, schema), 30, "the standby to lead") == standby
    eventually(lambda: scalar(engine, "SELECT count(*) FROM promptrun WHERE circle_id = 2"), 30,
               "the new leader's tick")
    time.sleep(1)
    assert scalar(engine, "SELECT count(*) FROM promptrun WHERE circle_id = 1") == 1
    assert scalar(engine, "SELECT count(*) FROM promptrun WHERE circle_id = 2") == 1
    assert scalar(engine, "SELECT count(*) FROM delivery WHERE circle_id = 1") == 4
    assert scalar(engine, "SELECT count(*) FROM delivery WHERE circle_id = 2") == 3
    assert scalar(engine, "SELECT count(*) FROM schedule WHERE next_run_at <= now()") == 0

    clocks[standby].send_signal(signal.SIGTERM)
    assert clocks[standby].wait(30) == 0
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_standby_worker_takes_over_the_rows_of_a_dead_one(database_url, processes):
    """A worker dies mid fan-out (SIGKILL) and never comes back: the other worker sends the rows
    it had claimed once its heartbeat is stale (SENDER_TIMEOUT_SECONDS, default 30), not before."""
    api = processes.start("slack-quiet", ["-m", "bench.mock_apis", "slack", "--rate", "2000", "--burst", "2000",
                                          "--random-429", "0", "--random-500", "0"], {}, read_port=True)
    api = f"http://127.0.0.1:{api.port}"
    engine = make_engine(database_url)
    seed(engine, [list(range(1, MEMBERS + 1))], MEMBERS)
    dying = processes.start("worker-a", ["-m", "bot", "worker"], bot_env(database_url, "worker-a", api, 10))
    wait_connected(engine, processes, ["worker-a"])
    app = build(load_settings({"DATABASE_URL": database_url, **ALWAYS}, dotenv=False), platform_names=[])
    answer = app.core.command(CommandRequest(Actor("slack", TEAM, "U000001", "Mentor"), "prompt now",
                                             Place("C000001", False)), datetime.now(timezone.utc))
    assert not answer.refused
    processes.start("worker-b", ["-m", "bot", "worker"], bot_env(database_url, "worker-b", api, 200))
    wait_connected(engine, processes, ["worker-a", "worker-b"])

    mine = f"claimed_by LIKE '%/{dying.pid}/%' AND status = 'sending'"
    dying.kill()
    dying.wait(10)
    killed = time.monotonic()
    # Counted once it is dead: counted before, a row it sent meanwhile would look like a takeover.
    held = scalar(engine, f"SELECT count(*) FROM delivery WHERE {mine}")
    assert held > 50, "worker-a holds rows when it dies"
    eventually(lambda: scalar(engine, f"SELECT count(*) FROM delivery WHERE {mine}") < held, 60, "a takeover")
    taken = time.monotonic() - killed
    eventually(lambda: scalar(engine, "SELECT count(*) FROM delivery WHERE status <> 'sent'") == 0, 30,
               "every delivery to be sent")
    done = time.monotonic() - killed
    got = stats(api)
    print(f"worker-a killed holding {held} rows: taken over after {taken:.1f} s, everyone reached after "
          f"{done:.1f} s, {got['duplicates']} duplicates")
    assert 20 < taken < 40  # not while its heartbeat could be fresh; soon after it is stale
    assert sorted(got["targets"]) == [f"U{i:06d}" for i in range(1, MEMBERS + 1)]  # nobody missed
    assert got["duplicates"] <= 32  # at most what worker-a had in flight
    engine.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_each_schema_elects_a_clock_of_its_own(database_url):
    """Advisory locks are database-wide: a deployment in its own schema must not wait for another's clock."""
    other = f"kipina_other_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{other}"'))
    try:
        here = Leadership(make_engine(database_url))
        there = Leadership(make_engine(normalise_url(PG_URL) + ("&" if "?" in PG_URL else "?")
                                       + f"options=-csearch_path%3D{other}"))
        assert here.try_acquire() and there.try_acquire()
        assert here.key != there.key and LOCK_KEY not in (here.key, there.key)
        assert not Leadership(make_engine(database_url)).try_acquire()  # within one schema: still one
        here.release()
        there.release()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{other}" CASCADE'))
        admin.dispose()
    assert lock_key("public") == lock_key(None) == LOCK_KEY
