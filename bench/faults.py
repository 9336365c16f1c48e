"""Faults the outbox must ride out, counted as people would count them: who got a prompt twice,
who never got it, and how long the bot took to go on at full speed.

- "database cut": a prompt to N people (600; --small 200) at 20 messages a second, sent by a web
  process (`serve`), a `worker` and a `clock` together on PostgreSQL, whose connections all go
  through a proxy; a few seconds in, the proxy cuts every connection and refuses new ones for 5 s,
  30 s and 2 min (--small: 5 s). Figures: duplicates, missed, messages that arrived while the
  database was away (at most those already on their way), seconds from the database's return to
  the first message and to the rate of before, and whether every process stayed up.
- "sigkill": one `worker` sends a prompt to N people; it is killed (SIGKILL) mid-way and started
  again, 5 times (--small: once). On Slack the posts that were in flight are looked up (their
  message metadata) before they go again: 0 duplicates. Teams cannot tell a bot what arrived: what
  was in flight at the kill may arrive twice, at most the sender's concurrency.
SQLite has one process and no network between it and its file: these run on PostgreSQL only.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import time as time_of_day
from urllib.parse import urlsplit, urlunsplit

from bench.common import analyze, database
from bench.fanout_world import seed
from bench.procs import ALWAYS_WORKING, Children, free_port, get_json
from bench.tcp_proxy import RestartableProxy
from bot.common.config import load_settings
from bot.domain.circles.runs import start_run
from bot.domain.shared.context import Services
from bot.domain.shared.rhythm import Calendar
from prompts import default_library
from storage.db import make_engine, unit_of_work
from storage.models import Circle

RATE = 20.0  # messages a second, the workspace's


@dataclass(frozen=True)
class Size:
    people: int
    cuts: tuple[float, ...]
    kills: int


FULL, SMALL = Size(600, (5.0, 30.0, 120.0), 5), Size(200, (5.0,), 1)


def plan(url: str, platform: str, people: int, connector: str) -> list[str]:
    """A circle of `people` and a prompt to each in the outbox, due now; returns who must get it."""
    expected = seed(url, platform, people, connector=connector)
    analyze(url)
    engine = make_engine(url)
    settings = load_settings({"DATABASE_URL": url, **ALWAYS_WORKING}, dotenv=False)
    services = Services(settings, default_library(), Calendar(time_of_day(0, 0), time_of_day(23, 59), tuple(range(7))))
    with unit_of_work(engine) as session:
        start_run(session, services, session.get(Circle, 1), "reflection", _now(), "manual")
    engine.dispose()
    return expected


def _now():
    from storage.types import utcnow

    return utcnow()


def bot_settings(platform: str, url: str, service: str) -> dict:
    settings = {"DATABASE_URL": url, "LOG_FORMAT": "json", **ALWAYS_WORKING}
    if platform == "slack":
        settings.update({"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "b3nch5ecret",
                         "SLACK_API_URL": f"{service}/api/", "SLACK_MESSAGES_PER_SECOND": f"{RATE:g}"})
    else:
        settings.update({"TEAMS_ENABLED": "true", "TEAMS_MESSAGES_PER_SECOND": f"{RATE:g}"})
    return settings


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def wait_for(condition, timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def counted(service: str, expected: list[str]) -> dict:
    detail = get_json(f"{service}/stats?targets=1&arrivals=1")
    got = detail["targets"]
    return {"missed": sum(1 for t in expected if t not in got),
            "duplicates": sum(got[t][0] - 1 for t in expected if t in got),
            "arrivals": sorted(detail["arrivals"]), "reached": sum(1 for t in expected if t in got)}


def database_cut(platform: str, cut: float, size: Size) -> dict:
    with Children() as children, database("postgres") as url:
        service = children.mock(platform, "--rate", "2000", "--burst", "2000", "--random-429", "0",
                                "--random-500", "0").url
        expected = plan(url, platform, size.people, connector=f"{service}/")
        parts = urlsplit(url)
        proxy = RestartableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        settings = bot_settings(platform, through(url, proxy.start()), service)
        bots = [children.bot("serve", ["serve", "--port", str(free_port())], **settings),
                children.bot("worker", ["worker"], **settings), children.bot("clock", ["clock"], **settings)]
        try:
            began = time.monotonic()
            if not wait_for(lambda: counted(service, expected)["reached"] >= size.people // 5, 60):
                return {"error": "the fan-out did not start", "log": bots[1].tail()}
            cut_at = time.monotonic()
            proxy.restart(down_for=cut)
            back_at = time.monotonic()
            wait_for(lambda: counted(service, expected)["reached"] == len(expected), 180 + len(expected) / RATE)
            time.sleep(3)  # late retries would show up as duplicates
            seen = counted(service, expected)
            alive = all(bot.alive() for bot in bots)
        finally:
            proxy.stop()
    arrivals = seen["arrivals"]
    before = [t for t in arrivals if began <= t < cut_at]
    during = [t for t in arrivals if cut_at + 1.0 <= t < back_at]  # the first second: already on the wire
    after = [t for t in arrivals if t >= back_at]
    rate_before = len(before) / max(cut_at - before[0], 1e-9) if before else 0.0
    first_after = (after[0] - back_at) if after else None
    full_speed = _full_speed_after(after, back_at, rate_before)
    return {"platform": platform, "cut_seconds": cut, "people": len(expected), "missed": seen["missed"],
            "duplicates": seen["duplicates"], "arrived_during_cut": len(during),
            "first_after_return_seconds": None if first_after is None else round(first_after, 1),
            "full_speed_after_return_seconds": None if full_speed is None else round(full_speed, 1),
            "rate_before": round(rate_before, 1), "processes_up": alive,
            "target_met": seen["missed"] == 0 and seen["duplicates"] == 0 and alive
            and (full_speed is None or full_speed <= 60)}


def _full_speed_after(after: list[float], back_at: float, rate_before: float, window: float = 5.0) -> float | None:
    """Seconds after the database's return until a window of `window` seconds carries 80 % of the
    rate before the cut (None: what was left went out in less than a window)."""
    for i, start in enumerate(after):
        within = sum(1 for t in after[i:] if t < start + window)
        if within >= 0.8 * rate_before * window:
            return start - back_at
    return None


def sigkill(platform: str, size: Size) -> dict:
    duplicates, missed, runs = [], [], []
    for _ in range(size.kills):
        with Children() as children, database("postgres") as url:
            service = children.mock(platform, "--rate", "2000", "--burst", "2000", "--random-429", "0",
                                    "--random-500", "0").url
            expected = plan(url, platform, size.people, connector=f"{service}/")
            settings = {**bot_settings(platform, url, service), "SLACK_MESSAGES_PER_SECOND": "100",
                        "TEAMS_MESSAGES_PER_SECOND": "100"}
            first = children.bot("worker", ["worker"], **settings)
            if not wait_for(lambda: counted(service, expected)["reached"] >= size.people // 3, 60):
                return {"platform": platform, "error": "the fan-out did not start", "log": first.tail()}
            first.kill()
            killed_at = counted(service, expected)["reached"]
            restarted = time.monotonic()
            children.bot("worker-again", ["worker"], **settings)
            wait_for(lambda: counted(service, expected)["reached"] == len(expected), 120)
            took = time.monotonic() - restarted
            time.sleep(3)
            seen = counted(service, expected)
            duplicates.append(seen["duplicates"])
            missed.append(seen["missed"])
            runs.append({"killed_after": killed_at, "everyone_reached_after_restart_seconds": round(took, 1)})
    expected_duplicates = 0 if platform == "slack" else 32
    return {"platform": platform, "kills": size.kills, "people": size.people, "duplicates_per_run": duplicates,
            "missed_per_run": missed, "runs": runs,
            "target_met": max(missed) == 0 and max(duplicates) <= expected_duplicates}


def results(small: bool, backends: tuple[str, ...]):
    size = SMALL if small else FULL
    if "postgres" not in backends:
        yield {"skipped": "PostgreSQL only: SQLite has one process and no network to its file"}
        return
    platforms = ("slack",) if small else ("slack", "teams")
    for platform in platforms:
        for cut in size.cuts:
            try:
                yield {"case": "database cut", **database_cut(platform, cut, size)}
            except LookupError as missing:
                yield {"case": "database cut", "skipped": str(missing)}
                return
        yield {"case": "sigkill", **sigkill(platform, size)}
