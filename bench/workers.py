"""Several sender processes on PostgreSQL: throughput, nothing sent twice or missed, and clock takeover.

One circle of N members (10,000; --small: 500) gets a prompt through the core, as `/circle prompt
now` would; the stand-in Slack API (2,000 messages/s, no random failures, so the bot is the
bottleneck) counts what arrives. (a) one `python -m bot worker` sends it all; (b) three workers and
one `python -m bot clock` send the next prompt to the same circle. Then two clocks: one leads, it
is killed (SIGKILL) while a circle's rhythm comes due, and the bench times how long until the
standby leads and counts what was planned for each circle. SQLite runs a single sender: skipped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from bench.common import analyze, database, seed_circles, seed_people, seed_workspace
from bench.procs import ALWAYS_WORKING, TEAM, Child, Children, get_json, slack_settings
from bot.runtime.app import build
from bot.common.config import Settings, load_settings
from bot.ports import Actor, CommandRequest, Place
from bot.runtime.leader import lock_key
from storage.db import make_engine
from storage.models import Schedule

SEND_RATE = 1000.0  # the workspace's, for all processes together (the highest SLACK_MESSAGES_PER_SECOND allows)
SMALL_CIRCLE = 50  # members of each of the two circles with a rhythm, for the takeover


@dataclass(frozen=True)
class Size:
    members: int

    @property
    def label(self) -> str:
        return f"{self.members} deliveries, stand-in at 2000 messages/s"


FULL, SMALL = Size(10_000), Size(500)


def with_name(url: str, name: str) -> str:
    """The URL with an application_name, so the bench can tell the processes apart in pg_stat_activity."""
    return url + ("&" if "?" in url else "?") + f"application_name={name}"


class Bench:
    def __init__(self, url: str, size: Size, children: Children):
        self.url, self.size, self.children = url, size, children
        self.engine = make_engine(url)
        # The core in this process plans as the bot's processes would: every hour a working slot.
        self.app = build(load_settings({"DATABASE_URL": url, **ALWAYS_WORKING}, dotenv=False), platform_names=[])
        with self.engine.connect() as conn:
            self.schema = conn.execute(text("SELECT current_schema()")).scalar()
        self.mock = children.mock("slack", "--rate", "2000", "--burst", "2000", "--random-429", "0",
                                  "--random-500", "0")

    # -- the world -------------------------------------------------------------------------------

    def seed(self) -> None:
        n = self.size.members
        with self.engine.begin() as conn:
            ws = seed_workspace(conn, "slack", TEAM)
            seed_people(conn, ws, n, user_id=lambda i: f"U{i:06d}")
            seed_circles(conn, ws, [list(range(1, n + 1)), list(range(1, SMALL_CIRCLE + 1)),
                                    list(range(SMALL_CIRCLE + 1, 2 * SMALL_CIRCLE + 1))])
            far = datetime(2099, 1, 1, tzinfo=timezone.utc)
            conn.execute(insert(Schedule.__table__), [{
                "circle_id": c, "kind": "reflection", "days": "mon,tue,wed,thu,fri,sat,sun", "time": "03:00",
                "timezone": "Europe/Helsinki", "next_run_at": far, "created_at": far} for c in (2, 3)])
        analyze(self.url)

    def prompt_now(self) -> int:
        """`/circle prompt now` from the big circle's mentor, through the core; returns deliveries planned."""
        before = self.count("SELECT count(*) FROM delivery")
        actor = Actor("slack", TEAM, "U000001", "Mentor")
        response = self.app.core.command(CommandRequest(actor, "prompt now", Place("C000001", False)),
                                         datetime.now(timezone.utc))
        if response.refused:
            raise RuntimeError(f"prompt now refused: {response.to_caller[0].plain_text}")
        return self.count("SELECT count(*) FROM delivery") - before

    def count(self, sql: str, **params) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def statuses(self, run_id: int | None = None) -> dict:
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM delivery WHERE (:run IS NULL OR run_id = :run) "
                                     "GROUP BY status"), {"run": run_id}).all()
        return dict(sorted((status, n) for status, n in rows))

    # -- processes -------------------------------------------------------------------------------

    def start(self, name: str, command: str, **more: str) -> Child:
        return self.children.bot(name, [command], **slack_settings(with_name(self.url, name), self.mock, SEND_RATE,
                                                                   **more))

    def connected(self, children: list[Child], timeout: float = 60) -> None:
        names = [child.name for child in children]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.engine.connect() as conn:
                seen = set(conn.execute(text("SELECT application_name FROM pg_stat_activity WHERE "
                                             "application_name = ANY(:names)"), {"names": names}).scalars())
            if seen == set(names):
                time.sleep(0.5)  # their dispatchers' first look at the outbox
                return
            dead = [child for child in children if not child.alive()]
            if dead:
                raise RuntimeError(f"{dead[0].name} exited: {dead[0].tail()}")
            time.sleep(0.2)
        raise RuntimeError(f"not all of {names} connected in {timeout:g}s")

    def stats(self) -> dict:
        return get_json(f"{self.mock.url}/stats")

    def until_delivered(self, expected: int, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stats = self.stats()
            if stats["messages"] >= expected and not self.count(
                    "SELECT count(*) FROM delivery WHERE status IN ('pending', 'sending')"):
                return stats
            time.sleep(0.2)
        return self.stats()

    def leader(self) -> str | None:
        key = lock_key(self.schema)
        with self.engine.connect() as conn:
            return conn.execute(text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :hi AND l.objid = :lo "
                "AND l.objsubid = 1"), {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}).scalar()

    # -- the three runs --------------------------------------------------------------------------

    def drain(self, names: list[str]) -> dict:
        """Start these processes, plan one prompt to everyone, time it until every member has it."""
        get_json(f"{self.mock.url}/reset", data=b"")
        started = [self.start(name, "clock" if name.startswith("clock") else "worker") for name in names]
        self.connected(started)
        planned_at = time.monotonic()
        planned = self.prompt_now()
        run_id = self.count("SELECT max(id) FROM promptrun WHERE circle_id = 1")
        stats = self.until_delivered(planned, timeout=max(120, planned / 20))
        done_at = time.monotonic()
        with self.engine.connect() as conn:
            shares = sorted((n for n, in conn.execute(text(
                "SELECT count(*) FROM delivery WHERE run_id = :run AND status = 'sent' GROUP BY claimed_by"),
                {"run": run_id})), reverse=True)
        for child in started:
            child.stop()
        seconds = stats["first_to_last_seconds"] or float("nan")
        return {"processes": names, "deliveries": planned, "messages_per_second": round(planned / seconds, 1),
                "first_to_last_seconds": round(seconds, 2), "planned_to_last_seconds": round(done_at - planned_at, 2),
                "missed": planned - stats["recipients"], "duplicates": stats["duplicates"],
                "statuses": self.statuses(run_id), "sent_by_each": shares}

    def takeover(self) -> dict:
        """Two clocks with the default standby poll; the leader dies while circle 3's rhythm comes due."""
        get_json(f"{self.mock.url}/reset", data=b"")
        with self.engine.begin() as conn:  # circle 2 is due now: the first leader plans it
            conn.execute(text("UPDATE schedule SET next_run_at = :at WHERE circle_id = 2"),
                         {"at": datetime.now(timezone.utc) - timedelta(seconds=30)})
        clocks = {name: self.start(name, "clock") for name in ("clock-a", "clock-b")}
        self.connected(list(clocks.values()))
        first = self.wait_for(self.leader, 30)
        self.wait_for(lambda: self.stats()["messages"] >= SMALL_CIRCLE, 60)
        both_alive_one_leads = all(c.alive() for c in clocks.values()) and self.leader() == first
        with self.engine.begin() as conn:  # circle 3 comes due while nobody leads
            conn.execute(text("UPDATE schedule SET next_run_at = :at WHERE circle_id = 3"),
                         {"at": datetime.now(timezone.utc)})
        killed_at = time.monotonic()
        clocks[first].kill()
        second = self.wait_for(lambda: self.leader() not in (None, first) and self.leader(), 120)
        takeover = time.monotonic() - killed_at
        self.wait_for(lambda: self.stats()["messages"] >= 2 * SMALL_CIRCLE, 60)
        time.sleep(1)  # anything planned twice would be sent by now
        stats = self.stats()
        runs = {c: self.count("SELECT count(*) FROM promptrun WHERE circle_id = :c", c=c) for c in (2, 3)}
        deliveries = {c: self.count("SELECT count(*) FROM delivery WHERE circle_id = :c", c=c) for c in (2, 3)}
        for child in clocks.values():
            child.stop()
        return {"leader": first, "standby": second, "one_leader_while_both_ran": both_alive_one_leads,
                "takeover_seconds": round(takeover, 2), "standby_poll_seconds": Settings().clock_standby_poll_seconds,
                "runs_planned": {"due_before_the_kill": runs[2], "due_during_the_switch": runs[3]},
                "deliveries_planned": {"due_before_the_kill": deliveries[2], "due_during_the_switch": deliveries[3]},
                "members_each": SMALL_CIRCLE, "messages": stats["messages"], "duplicates": stats["duplicates"],
                "planned_once": runs == {2: 1, 3: 1} and deliveries == {2: SMALL_CIRCLE, 3: SMALL_CIRCLE}
                and stats["duplicates"] == 0}

    @staticmethod
    def wait_for(check, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = check()
            if found:
                return found
            time.sleep(0.05)
        raise RuntimeError(f"gave up after {timeout:g}s waiting for {check}")


def results(small: bool, backends: tuple[str, ...]):
    size = SMALL if small else FULL
    for backend in backends:
        if backend != "postgres":
            yield {"backend": backend, "skipped": "SQLite runs a single sender process: several workers and "
                                                  "leader election need PostgreSQL"}
            continue
        try:
            with database(backend) as url, Children() as children:
                bench = Bench(url, size, children)
                bench.seed()
                one = bench.drain(["worker-1"])
                four = bench.drain(["worker-1", "worker-2", "worker-3", "clock-1"])
                takeover = bench.takeover()
                bench.engine.dispose()
        except LookupError as missing:
            yield {"backend": backend, "skipped": str(missing)}
            continue
        yield {"backend": backend, "size": size.label, "one_worker": one, "three_workers_and_clock": four,
               "speed_up": round(four["messages_per_second"] / one["messages_per_second"], 2),
               "clock_takeover": takeover,
               "all_delivered_once": all(r["missed"] == 0 and r["duplicates"] == 0 for r in (one, four))
               and takeover["planned_once"]}

