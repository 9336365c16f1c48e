"""Trouble at the platform, counted as its operator would count it: calls made while the service
said to wait, calls made into an outage, people reached twice or never, and how long after the
trouble everyone had their message.

A prompt to N people (600; --small 200) at 20 messages a second, sent by two senders (`serve` and a
`worker`) on PostgreSQL, so that what one learns the other must keep to as well. A few seconds in,
the service stand-in (bench/mock_apis.py, POST /trouble) misbehaves:

- "429": every message call refused with 429 and Retry-After 1 s for 10 s, and Retry-After 30 s
  for 45 s. Figure: calls that came inside a Retry-After window, counted from half a second after
  each 429 (calls already on their way when it was answered aside). Target 0.
- "503 storm": every call answered 503 for 60 s. Figures: calls during the storm against the
  ~1,200 that full speed would make; the open circuit lets through one probe at a time.
- "hang": every call held unanswered for 20 s, then answered 503. Figure: the bot's 15 s
  time-out frees its calls; everyone reached, nobody twice.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import database
from bench.faults import RATE, bot_settings, counted, plan, wait_for
from bench.procs import Children, free_port, get_json

STARTED_AFTER = 5  # the trouble begins once this many people have their message


@dataclass(frozen=True)
class Trouble:
    name: str
    request: dict  # the body of POST /trouble
    seconds: float


TROUBLES = (
    Trouble("429, Retry-After 1 s, for 10 s", {"status": 429, "retry_after": 1}, 10.0),
    Trouble("429, Retry-After 30 s, for 45 s", {"status": 429, "retry_after": 30}, 45.0),
    Trouble("503 for 60 s", {"status": 503}, 60.0),
    Trouble("hanging 20 s", {"hang": True}, 20.0),
)
SMALL_TROUBLES = (Trouble("429, Retry-After 1 s, for 5 s", {"status": 429, "retry_after": 1}, 5.0),
                  Trouble("503 for 10 s", {"status": 503}, 10.0))


def inside_holds(attempts: list, retry_after: float, grace: float = 0.5) -> tuple[int, float]:
    """Calls that came while a 429 had said to wait (from `grace` after each 429 to its end), and
    the latest of them, in seconds after the 429 whose window it fell in."""
    holds = sorted(at for at, status, *_ in attempts if status == 429)
    inside, latest = 0, 0.0
    for at, *_ in attempts:
        within = [at - began for began in holds if began + grace <= at < began + retry_after]
        if within:
            inside += 1
            latest = max(latest, min(within))
    return inside, round(latest, 2)


def logged(bots, *phrases: str) -> dict[str, int]:
    """How many lines of the bots' logs carry each phrase."""
    text = "\n".join(Path(bot.log_path).read_text(errors="replace") for bot in bots)
    return {phrase: sum(1 for line in text.splitlines() if phrase in line) for phrase in phrases}


def run(platform: str, trouble: Trouble, people: int) -> dict:
    with Children() as children, database("postgres") as url:
        service = children.mock(platform, "--rate", "2000", "--burst", "2000", "--random-429", "0",
                                "--random-500", "0").url
        expected = plan(url, platform, people, connector=f"{service}/")
        settings = bot_settings(platform, url, service)
        bots = [children.bot("serve", ["serve", "--port", str(free_port())], **settings),
                children.bot("worker", ["worker"], **settings)]
        if not wait_for(lambda: counted(service, expected)["reached"] >= STARTED_AFTER, 60):
            return {"platform": platform, "trouble": trouble.name, "error": "the fan-out did not start",
                    "log": bots[1].tail()}
        began = time.monotonic()
        get_json(f"{service}/trouble", data=json.dumps({**trouble.request, "seconds": trouble.seconds}).encode())
        ended = began + trouble.seconds
        wait_for(lambda: counted(service, expected)["reached"] == len(expected),
                 trouble.seconds + 240 + len(expected) / RATE)
        everyone_at = time.monotonic()
        time.sleep(3)  # late retries would show up as duplicates
        seen = counted(service, expected)
        attempts = get_json(f"{service}/stats?attempts=1")["attempts"]
        alive = all(bot.alive() for bot in bots)
        logs = logged(bots, "asked to wait", "calls failed", "answers again", "Traceback")
    during = [(at, status) for at, status, *_ in attempts if began <= at < ended]
    result = {"platform": platform, "trouble": trouble.name, "people": len(expected), "missed": seen["missed"],
              "duplicates": seen["duplicates"], "calls_during_trouble": len(during),
              "calls_at_full_speed_would_be": round(trouble.seconds * RATE),
              "everyone_reached_after_trouble_seconds": round(max(0.0, everyone_at - ended), 1)
              if seen["missed"] == 0 else None,
              "processes_up": alive, "log_lines": logs}
    fine = seen["missed"] == 0 and seen["duplicates"] == 0 and alive and logs["Traceback"] == 0
    if trouble.request.get("status") == 429:
        result["calls_inside_retry_after"], result["latest_inside_seconds"] = inside_holds(
            attempts, float(trouble.request["retry_after"]))
        fine = fine and result["calls_inside_retry_after"] == 0
    else:
        fine = fine and len(during) < 0.25 * trouble.seconds * RATE
    return {**result, "target_met": fine}


def results(small: bool, backends: tuple[str, ...]):
    if "postgres" not in backends:
        yield {"skipped": "PostgreSQL only: two senders share what they learn through the database"}
        return
    troubles, people = (SMALL_TROUBLES, 200) if small else (TROUBLES, 600)
    for platform in ("slack", "teams"):
        for trouble in troubles:
            try:
                yield {"case": "platform trouble", **run(platform, trouble, people)}
            except LookupError as missing:
                yield {"case": "platform trouble", "skipped": str(missing)}
                return
