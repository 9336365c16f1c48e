"""How fast /circle answers while a 10,000-person fan-out is being sent, next to a bare bolt app.

A database with 1,000 circles of ten and 10,000 people, plus one circle of everyone; the bot runs as
`python -m bot serve` against the stand-in Slack API (100 messages/s, the bot told the same). A
signed `/circle prompt now` in the big circle starts the fan-out; while it is being sent, 50
concurrent clients send signed `/circle list` and `/circle info` from random members in their
circles' channels, and the time to each HTTP response is measured, under two loads:
- paced: each client about one request a second (a random pause after each answer), for a fixed
  time — 50 people using the bot at once; the target applies to this one;
- saturated: a fixed count sent back to back (the next as soon as the answer is in), which
  measures capacity: with 50 always waiting, latency is 50 / throughput.
Everyone's profile counts as checked by the clock's daily directory sweep, as in a workspace that
has run for a day (so no users.info per first-time caller). The same loads then go to a bare
slack-bolt AsyncApp whose handler only acks (bench/bare_bolt.py), in its own process, as the yardstick.
"""
from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import aiohttp
from sqlalchemy import update

from bench.common import analyze, database, seed_circles, seed_people, seed_workspace
from bench.procs import TEAM, Child, Children, free_port, get_json, slack_settings, slash_command, wait_healthy
from storage.db import make_engine
from storage.models import Person

CLIENTS = 50
FAN_OUT_RATE = 100.0  # messages per second, the stand-in's limit and the bot's pace
TARGET_P99_MS, TARGET_P50_RATIO = 300.0, 1.5


@dataclass(frozen=True)
class Size:
    circles: int
    people: int
    paced_seconds: float  # how long 50 people keep using /circle, each about once a second
    saturated: int  # requests sent back to back by the 50 clients, for each app's capacity

    @property
    def label(self) -> str:
        return f"{self.circles} circles of {self.people // self.circles}, {self.people} people, fan-out to " \
               f"{self.people} at {FAN_OUT_RATE:g}/s; {CLIENTS} clients at {PACE:g} request/s each for " \
               f"{self.paced_seconds:g} s, then {self.saturated} requests back to back"


FULL = Size(1000, 10_000, 60, 1000)
SMALL = Size(200, 2000, 6, 150)
PACE = 1.0  # requests per second per client (a random pause between a client's requests)


@dataclass
class World:
    size: Size
    groups: list[list[int]]  # members of each small circle; circle i+1 is in channel C{i+1:06d}
    big_channel: str
    big_mentor: str


def seed(url: str, size: Size, rng: random.Random) -> World:
    engine = make_engine(url)
    people = list(range(1, size.people + 1))
    shuffled = rng.sample(people, len(people))
    per = size.people // size.circles
    groups = [shuffled[i * per:(i + 1) * per] for i in range(size.circles)]
    with engine.begin() as conn:
        ws = seed_workspace(conn, "slack", TEAM)
        seed_people(conn, ws, size.people, user_id=lambda i: f"U{i:06d}")
        seed_circles(conn, ws, groups + [people])  # the last one, of everyone, is the fan-out's
        # As in a workspace that has run for a day: the clock's directory sweep has checked everyone.
        conn.execute(update(Person.__table__).values(profile_checked_at=datetime.now(timezone.utc)))
    engine.dispose()
    analyze(url)
    return World(size, groups, f"C{size.circles + 1:06d}", "U000001")


async def load(base: str, world: World, response_url: str, rng: random.Random, count: int | None = None,
               seconds: float | None = None) -> tuple[dict, dict[str, float]]:
    """CLIENTS clients with one request at a time each: `count` requests back to back (each client
    sends its next as soon as it has an answer), or for `seconds` at PACE per client. Also gives
    when each request went out (time.monotonic), by its response_url key."""
    latencies: list[float] = []
    began_at: dict[str, float] = {}
    errors = sent = 0
    paced = seconds is not None
    started = time.perf_counter()

    def more() -> bool:
        return time.perf_counter() - started < seconds if paced else sent < count

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors, sent
        if paced:
            await asyncio.sleep(rng.uniform(0, 1 / PACE))
        while more():
            n = sent = sent + 1
            index = rng.randrange(len(world.groups))
            user = f"U{rng.choice(world.groups[index]):06d}"
            body, headers = slash_command(user, "list" if n % 2 else "info", f"C{index + 1:06d}",
                                          f"{response_url}{n}", n)
            began_at[f"{response_url}{n}".rsplit("/", 1)[1]] = time.monotonic()
            begun = time.perf_counter()
            try:
                async with session.post(f"{base}/slack/events", data=body, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            latencies.append(time.perf_counter() - begun)
            errors += not ok
            if paced:
                await asyncio.sleep(min(rng.expovariate(PACE), max(0.0, seconds - (time.perf_counter() - started))))

    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(client(session) for _ in range(CLIENTS)))
    elapsed = time.perf_counter() - started
    return {**percentiles(latencies), "requests": len(latencies), "errors": errors,
            "seconds": round(elapsed, 1), "requests_per_second": round(len(latencies) / elapsed, 1)}, began_at


def answered(began_at: dict[str, float], mock_url: str, wait: float = 15.0) -> dict:
    """Time from each request to its answer arriving at the response_url (the ack is empty; this
    is what the person waits for). The answers of the last requests may still be on their way."""
    deadline = time.monotonic() + wait
    while True:
        answers = get_json(f"{mock_url}/stats?answers=1")["answers"]
        if all(key in answers for key in began_at) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    waits = [answers[key] - began for key, began in began_at.items() if key in answers]
    if not waits:
        return {"answers_missing": len(began_at)}
    timing = percentiles(waits)
    return {"answer_p50_ms": timing["p50_ms"], "answer_p99_ms": timing["p99_ms"],
            "answers_missing": len(began_at) - len(waits)}


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": round(ordered[-1] * 1000, 1)}


def stats(mock: Child) -> dict:
    return get_json(f"{mock.url}/stats")


def measure(base: str, world: World, mock_url: str, rng: random.Random, progress=None,
            answers: bool = False) -> dict:
    """Warm up, then the paced load, then the back-to-back one; `progress()` is read around each.
    `answers`: also time the answers that come through the response_url."""
    asyncio.run(load(base, world, f"{mock_url}/respond/warm-", rng, count=CLIENTS))  # connections, auth.test
    marks = [progress()] if progress else []
    paced, paced_began = asyncio.run(load(base, world, f"{mock_url}/respond/paced-", rng,
                                          seconds=world.size.paced_seconds))
    marks += [progress()] if progress else []
    saturated, saturated_began = asyncio.run(load(base, world, f"{mock_url}/respond/saturated-", rng,
                                                  count=world.size.saturated))
    marks += [progress()] if progress else []
    if answers:
        paced.update(answered(paced_began, mock_url))
        saturated.update(answered(saturated_began, mock_url))
    return {"paced": paced, "saturated": saturated, "marks": marks}


def run_ours(children: Children, url: str, world: World, rng: random.Random) -> tuple[dict, dict]:
    mock = children.mock("slack", "--rate", f"{FAN_OUT_RATE:g}", "--burst", f"{FAN_OUT_RATE * 2:g}",
                         "--random-429", "0", "--random-500", "0")  # a steady fan-out, at the limit
    port = free_port()
    server = children.bot("serve", ["serve", "--port", str(port)],
                          **slack_settings(url, mock, FAN_OUT_RATE, PORT=str(port)))
    wait_healthy(server, port)
    base = f"http://127.0.0.1:{port}"
    body, headers = slash_command(world.big_mentor, "prompt now", world.big_channel, f"{mock.url}/respond/start", 0)
    asyncio.run(post_once(f"{base}/slack/events", body, headers))
    deadline = time.monotonic() + 120
    while stats(mock)["messages"] < 10:
        if time.monotonic() > deadline or not server.alive():
            raise RuntimeError(f"the fan-out did not start: {server.tail()}")
        time.sleep(0.2)
    measured = measure(base, world, mock.url, rng, lambda: stats(mock)["messages"], answers=True)
    marks = measured.pop("marks")
    sent_during = marks[1] - marks[0]
    fan_out = {"recipients": world.size.people, "sent_before": marks[0], "sent_after_paced": marks[1],
               "sent_after_saturated": marks[2],
               "sent_per_second_during_paced": round(sent_during / measured["paced"]["seconds"], 1),
               "in_progress_throughout": marks[0] < marks[1] < marks[2] < world.size.people}
    server.kill()  # the fan-out is still going; no need to wait for it
    return measured, fan_out


async def post_once(url: str, body: bytes, headers: dict) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            return response.status


def run_bare(children: Children, world: World, rng: random.Random) -> dict:
    mock = children.mock("slack")
    bare = children.bare_bolt(f"{mock.url}/api/")
    measured = measure(bare.url, world, mock.url, rng)
    measured.pop("marks")
    return measured


def results(small: bool, backends: tuple[str, ...]):
    size = SMALL if small else FULL
    for backend in backends:
        rng = random.Random(11)
        load_before = os.getloadavg()[0]
        try:
            with database(backend) as url:
                world = seed(url, size, rng)
                with Children() as children:
                    ours, fan_out = run_ours(children, url, world, rng)
                    bare = run_bare(children, world, rng)
        except LookupError as missing:
            yield {"backend": backend, "skipped": str(missing)}
            continue
        paced, bare_paced = ours["paced"], bare["paced"]
        within = paced["p99_ms"] < TARGET_P99_MS and paced["p50_ms"] <= TARGET_P50_RATIO * bare_paced["p50_ms"]
        yield {"backend": backend, "size": size.label, "ours": ours, "bare_bolt": bare, "fan_out": fan_out,
               "p50_ratio": round(paced["p50_ms"] / max(bare_paced["p50_ms"], 0.1), 2),
               "capacity_ratio": round(ours["saturated"]["requests_per_second"]
                                       / bare["saturated"]["requests_per_second"], 2),
               "target": f"paced: p99 < {TARGET_P99_MS:g} ms and p50 <= {TARGET_P50_RATIO:g} x bare bolt",
               "within_target": within, "machine_load_before": round(load_before, 2)}
